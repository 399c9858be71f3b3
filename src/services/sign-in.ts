import type { FromSchema } from 'json-schema-to-ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import {
  deleteStaffSession,
  insertStaffSession,
  listStaffByEmail,
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
    clinicId: {
      type: 'string',
      format: 'uuid',
      description:
        'Only when the address and password open accounts in more than one clinic: which one (the 409 lists them).',
    },
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

/** At most this many accounts are tried for one address (each costs an Argon2 verification). */
const MAX_ACCOUNTS_PER_ADDRESS = 10;

/**
 * The address and password open accounts in more than one clinic: the caller must say which
 * (decision 1331). Only someone who proved the password for each may learn these clinics.
 */
export class ClinicChoiceNeeded extends AppError {
  readonly clinics: readonly { readonly id: string; readonly name: string }[];

  constructor(clinics: readonly { readonly id: string; readonly name: string }[]) {
    super(
      'conflict',
      `This address and password open accounts in more than one clinic; send clinicId, one of: ${clinics
        .map((c) => `${c.id} (${c.name})`)
        .join(', ')}.`,
      { errors: [{ field: 'clinicId', message: 'choose the clinic to sign in to' }] },
    );
    this.clinics = clinics;
  }
}

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
  // One address may have an account in several clinics (decision 1331): the password picks
  // the account; `clinicId` narrows the choice when the same password opens more than one.
  const accounts = (await listStaffByEmail(db, input.email)).filter(
    (a) => input.clinicId === undefined || a.clinicId === input.clinicId,
  );
  const live = accounts.filter((a) => a.active).slice(0, MAX_ACCOUNTS_PER_ADDRESS);
  if (live.length === 0) {
    const user = accounts[0];
    await passwords.verifyDummy(input.password);
    await recordAudit(db, clock, claiming(who, user), {
      action: 'auth.sign_in.failed',
      subjectType: 'staff_user',
      subjectId: user?.id ?? null,
      details: { reason: user === undefined ? 'unknown_account' : 'inactive_account' },
    });
    throw new AppError('unauthenticated', BAD_CREDENTIALS);
  }

  const isLocked = (u: StaffUser) =>
    u.lockedUntil !== null && Date.parse(u.lockedUntil) > now.getTime();
  const unlocked = live.filter((u) => !isLocked(u));
  if (unlocked.length === 0) {
    for (const u of live) await auditFailure(deps, claiming(who, u), u, 'locked');
    throw lockedError(earliest(live.map((u) => u.lockedUntil ?? '')), now);
  }

  const matches: StaffUser[] = [];
  for (const candidate of unlocked) {
    if (await passwords.verify(candidate.passwordHash, input.password)) matches.push(candidate);
  }
  if (matches.length === 0) {
    const lockUntil = new Date(now.getTime() + config.signIn.lockMinutes * MINUTE_MS);
    const lockedNow: string[] = [];
    for (const candidate of unlocked) {
      const after = await recordFailedLogin(db, candidate.id, {
        maxFailures: config.signIn.maxFailures,
        lockUntil,
      });
      await auditFailure(
        deps,
        claiming(who, candidate),
        candidate,
        'wrong_password',
        after.failedLogins,
      );
      if (after.lockedUntil !== null && Date.parse(after.lockedUntil) > now.getTime())
        lockedNow.push(after.lockedUntil);
    }
    // Locked out only when no account of this address is left to try.
    if (lockedNow.length === unlocked.length && unlocked.length === live.length)
      throw lockedError(earliest(lockedNow), now);
    throw new AppError('unauthenticated', BAD_CREDENTIALS);
  }
  if (matches.length > 1) {
    const clinics = [];
    for (const m of matches) {
      await auditFailure(deps, claiming(who, m), m, 'clinic_choice_needed');
      clinics.push({ id: m.clinicId, name: (await findClinic(db, m.clinicId))?.name ?? '' });
    }
    throw new ClinicChoiceNeeded(clinics.sort((a, b) => a.name.localeCompare(b.name)));
  }
  const user = matches[0] as StaffUser;

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

function earliest(instants: readonly string[]): string {
  return [...instants].sort()[0] ?? '';
}

function lockedError(lockedUntil: string, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((Date.parse(lockedUntil) - now.getTime()) / 1000));
  return new AppError(
    'too_many_requests',
    'Too many wrong passwords: this account is locked for a while.',
    { retryAfter: seconds },
  );
}
