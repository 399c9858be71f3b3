import { findClinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { listStaffByEmail, normalizeEmail } from '../store/staff.repository.ts';
import type { Actor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import { type Clock, HOUR_MS, MINUTE_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { createRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { sha256Hex } from './secrets.ts';
import { NO_PASSWORD } from './set-password.ts';
import { sendPasswordLink } from './staff.ts';

/**
 * "Forgot password" (issue 11; docs/decisions/1321-forgot-password.md): the person gives an
 * address; whether or not it names an account, the answer is the same and takes at least
 * `RESET_ANSWER_FLOOR_MS`. If it names an active account (that has chosen a password) of an
 * active clinic, a 1-hour single-use reset link goes out by e-mail through the outbox
 * (`password-reset.email`); using it goes through the set-password page, which ends every
 * session of the person.
 */

/** Per client IP: 10 requests in 15 minutes, then 429. */
export const RESET_PER_IP = { max: 10, windowMs: 15 * MINUTE_MS } as const;
/** Per address: 3 e-mails an hour; more requests get the same answer and send nothing. */
export const RESET_PER_ADDRESS = { max: 3, windowMs: HOUR_MS } as const;
/** Every answer takes at least this long, so timing does not tell a known address from another. */
export const RESET_ANSWER_FLOOR_MS = 250;

export interface PasswordResetLimits {
  readonly perIp: RateLimiter;
  readonly perAddress: RateLimiter;
}

/** The limiters a composition root builds once (in memory, like the sign-in limiter). */
export function createPasswordResetLimits(clock: Clock): PasswordResetLimits {
  return {
    perIp: createRateLimiter(clock, RESET_PER_IP.max, RESET_PER_IP.windowMs),
    perAddress: createRateLimiter(clock, RESET_PER_ADDRESS.max, RESET_PER_ADDRESS.windowMs),
  };
}

const EMAIL = /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/;

/** True when `email` looks like an address (the form asks again otherwise; that tells nothing). */
export function isEmailAddress(email: string): boolean {
  const e = email.trim();
  return e.length <= 254 && EMAIL.test(e);
}

/**
 * Ask for a reset link. Resolves the same way whether or not the address is known (the only
 * refusals are a malformed address and too many requests from one IP, neither of which
 * depends on the address existing). Audited: `auth.password_reset.requested` with how many
 * links went out (never the address), `auth.password_reset.rate_limited`, and per link
 * `staff.password.reset_requested`.
 */
export async function requestPasswordReset(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly email: string },
): Promise<void> {
  const started = performance.now();
  try {
    await requestInner(deps, actor, input.email);
  } finally {
    const left = started + RESET_ANSWER_FLOOR_MS - performance.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
}

async function requestInner(deps: ServiceDeps, actor: Actor, email: string): Promise<void> {
  if (!isEmailAddress(email))
    throw new AppError('validation_failed', 'email is not an e-mail address', {
      errors: [{ field: 'email', message: 'is not an e-mail address' }],
    });
  const who = auditActorOf(actor);
  const ip = deps.passwordResetLimits.perIp.hit(actor.ip);
  if (!ip.allowed) {
    await recordAudit(deps.db, deps.clock, who, {
      action: 'auth.password_reset.rate_limited',
      subjectType: 'staff_user',
      subjectId: null,
      details: { scope: 'ip' },
    });
    throw new AppError('too_many_requests', 'Too many requests from this address.', {
      retryAfter: ip.retryAfterSeconds,
    });
  }
  const address = normalizeEmail(email);
  if (!deps.passwordResetLimits.perAddress.hit(sha256Hex(address)).allowed) {
    await recordAudit(deps.db, deps.clock, who, {
      action: 'auth.password_reset.rate_limited',
      subjectType: 'staff_user',
      subjectId: null,
      details: { scope: 'address' },
    });
    return;
  }
  let sent = 0;
  for (const user of await listStaffByEmail(deps.db, address)) {
    // A pending or withdrawn invitation is not reopened by a reset: the admin re-sends it.
    if (!user.active || user.passwordHash === NO_PASSWORD) continue;
    const clinic = await findClinic(deps.db, user.clinicId);
    if (clinic === undefined || clinic.suspendedAt !== null) continue;
    await withTransaction(deps.db, (trx) =>
      sendPasswordLink(deps, trx, actor, {
        user,
        clinic,
        purpose: 'reset',
        language: user.language ?? clinic.defaultLanguage,
      }),
    );
    sent += 1;
  }
  await recordAudit(deps.db, deps.clock, who, {
    action: 'auth.password_reset.requested',
    subjectType: 'staff_user',
    subjectId: null,
    details: { linksSent: sent },
  });
}
