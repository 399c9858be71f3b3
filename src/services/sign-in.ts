import type { FromSchema } from 'json-schema-to-ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import {
  deleteStaffSession,
  findStaffByEmail,
  insertStaffSession,
  recordFailedLogin,
  resetFailedLogins,
  type StaffUser,
} from '../store/staff.repository.ts';
import { type Actor, requireStaff } from './actors.ts';
import { type AuditActor, auditActorOf, recordAudit } from './audit.ts';
import { MINUTE_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { PASSWORD_MAX_LENGTH } from './passwords.ts';
import { randomSecret, sha256Hex } from './secrets.ts';
import { sessionExpiry } from './staff-auth.ts';

/** What a sign-in sends, behind every door. */
export const signInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX_LENGTH },
  },
} as const;

export type SignInInput = FromSchema<typeof signInSchema>;

export interface SignInResult {
  readonly user: StaffUser;
  /** Undefined only if the clinic vanished between the two reads. */
  readonly clinic: Clinic | undefined;
  /** The cookie value: shown to the browser once, stored only as its sha256. */
  readonly sessionToken: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

const BAD_CREDENTIALS = 'The e-mail address or password is wrong.';

/**
 * Sign a staff user in (docs/decisions/0200-cookie-csrf-and-tokens.md). Limits: attempts per
 * client IP (in memory), and per account `maxFailures` wrong passwords in a row lock it for
 * `lockMinutes` (in the database, so every app server sees it). Unknown e-mails cost the same
 * Argon2 time as known ones. Every outcome is audited, without the e-mail or password.
 */
export async function signIn(
  deps: ServiceDeps,
  actor: Actor,
  input: SignInInput,
): Promise<SignInResult> {
  const { db, clock, config, passwords, signInLimiter } = deps;
  const who = auditActorOf(actor);
  const ipLimit = signInLimiter.hit(actor.ip);
  if (!ipLimit.allowed) {
    await recordAudit(db, clock, who, {
      action: 'auth.sign_in.rate_limited',
      subjectType: 'staff_user',
      subjectId: null,
    });
    throw new AppError(
      'too_many_requests',
      'Too many sign-in attempts from this address. Try again later.',
      { retryAfter: ipLimit.retryAfterSeconds },
    );
  }

  const now = clock.now();
  const user = await findStaffByEmail(db, input.email);
  if (user === undefined || !user.active) {
    await passwords.verifyDummy(input.password);
    await recordAudit(db, clock, claiming(who, user), {
      action: 'auth.sign_in.failed',
      subjectType: 'staff_user',
      subjectId: user?.id ?? null,
      details: { reason: user === undefined ? 'unknown_account' : 'inactive_account' },
    });
    throw new AppError('unauthenticated', BAD_CREDENTIALS);
  }

  if (user.lockedUntil !== null && Date.parse(user.lockedUntil) > now.getTime()) {
    await auditFailure(deps, claiming(who, user), user, 'locked');
    throw lockedError(user.lockedUntil, now);
  }

  if (!(await passwords.verify(user.passwordHash, input.password))) {
    const lockUntil = new Date(now.getTime() + config.signIn.lockMinutes * MINUTE_MS);
    const after = await recordFailedLogin(db, user.id, {
      maxFailures: config.signIn.maxFailures,
      lockUntil,
    });
    await auditFailure(deps, claiming(who, user), user, 'wrong_password', after.failedLogins);
    if (after.lockedUntil !== null && Date.parse(after.lockedUntil) > now.getTime()) {
      throw lockedError(after.lockedUntil, now);
    }
    throw new AppError('unauthenticated', BAD_CREDENTIALS);
  }

  // A suspended clinic's people cannot sign in; told only once the password proved who they are.
  const clinicOfUser = await findClinic(db, user.clinicId);
  if (clinicOfUser !== undefined && clinicOfUser.suspendedAt !== null) {
    await auditFailure(deps, claiming(who, user), user, 'clinic_suspended');
    throw new AppError(
      'forbidden',
      'Your clinic is suspended. Contact whoever hosts Needlecare for it.',
    );
  }

  // A fresh token on every sign-in (ASVS 3.2.1): 256 random bits, only its hash stored.
  const sessionToken = randomSecret();
  const csrfToken = randomSecret();
  const expiresAt = sessionExpiry(config, now.toISOString(), now);
  await withTransaction(db, async (trx) => {
    await resetFailedLogins(trx, user.id);
    await insertStaffSession(trx, {
      idHash: sha256Hex(sessionToken),
      userId: user.id,
      clinicId: user.clinicId,
      csrfToken,
      createdAt: now,
      expiresAt,
    });
    await recordAudit(
      trx,
      clock,
      { ...claiming(who, user), actorType: 'staff' },
      { action: 'auth.sign_in', subjectType: 'staff_user', subjectId: user.id },
    );
  });
  const clinic = await findClinic(db, user.clinicId);
  return { user, clinic, sessionToken, csrfToken, expiresAt };
}

/** End the caller's own session (the one `sessionHash` names). */
export async function signOut(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly sessionHash: string },
): Promise<void> {
  requireStaff(actor);
  await withTransaction(deps.db, async (trx) => {
    await deleteStaffSession(trx, input.sessionHash);
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'auth.sign_out',
      subjectType: 'staff_user',
      subjectId: actor.userId,
    });
  });
}

/** The anonymous caller, naming the account they tried (the audit's "who claimed to be"). */
function claiming(who: AuditActor, user: StaffUser | undefined): AuditActor {
  return { ...who, clinicId: user?.clinicId ?? null, actorId: user?.id ?? null };
}

async function auditFailure(
  deps: ServiceDeps,
  who: AuditActor,
  user: StaffUser,
  reason: string,
  failedLogins?: number,
): Promise<void> {
  await recordAudit(deps.db, deps.clock, who, {
    action: 'auth.sign_in.failed',
    subjectType: 'staff_user',
    subjectId: user.id,
    details: { reason, ...(failedLogins === undefined ? {} : { failedLogins }) },
  });
}

function lockedError(lockedUntil: string, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((Date.parse(lockedUntil) - now.getTime()) / 1000));
  return new AppError(
    'too_many_requests',
    'Too many wrong passwords: this account is locked for a while.',
    { retryAfter: seconds },
  );
}
