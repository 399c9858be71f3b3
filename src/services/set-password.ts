import { findClinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import {
  findPasswordTokenByHash,
  insertPasswordToken,
  markPasswordTokenUsed,
  type PasswordToken,
  type PasswordTokenPurpose,
  revokePasswordTokensOfUser,
} from '../store/password-tokens.repository.ts';
import {
  deleteStaffSessionsForUser,
  findStaffById,
  resetFailedLogins,
  type StaffUser,
  updateStaffUser,
} from '../store/staff.repository.ts';
import type { Actor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import { HOUR_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { checkNewPassword, type PasswordProblem } from './password-policy.ts';
import { randomSecret, sha256Hex } from './secrets.ts';
import { productUrls } from './urls.ts';

/** How long each kind of set-password link lives (issue 11: 7 days for a new account, 1 hour for a reset). */
export const PASSWORD_LINK_TTL_MS: Readonly<Record<PasswordTokenPurpose, number>> = {
  first_admin: 7 * 24 * HOUR_MS,
  invite: 7 * 24 * HOUR_MS,
  reset: HOUR_MS,
};

/** A stored person in an account that has no password yet: no Argon2 hash verifies against it. */
export const NO_PASSWORD = '!no-password';

export interface IssuedPasswordLink {
  readonly token: PasswordToken;
  /** The absolute URL, shown or sent once; only its hash is stored. */
  readonly url: string;
}

/**
 * Issue a single-use set-password link for `user`, inside the caller's transaction. Earlier
 * unused links of that person stop working: only the newest one counts.
 */
export async function issuePasswordLink(
  deps: ServiceDeps,
  trx: ServiceDeps['db'],
  input: { user: StaffUser; purpose: PasswordTokenPurpose; createdBy: string | null },
): Promise<IssuedPasswordLink> {
  const now = deps.clock.now();
  await revokePasswordTokensOfUser(trx, input.user.id, now);
  const secret = randomSecret();
  const token = await insertPasswordToken(trx, {
    clinicId: input.user.clinicId,
    userId: input.user.id,
    tokenHash: sha256Hex(secret),
    purpose: input.purpose,
    createdBy: input.createdBy,
    createdAt: now,
    expiresAt: new Date(now.getTime() + PASSWORD_LINK_TTL_MS[input.purpose]),
  });
  return { token, url: productUrls(deps.config.publicUrl).setPassword(secret) };
}

export interface SetPasswordLink {
  readonly token: PasswordToken;
  readonly user: StaffUser;
  readonly clinicName: string;
}

/**
 * The person a set-password link is for. An unknown token is 404; a used, revoked or expired
 * one is 410 (`link_gone`), as is one whose person was deactivated or clinic suspended.
 */
export async function readSetPasswordLink(
  deps: ServiceDeps,
  _actor: Actor,
  input: { readonly token: string },
): Promise<SetPasswordLink> {
  const token = await findPasswordTokenByHash(deps.db, sha256Hex(input.token));
  if (token === undefined) throw new AppError('not_found', 'No such link.');
  const user = await findStaffById(deps.db, token.userId);
  const clinic = await findClinic(deps.db, token.clinicId);
  const gone =
    token.usedAt !== null ||
    token.revokedAt !== null ||
    Date.parse(token.expiresAt) <= deps.clock.now().getTime() ||
    user === undefined ||
    !user.active ||
    clinic === undefined ||
    clinic.suspendedAt !== null;
  if (gone || user === undefined || clinic === undefined)
    throw new AppError('link_gone', 'This link no longer works.');
  return { token, user, clinicName: clinic.name };
}

export interface SetPasswordInput {
  readonly token: string;
  readonly password: string;
  readonly confirmation?: string;
}

/** The field problems of a refused password, as the doors show them. */
export class PasswordRefused extends AppError {
  readonly problems: readonly PasswordProblem[];
  constructor(problems: readonly PasswordProblem[]) {
    super('validation_failed', 'The password does not meet the rules.', {
      errors: problems.map((p) =>
        p === 'mismatch'
          ? { field: 'confirmation', message: 'does not match the password' }
          : { field: 'password', message: PROBLEM_TEXT[p] },
      ),
    });
    this.name = 'PasswordRefused';
    this.problems = problems;
  }
}

const PROBLEM_TEXT: Readonly<Record<Exclude<PasswordProblem, 'mismatch'>, string>> = {
  too_short: 'must be at least 12 characters',
  too_long: 'must be at most 256 characters',
  common: 'is too common',
};

/**
 * Set a password through a set-password link: the rules of password-policy.ts, then in one
 * transaction the link is used (exactly once, even when two submissions race), the hash stored,
 * lock-out cleared, every session of the person ended (a reset signs out everywhere) and the
 * change audited. Returns the person so the door can sign them in.
 */
export async function setPasswordWithLink(
  deps: ServiceDeps,
  actor: Actor,
  input: SetPasswordInput,
): Promise<StaffUser> {
  const link = await readSetPasswordLink(deps, actor, { token: input.token });
  const problems = checkNewPassword(input.password, input.confirmation);
  if (problems.length > 0) throw new PasswordRefused(problems);
  const passwordHash = await deps.passwords.hash(input.password);
  return withTransaction(deps.db, async (trx) => {
    if (!(await markPasswordTokenUsed(trx, link.token.id, deps.clock.now())))
      throw new AppError('link_gone', 'This link no longer works.');
    const user = await updateStaffUser(trx, link.user.clinicId, link.user.id, { passwordHash });
    if (user === undefined) throw new AppError('link_gone', 'This link no longer works.');
    await resetFailedLogins(trx, user.id);
    await deleteStaffSessionsForUser(trx, user.id);
    await recordAudit(
      trx,
      deps.clock,
      { ...auditActorOf(actor), clinicId: user.clinicId },
      {
        action: 'staff.password.set',
        subjectType: 'staff_user',
        subjectId: user.id,
        details: { via: link.token.purpose },
      },
    );
    return user;
  });
}
