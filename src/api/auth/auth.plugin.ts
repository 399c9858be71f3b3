import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findApiTokenByHash, touchApiToken } from '../../store/api-tokens.repository.ts';
import { findStaffSession, touchStaffSession } from '../../store/staff.repository.ts';
import { HOUR_MS, MINUTE_MS } from '../../services/clock.ts';
import type { Access, AppDeps, Principal, StaffPrincipal } from '../deps.ts';
import { AppError } from '../../services/errors.ts';
import { safeEqual, sha256Hex } from '../../services/secrets.ts';

/**
 * Authentication and coarse authorisation for every route (docs/decisions/0200-cookie-csrf-and-tokens.md).
 * Runs on `onRequest`, before the body is read, so an anonymous caller learns nothing about
 * a route's input. Finer checks (same clinic, same session) are made by the queries, which
 * are always scoped by the caller's clinic.
 */
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Write `last_seen_at` at most this often per session or token. */
const TOUCH_EVERY_MS = MINUTE_MS;

export function sessionCookieName(secure: boolean): string {
  // `__Host-` binds the cookie to this host, https and path / (ASVS 3.4.4); it needs Secure.
  return secure ? '__Host-needlecare_session' : 'needlecare_session';
}

/** When a staff session ends: idle timeout slides, the absolute lifetime does not (ASVS 3.3.2). */
export function sessionExpiry(deps: AppDeps, createdAt: string, now: Date): Date {
  const absolute = Date.parse(createdAt) + deps.config.sessionTtlHours * HOUR_MS;
  const idle = now.getTime() + deps.config.sessionIdleMinutes * MINUTE_MS;
  return new Date(Math.min(absolute, idle));
}

function accessOf(request: FastifyRequest): Access | undefined {
  const declared = request.routeOptions.config.access;
  if (declared !== undefined) return declared;
  // Deny by default inside the versioned API; framework routes (docs) are public.
  return request.routeOptions.url?.startsWith('/api/v1') === true ? 'staff' : undefined;
}

async function authenticateBearer(deps: AppDeps, header: string): Promise<Principal> {
  const match = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header);
  if (match?.[1] === undefined)
    throw new AppError('unauthenticated', 'Use "Authorization: Bearer <token>".');
  const token = await findApiTokenByHash(deps.db, sha256Hex(match[1]));
  if (token === undefined || token.revokedAt !== null) {
    throw new AppError('unauthenticated', 'The API token is unknown or revoked.');
  }
  const now = deps.clock.now();
  if (token.lastUsedAt === null || now.getTime() - Date.parse(token.lastUsedAt) > TOUCH_EVERY_MS) {
    await touchApiToken(deps.db, token.id, now);
  }
  return { kind: 'api_token', tokenId: token.id, clinicId: token.clinicId };
}

/** A staff session as a principal, with the signed-in person's display name. */
export type StaffSessionPrincipal = StaffPrincipal & { readonly displayName: string };

/**
 * The staff session a session cookie opens, or undefined (unknown, expired, or the user
 * deactivated). `check` runs before the idle timeout slides (the API's CSRF check: a refused
 * request must not keep a session alive); `touch: false` never slides it (the dashboard's
 * live-update stream). Shared by the API's auth hook and the dashboard's pages.
 */
export async function loadStaffSession(
  deps: AppDeps,
  cookie: string,
  options: { readonly touch?: boolean; readonly check?: (csrfToken: string) => void } = {},
): Promise<StaffSessionPrincipal | undefined> {
  const now = deps.clock.now();
  const sessionHash = sha256Hex(cookie);
  const session = await findStaffSession(deps.db, sessionHash, now);
  if (session === undefined) return undefined;
  options.check?.(session.csrfToken);
  let expiresAt = session.expiresAt;
  if ((options.touch ?? true) && now.getTime() - Date.parse(session.lastSeenAt) > TOUCH_EVERY_MS) {
    const next = sessionExpiry(deps, session.createdAt, now);
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

async function authenticateCookie(
  deps: AppDeps,
  request: FastifyRequest,
  cookie: string,
): Promise<Principal> {
  const principal = await loadStaffSession(deps, cookie, {
    check: (csrfToken) => {
      if (SAFE_METHODS.has(request.method)) return;
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, csrfToken)) {
        throw new AppError(
          'csrf_failed',
          `Send the CSRF token from sign-in in the ${CSRF_HEADER} header.`,
        );
      }
    },
  });
  if (principal === undefined)
    throw new AppError('unauthenticated', 'Your session has ended. Please sign in again.');
  const { displayName: _displayName, ...rest } = principal;
  return rest;
}

async function authenticate(deps: AppDeps, request: FastifyRequest): Promise<Principal> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) return authenticateBearer(deps, authorization);
  const cookie = request.cookies[sessionCookieName(deps.config.cookieSecure)];
  if (cookie !== undefined && cookie !== '') return authenticateCookie(deps, request, cookie);
  throw new AppError('unauthenticated', 'Sign in, or send an API token.');
}

export function registerAuth(app: FastifyInstance): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    if (request.is404) return;
    const access = accessOf(request);
    if (access === undefined || access === 'public' || access === 'link') return;
    const principal = await authenticate(app.deps, request);
    if (access === 'admin' && !(principal.kind === 'staff' && principal.role === 'admin')) {
      request.log.warn({ access, principal: principal.kind }, 'admin route refused');
      throw new AppError('forbidden', 'Only a clinic admin may do this.');
    }
    request.principal = principal;
  });
}

/** The caller of a `staff`/`admin` route (the hook guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null)
    throw new AppError('unauthenticated', 'Sign in, or send an API token.');
  return request.principal;
}

/** The signed-in staff user (not an API token) — for routes that act as a person. */
export function staffOf(request: FastifyRequest): Extract<Principal, { kind: 'staff' }> {
  const principal = principalOf(request);
  if (principal.kind !== 'staff')
    throw new AppError('forbidden', 'Sign in as a person to do this.');
  return principal;
}
