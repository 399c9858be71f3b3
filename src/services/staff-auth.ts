import { findApiTokenByHash, touchApiToken } from '../store/api-tokens.repository.ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import {
  findStaffById,
  findStaffSession,
  findStaffSessionWithClinic,
  type StaffRole,
  type StaffSession,
  type StaffUser,
  touchStaffSession,
} from '../store/staff.repository.ts';
import { HOUR_MS, MINUTE_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { sha256Hex } from './secrets.ts';

/**
 * Who a staff session cookie or an API token says the caller is
 * (docs/decisions/0200-cookie-csrf-and-tokens.md). Both doors (the API's auth hook, the
 * dashboard's access hook) call these; how the credential travels (header, cookie, form
 * field) and what a refusal looks like stays with the door.
 */

/** A signed-in person, as their session cookie identifies them. */
export interface StaffPrincipal {
  readonly kind: 'staff';
  readonly userId: string;
  readonly clinicId: string;
  readonly role: StaffRole;
  /** sha256 of the session cookie: identifies the session without being it. */
  readonly sessionHash: string;
  readonly csrfToken: string;
  readonly sessionExpiresAt: string;
}

/** A clinic's API token. */
export interface TokenPrincipal {
  readonly kind: 'api_token';
  readonly tokenId: string;
  readonly clinicId: string;
}

/** A staff session with the signed-in person's display name (the pages greet them). */
export type StaffSessionPrincipal = StaffPrincipal & { readonly displayName: string };

/** Write `last_seen_at` at most this often per session or token. */
const TOUCH_EVERY_MS = MINUTE_MS;

/** When a staff session ends: idle timeout slides, the absolute lifetime does not (ASVS 3.3.2). */
export function sessionExpiry(
  config: Pick<ServiceDeps['config'], 'sessionTtlHours' | 'sessionIdleMinutes'>,
  createdAt: string,
  now: Date,
): Date {
  const absolute = Date.parse(createdAt) + config.sessionTtlHours * HOUR_MS;
  const idle = now.getTime() + config.sessionIdleMinutes * MINUTE_MS;
  return new Date(Math.min(absolute, idle));
}

/** What `authenticateStaffSession` takes. */
export interface StaffSessionInput {
  readonly cookie: string;
  readonly touch?: boolean;
  readonly check?: (csrfToken: string) => void;
}

/**
 * The staff session a session cookie opens, or undefined (unknown, expired, or the user
 * deactivated). `check` runs before the idle timeout slides (a CSRF check: a refused request
 * must not keep a session alive); `touch: false` never slides it (the live-update stream).
 */
export async function authenticateStaffSession(
  deps: ServiceDeps,
  input: StaffSessionInput,
): Promise<StaffSessionPrincipal | undefined> {
  const now = deps.clock.now();
  const sessionHash = sha256Hex(input.cookie);
  const session = await findStaffSession(deps.db, sessionHash, now);
  return session && principalOf(deps, input, { now, sessionHash, session });
}

/**
 * `authenticateStaffSession` and the signed-in user's clinic, read in the same statement: the
 * dashboard's pages (decision 1457).
 */
export async function authenticateStaffSessionWithClinic(
  deps: ServiceDeps,
  input: StaffSessionInput,
): Promise<{ readonly principal: StaffSessionPrincipal; readonly clinic: Clinic } | undefined> {
  const now = deps.clock.now();
  const sessionHash = sha256Hex(input.cookie);
  const session = await findStaffSessionWithClinic(deps.db, sessionHash, now);
  if (session === undefined) return undefined;
  const principal = await principalOf(deps, input, { now, sessionHash, session });
  return { principal, clinic: session.clinic };
}

async function principalOf(
  deps: ServiceDeps,
  input: StaffSessionInput,
  found: {
    readonly now: Date;
    readonly sessionHash: string;
    readonly session: StaffSession & { readonly user: StaffUser };
  },
): Promise<StaffSessionPrincipal> {
  const { now, sessionHash, session } = found;
  input.check?.(session.csrfToken);
  let expiresAt = session.expiresAt;
  if ((input.touch ?? true) && now.getTime() - Date.parse(session.lastSeenAt) > TOUCH_EVERY_MS) {
    const next = sessionExpiry(deps.config, session.createdAt, now);
    await touchStaffSession(deps.db, sessionHash, { lastSeenAt: now, expiresAt: next });
    expiresAt = next.toISOString();
  }
  return {
    kind: 'staff',
    userId: session.user.id,
    clinicId: session.user.clinicId,
    role: session.user.role,
    sessionHash,
    csrfToken: session.csrfToken,
    sessionExpiresAt: expiresAt,
    displayName: session.user.displayName,
  };
}

/** The clinic API token a bearer secret is, or `unauthenticated`. Notes its last use. */
export async function authenticateApiToken(
  deps: ServiceDeps,
  input: { readonly token: string },
): Promise<TokenPrincipal> {
  const token = await findApiTokenByHash(deps.db, sha256Hex(input.token));
  if (token === undefined || token.revokedAt !== null) {
    throw new AppError('unauthenticated', 'The API token is unknown or revoked.');
  }
  const now = deps.clock.now();
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) {
    throw new AppError(
      'unauthenticated',
      `The API token expired at ${token.expiresAt}. Ask a clinic admin for a new one.`,
    );
  }
  // Belt and braces: deactivation revokes a person's tokens; a token whose maker is inactive,
  // or whose clinic is suspended, opens nothing even if it was missed.
  const maker =
    token.createdBy === null ? undefined : await findStaffById(deps.db, token.createdBy);
  const clinic = await findClinic(deps.db, token.clinicId);
  if (
    (maker !== undefined && !maker.active) ||
    clinic === undefined ||
    clinic.suspendedAt !== null
  ) {
    throw new AppError('unauthenticated', 'The API token is unknown or revoked.');
  }
  if (token.lastUsedAt === null || now.getTime() - Date.parse(token.lastUsedAt) > TOUCH_EVERY_MS) {
    await touchApiToken(deps.db, token.id, now);
  }
  return { kind: 'api_token', tokenId: token.id, clinicId: token.clinicId };
}
