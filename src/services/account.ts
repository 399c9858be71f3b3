import type { FromSchema } from 'json-schema-to-ts';
import { LOCALES, type Locale } from '../clinical/types.ts';
import { withTransaction } from '../store/db.ts';
import {
  deleteOtherStaffSessions,
  findStaffById,
  recordFailedLogin,
  resetFailedLogins,
  type StaffUser,
  updateStaffUser,
} from '../store/staff.repository.ts';
import { type Actor, requireStaff } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import { MINUTE_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { checkNewPassword } from './password-policy.ts';
import { PASSWORD_MAX_LENGTH } from './passwords.ts';
import { PasswordRefused } from './set-password.ts';
import { checkName } from './text.ts';

/**
 * A signed-in person's own account (issue 11, "People"): their name, their language (the
 * dashboard's and their e-mails'), their password. Only a person acts here, never an API
 * token, and only on themselves: nothing in the input names whom.
 */

/** What `PATCH /api/v1/auth/me` takes. */
export const ownAccountPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    language: { type: 'string', enum: LOCALES },
  },
} as const;

export type OwnAccountPatch = FromSchema<typeof ownAccountPatchSchema>;

/** What `POST /api/v1/auth/me/password` takes. */
export const ownPasswordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['currentPassword', 'password'],
  properties: {
    currentPassword: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX_LENGTH },
    password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX_LENGTH + 1 },
    confirmation: { type: 'string', maxLength: PASSWORD_MAX_LENGTH + 1 },
  },
} as const;

/** The caller's own account. */
export async function readOwnAccount(deps: ServiceDeps, actor: Actor): Promise<StaffUser> {
  requireStaff(actor);
  const user = await findStaffById(deps.db, actor.userId);
  if (user === undefined || user.clinicId !== actor.clinicId)
    throw new AppError('not_found', 'Your account no longer exists.');
  return user;
}

/** Change one's own name and/or language; audited with which fields changed (not their values). */
export async function updateOwnAccount(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly displayName?: string; readonly language?: string },
): Promise<StaffUser> {
  requireStaff(actor);
  const errors: FieldIssue[] = [];
  let displayName: string | undefined;
  if (input.displayName !== undefined) {
    const name = checkName(input.displayName, { field: 'displayName' });
    if (name.ok) displayName = name.value;
    else errors.push({ field: name.field, message: name.message });
  }
  let language: Locale | undefined;
  if (input.language !== undefined) {
    if ((LOCALES as readonly string[]).includes(input.language))
      language = input.language as Locale;
    else errors.push({ field: 'language', message: `must be one of ${LOCALES.join(', ')}` });
  }
  if (errors.length > 0)
    throw new AppError(
      'validation_failed',
      errors.map((e) => `${e.field} ${e.message}`).join('; '),
      { errors },
    );
  return withTransaction(deps.db, async (trx) => {
    const user = await updateStaffUser(trx, actor.clinicId, actor.userId, {
      ...(displayName === undefined ? {} : { displayName }),
      ...(language === undefined ? {} : { language }),
    });
    if (user === undefined) throw new AppError('not_found', 'Your account no longer exists.');
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'staff.account.update',
      subjectType: 'staff_user',
      subjectId: user.id,
      details: {
        fields: [
          ...(displayName === undefined ? [] : ['displayName']),
          ...(language === undefined ? [] : ['language']),
        ],
      },
    });
    return user;
  });
}

/**
 * Change one's own password: the current one first (a wrong one counts toward the account's
 * sign-in lock-out, so a borrowed session cannot guess it), then the rules of
 * password-policy.ts; every other session of the person ends, `keepSessionHash` (the one
 * asking) stays. API tokens are untouched (decision 1321).
 */
export async function changeOwnPassword(
  deps: ServiceDeps,
  actor: Actor,
  input: {
    readonly currentPassword: string;
    readonly password: string;
    readonly confirmation?: string | undefined;
    readonly keepSessionHash: string | null;
  },
): Promise<{ otherSessionsEnded: number }> {
  const user = await readOwnAccount(deps, actor);
  requireStaff(actor);
  const now = deps.clock.now();
  if (user.lockedUntil !== null && Date.parse(user.lockedUntil) > now.getTime()) {
    const seconds = Math.max(1, Math.ceil((Date.parse(user.lockedUntil) - now.getTime()) / 1000));
    throw new AppError('too_many_requests', 'Too many wrong passwords: try again later.', {
      retryAfter: seconds,
    });
  }
  if (!(await deps.passwords.verify(user.passwordHash, input.currentPassword))) {
    await recordFailedLogin(deps.db, user.id, {
      maxFailures: deps.config.signIn.maxFailures,
      lockUntil: new Date(now.getTime() + deps.config.signIn.lockMinutes * MINUTE_MS),
    });
    await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
      action: 'staff.password.change_failed',
      subjectType: 'staff_user',
      subjectId: user.id,
      details: { reason: 'wrong_current_password' },
    });
    throw new AppError('validation_failed', 'The current password is wrong.', {
      errors: [{ field: 'currentPassword', message: 'is wrong' }],
    });
  }
  const problems = checkNewPassword(input.password, input.confirmation);
  if (problems.length > 0) throw new PasswordRefused(problems);
  const passwordHash = await deps.passwords.hash(input.password);
  return withTransaction(deps.db, async (trx) => {
    const updated = await updateStaffUser(trx, actor.clinicId, actor.userId, { passwordHash });
    if (updated === undefined) throw new AppError('not_found', 'Your account no longer exists.');
    await resetFailedLogins(trx, updated.id);
    const otherSessionsEnded = await deleteOtherStaffSessions(
      trx,
      updated.id,
      input.keepSessionHash ?? '',
    );
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'staff.password.change',
      subjectType: 'staff_user',
      subjectId: updated.id,
      details: { otherSessionsEnded },
    });
    return { otherSessionsEnded };
  });
}
