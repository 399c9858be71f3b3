import type { FastifyRequest } from 'fastify';
import { withTransaction } from '../../store/db.ts';
import {
  findStaffByEmail,
  insertStaffSession,
  recordFailedLogin,
  resetFailedLogins,
  type StaffUser,
} from '../../store/staff.repository.ts';
import { anonymousActor } from '../audit.ts';
import { recordAudit } from '../../services/audit.ts';
import { MINUTE_MS } from '../../services/clock.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../../services/errors.ts';
import { randomSecret, sha256Hex } from '../../services/secrets.ts';
import { sessionExpiry } from './auth.plugin.ts';

export interface SignInResult {
  readonly user: StaffUser;
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
  deps: AppDeps,
  request: FastifyRequest,
  email: string,
  password: string,
): Promise<SignInResult> {
  const { db, clock, config, passwords, signInLimiter } = deps;
  const ipLimit = signInLimiter.hit(request.ip);
  if (!ipLimit.allowed) {
    await recordAudit(db, clock, anonymousActor(request, null), {
      action: 'auth.sign_in.rate_limited',
      subjectType: 'staff_user',
      subjectId: null,
    });
    throw new AppError(
      'too_many_requests',
      'Too many sign-in attempts from this address. Try again later.',
      {
        retryAfter: ipLimit.retryAfterSeconds,
      },
    );
  }

  const now = clock.now();
  const user = await findStaffByEmail(db, email);
  if (user === undefined || !user.active) {
    await passwords.verifyDummy(password);
    await recordAudit(
      db,
      clock,
      anonymousActor(request, user?.clinicId ?? null, user?.id ?? null),
      {
        action: 'auth.sign_in.failed',
        subjectType: 'staff_user',
        subjectId: user?.id ?? null,
        details: { reason: user === undefined ? 'unknown_account' : 'inactive_account' },
      },
    );
    throw new AppError('unauthenticated', BAD_CREDENTIALS);
  }

  if (user.lockedUntil !== null && Date.parse(user.lockedUntil) > now.getTime()) {
    await auditFailure(deps, request, user, 'locked');
    throw lockedError(user.lockedUntil, now);
  }

  if (!(await passwords.verify(user.passwordHash, password))) {
    const lockUntil = new Date(now.getTime() + config.signIn.lockMinutes * MINUTE_MS);
    const after = await recordFailedLogin(db, user.id, {
      maxFailures: config.signIn.maxFailures,
      lockUntil,
    });
    await auditFailure(deps, request, user, 'wrong_password', after.failedLogins);
    if (after.lockedUntil !== null && Date.parse(after.lockedUntil) > now.getTime()) {
      throw lockedError(after.lockedUntil, now);
    }
    throw new AppError('unauthenticated', BAD_CREDENTIALS);
  }

  // A fresh token on every sign-in (ASVS 3.2.1): 256 random bits, only its hash stored.
  const sessionToken = randomSecret();
  const csrfToken = randomSecret();
  const expiresAt = sessionExpiry(deps, now.toISOString(), now);
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
      { ...anonymousActor(request, user.clinicId, user.id), actorType: 'staff' },
      {
        action: 'auth.sign_in',
        subjectType: 'staff_user',
        subjectId: user.id,
      },
    );
  });
  return { user, sessionToken, csrfToken, expiresAt };
}

async function auditFailure(
  deps: AppDeps,
  request: FastifyRequest,
  user: StaffUser,
  reason: string,
  failedLogins?: number,
): Promise<void> {
  await recordAudit(deps.db, deps.clock, anonymousActor(request, user.clinicId, user.id), {
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
    {
      retryAfter: seconds,
    },
  );
}
