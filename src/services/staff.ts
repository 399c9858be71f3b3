import type { FromSchema } from 'json-schema-to-ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import { revokeApiTokensCreatedBy } from '../store/api-tokens.repository.ts';
import { withTransaction } from '../store/db.ts';
import { revokePasswordTokensOfUser } from '../store/password-tokens.repository.ts';
import {
  deleteStaffSessionsForUser,
  findStaffByEmail,
  findStaffById,
  insertStaffUser,
  listStaff,
  resetFailedLogins,
  type StaffRole,
  type StaffUser,
  updateStaffUser,
} from '../store/staff.repository.ts';
import { type Actor, requireAdmin, requireClinicActor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { isUuid } from './ids.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.ts';

export const STAFF_ROLES = ['admin', 'practitioner'] as const satisfies readonly StaffRole[];

/**
 * A new practitioner or admin, behind every door. `role` may be left out and then means
 * `practitioner` (docs/decisions/0610-staff-role-default.md): the least access is the default.
 */
export const newStaffSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'displayName', 'password'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    role: { type: 'string', enum: STAFF_ROLES, default: 'practitioner' },
    password: { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
  },
} as const;

export type NewStaffInput = FromSchema<
  typeof newStaffSchema,
  { keepDefaultedPropertiesOptional: true }
>;

export const DEFAULT_STAFF_ROLE: StaffRole = 'practitioner';

/** The clinic's practitioners and admins (admins only: it lists e-mail addresses). */
export async function listClinicStaff(deps: ServiceDeps, actor: Actor): Promise<StaffUser[]> {
  requireAdmin(actor);
  return listStaff(deps.db, actor.clinicId);
}

/** Add a practitioner (or admin) with an initial password. E-mails are unique across clinics. */
export async function createStaff(
  deps: ServiceDeps,
  actor: Actor,
  input: NewStaffInput,
): Promise<StaffUser> {
  requireAdmin(actor);
  const role = input.role ?? DEFAULT_STAFF_ROLE;
  if ((await findStaffByEmail(deps.db, input.email)) !== undefined) {
    throw new AppError('conflict', 'This e-mail address is already in use.', {
      errors: [{ field: 'email', message: 'already in use' }],
    });
  }
  const passwordHash = await deps.passwords.hash(input.password);
  return withTransaction(deps.db, async (trx) => {
    const created = await insertStaffUser(trx, {
      clinicId: actor.clinicId,
      email: input.email,
      displayName: input.displayName,
      role,
      passwordHash,
      createdAt: deps.clock.now(),
    });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'staff.create',
      subjectType: 'staff_user',
      subjectId: created.id,
      details: { role },
    });
    return created;
  });
}

/**
 * Deactivate a staff user of the caller's clinic: end every session they have, revoke the API
 * tokens they made and their unused set-password links.
 */
export async function deactivateStaff(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly userId: string },
): Promise<StaffUser> {
  requireAdmin(actor);
  if (input.userId === actor.userId)
    throw new AppError('conflict', 'You cannot deactivate yourself.');
  if (!isUuid(input.userId)) throw new AppError('not_found', 'No such staff user.');
  return withTransaction(deps.db, async (trx) => {
    const user = await updateStaffUser(trx, actor.clinicId, input.userId, { active: false });
    if (user === undefined) throw new AppError('not_found', 'No such staff user.');
    await deleteStaffSessionsForUser(trx, user.id);
    const now = deps.clock.now();
    const tokensRevoked = await revokeApiTokensCreatedBy(trx, user.id, now);
    await revokePasswordTokensOfUser(trx, user.id, now);
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'staff.deactivate',
      subjectType: 'staff_user',
      subjectId: user.id,
      details: { tokensRevoked },
    });
    return user;
  });
}

/** Lift a sign-in lock-out of a staff user of the caller's clinic. */
export async function unlockStaff(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly userId: string },
): Promise<void> {
  requireAdmin(actor);
  if (!isUuid(input.userId)) throw new AppError('not_found', 'No such staff user.');
  await withTransaction(deps.db, async (trx) => {
    const user = await updateStaffUser(trx, actor.clinicId, input.userId, {});
    if (user === undefined) throw new AppError('not_found', 'No such staff user.');
    await resetFailedLogins(trx, user.id);
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'staff.unlock',
      subjectType: 'staff_user',
      subjectId: user.id,
    });
  });
}

export interface Caller {
  readonly clinic: Clinic;
  /** The signed-in person; null for an API token. */
  readonly user: StaffUser | null;
}

/** Who is calling: their clinic and, for a person, their own record. */
export async function readCaller(deps: ServiceDeps, actor: Actor): Promise<Caller> {
  requireClinicActor(actor);
  const clinic = await findClinic(deps.db, actor.clinicId);
  if (clinic === undefined) throw new AppError('not_found', 'Your clinic no longer exists.');
  if (actor.kind === 'api_token') return { clinic, user: null };
  return { clinic, user: (await findStaffById(deps.db, actor.userId)) ?? null };
}
