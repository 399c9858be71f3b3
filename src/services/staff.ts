import type { FromSchema } from 'json-schema-to-ts';
import { LOCALES, type Locale } from '../clinical/types.ts';
import { revokeApiTokensCreatedBy } from '../store/api-tokens.repository.ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { revokePasswordTokensOfUser } from '../store/password-tokens.repository.ts';
import {
  deleteStaffSessionsForUser,
  findStaffByEmailInClinic,
  findStaffById,
  insertStaffUser,
  listStaff,
  lockActiveAdmins,
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
import { issuePasswordLink, NO_PASSWORD } from './set-password.ts';
import { requireName } from './text.ts';

export const STAFF_ROLES = ['admin', 'practitioner'] as const satisfies readonly StaffRole[];

/**
 * A new practitioner or admin, behind every door: an invitation. Nobody types a colleague's
 * password (issue 11; docs/decisions/1301-invitations-replace-initial-passwords.md): the person
 * gets a set-password link by e-mail. `role` may be left out and then means `practitioner`
 * (docs/decisions/0610-staff-role-default.md); `language` is the invitation e-mail's (the
 * clinic's default when left out).
 */
export const newStaffSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'displayName'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    role: { type: 'string', enum: STAFF_ROLES, default: 'practitioner' },
    language: { type: 'string', enum: LOCALES },
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

export interface Invitation {
  readonly user: StaffUser;
  readonly expiresAt: string;
}

/**
 * Invite a practitioner (or admin): the person is added without a password and sent a
 * single-use set-password link valid 7 days (an `invite.email` through the outbox). E-mail
 * addresses are unique within a clinic: the same clinic's duplicate is a 409 naming `email`;
 * an address used in another clinic is simply invited again, so nothing about other clinics
 * shows (docs/decisions/1331).
 */
export async function createStaff(
  deps: ServiceDeps,
  actor: Actor,
  input: NewStaffInput,
): Promise<StaffUser> {
  return (await inviteStaff(deps, actor, input)).user;
}

export async function inviteStaff(
  deps: ServiceDeps,
  actor: Actor,
  input: NewStaffInput,
): Promise<Invitation> {
  requireAdmin(actor);
  const role = input.role ?? DEFAULT_STAFF_ROLE;
  return withTransaction(deps.db, async (trx) => {
    if ((await findStaffByEmailInClinic(trx, actor.clinicId, input.email)) !== undefined) {
      throw new AppError('conflict', 'Someone in your clinic already has this e-mail address.', {
        errors: [{ field: 'email', message: 'is already used by someone in your clinic' }],
      });
    }
    const clinic = await findClinic(trx, actor.clinicId);
    if (clinic === undefined) throw new AppError('not_found', 'Your clinic no longer exists.');
    const created = await insertStaffUser(trx, {
      clinicId: actor.clinicId,
      email: input.email,
      displayName: requireName(input.displayName, 'displayName'),
      role,
      passwordHash: NO_PASSWORD,
      createdAt: deps.clock.now(),
    });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'staff.create',
      subjectType: 'staff_user',
      subjectId: created.id,
      details: { role, via: 'invite' },
    });
    const expiresAt = await sendPasswordLink(deps, trx, actor, {
      user: created,
      clinic,
      purpose: 'invite',
      language: input.language ?? clinic.defaultLanguage,
    });
    return { user: created, expiresAt };
  });
}

/** Send a new invitation to someone who has not set a password yet (the old link stops working). */
export async function resendInvitation(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly userId: string; readonly language?: Locale },
): Promise<Invitation> {
  requireAdmin(actor);
  if (!isUuid(input.userId)) throw new AppError('not_found', 'No such staff user.');
  return withTransaction(deps.db, async (trx) => {
    const user = await updateStaffUser(trx, actor.clinicId, input.userId, {});
    if (user === undefined) throw new AppError('not_found', 'No such staff user.');
    if (!user.active || user.passwordHash !== NO_PASSWORD)
      throw new AppError('conflict', 'Only a pending invitation can be sent again.');
    const clinic = await findClinic(trx, actor.clinicId);
    if (clinic === undefined) throw new AppError('not_found', 'Your clinic no longer exists.');
    const expiresAt = await sendPasswordLink(deps, trx, actor, {
      user,
      clinic,
      purpose: 'invite',
      language: input.language ?? clinic.defaultLanguage,
    });
    return { user, expiresAt };
  });
}

/** Withdraw a pending invitation: its link stops working (410); the person stays listed. */
export async function revokeInvitation(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly userId: string },
): Promise<StaffUser> {
  requireAdmin(actor);
  if (!isUuid(input.userId)) throw new AppError('not_found', 'No such staff user.');
  return withTransaction(deps.db, async (trx) => {
    const user = await updateStaffUser(trx, actor.clinicId, input.userId, {});
    if (user === undefined) throw new AppError('not_found', 'No such staff user.');
    if (user.passwordHash !== NO_PASSWORD)
      throw new AppError('conflict', 'Only a pending invitation can be withdrawn.');
    const revoked = await revokePasswordTokensOfUser(trx, user.id, deps.clock.now());
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'staff.invite.revoke',
      subjectType: 'staff_user',
      subjectId: user.id,
      details: { revoked },
    });
    return user;
  });
}

/** Issue a set-password link, audit it, and hand its e-mail to the outbox (same transaction). */
export async function sendPasswordLink(
  deps: ServiceDeps,
  trx: ServiceDeps['db'],
  actor: Actor,
  input: { user: StaffUser; clinic: Clinic; purpose: 'invite' | 'reset'; language: Locale },
): Promise<string> {
  const createdBy = actor.kind === 'staff' ? actor.userId : null;
  const link = await issuePasswordLink(deps, trx, {
    user: input.user,
    purpose: input.purpose,
    createdBy,
  });
  await recordAudit(
    trx,
    deps.clock,
    { ...auditActorOf(actor), clinicId: input.user.clinicId },
    {
      action: input.purpose === 'invite' ? 'staff.invite.send' : 'staff.password.reset_requested',
      subjectType: 'staff_user',
      subjectId: input.user.id,
      details: { expiresAt: link.token.expiresAt },
    },
  );
  await deps.events.passwordLinkIssued?.(trx, {
    purpose: input.purpose,
    tokenId: link.token.id,
    clinicId: input.user.clinicId,
    to: input.user.email,
    name: input.user.displayName,
    clinicName: input.clinic.name,
    language: input.language,
    url: link.url,
    expiresAt: link.token.expiresAt,
    at: deps.clock.now(),
  });
  return link.token.expiresAt;
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
    const before = await updateStaffUser(trx, actor.clinicId, input.userId, {});
    if (before === undefined) throw new AppError('not_found', 'No such staff user.');
    await refuseLastAdmin(trx, before, 'deactivate');
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

export const staffRoleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: { role: { type: 'string', enum: STAFF_ROLES } },
} as const;

export type StaffRoleInput = FromSchema<typeof staffRoleSchema>;

/**
 * Refuse to leave a clinic without anyone able to administer it: `user` may not stop being
 * an admin (demotion or deactivation) when they are its last active admin with a password.
 */
async function refuseLastAdmin(
  trx: ServiceDeps['db'],
  user: StaffUser,
  change: 'demote' | 'deactivate',
): Promise<void> {
  if (user.role !== 'admin' || !user.active) return;
  const admins = await lockActiveAdmins(trx, user.clinicId, NO_PASSWORD);
  if (admins.some((id) => id !== user.id)) return;
  throw new AppError(
    'conflict',
    change === 'demote'
      ? `${user.displayName} is the clinic's last active admin: make someone else an admin first.`
      : `${user.displayName} is the clinic's last active admin and cannot be deactivated: make someone else an admin first.`,
    { errors: [{ field: change === 'demote' ? 'role' : 'userId', message: 'last active admin' }] },
  );
}

/**
 * An admin makes a colleague (or themself) an admin or a practitioner. The change takes effect
 * on that person's very next request, because every request reads the role from their staff
 * record, not from the session; their sessions and the API tokens they made are kept
 * (docs/decisions/1332). The clinic's last active admin cannot be demoted. Audited with the
 * old and new role; asking for the role someone already has changes nothing.
 */
export async function changeStaffRole(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly userId: string; readonly role: StaffRole },
): Promise<StaffUser> {
  requireAdmin(actor);
  if (!isUuid(input.userId)) throw new AppError('not_found', 'No such staff user.');
  if (!(STAFF_ROLES as readonly string[]).includes(input.role)) {
    throw new AppError('validation_failed', 'Invalid role', {
      errors: [{ field: 'role', message: 'must be admin or practitioner' }],
    });
  }
  return withTransaction(deps.db, async (trx) => {
    const user = await updateStaffUser(trx, actor.clinicId, input.userId, {});
    if (user === undefined) throw new AppError('not_found', 'No such staff user.');
    if (user.role === input.role) return user;
    if (input.role === 'practitioner') await refuseLastAdmin(trx, user, 'demote');
    const changed = await updateStaffUser(trx, actor.clinicId, user.id, { role: input.role });
    if (changed === undefined) throw new AppError('not_found', 'No such staff user.');
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'staff.role_change',
      subjectType: 'staff_user',
      subjectId: user.id,
      details: { from: user.role, to: input.role },
    });
    return changed;
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
