import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../services/errors.ts';
import { safeEqual } from '../../services/secrets.ts';
import { authenticateApiToken, authenticateStaffSession } from '../../services/staff-auth.ts';
import type { Access, AppDeps, Principal } from '../deps.ts';

/**
 * Authentication and coarse authorisation for every route (docs/decisions/0200-cookie-csrf-and-tokens.md).
 * Runs on `onRequest`, before the body is read, so an anonymous caller learns nothing about
 * a route's input. Who a credential names is the services' answer (staff-auth.ts); finer
 * checks (same clinic, same session) are made by the services.
 */
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionCookieName(secure: boolean): string {
  // `__Host-` binds the cookie to this host, https and path / (ASVS 3.4.4); it needs Secure.
  return secure ? '__Host-needlecare_session' : 'needlecare_session';
}

const SESSION_COOKIE = { path: '/', httpOnly: true, sameSite: 'lax' } as const;

/** Hand the browser its session cookie after a sign-in (API and dashboard alike). */
export function setSessionCookie(
  deps: AppDeps,
  reply: FastifyReply,
  session: { readonly sessionToken: string; readonly expiresAt: Date },
): void {
  reply.setCookie(sessionCookieName(deps.config.cookieSecure), session.sessionToken, {
    ...SESSION_COOKIE,
    secure: deps.config.cookieSecure,
    expires: session.expiresAt,
  });
}

/** Drop the session cookie after a sign-out. */
export function clearSessionCookie(deps: AppDeps, reply: FastifyReply): void {
  reply.clearCookie(sessionCookieName(deps.config.cookieSecure), {
    ...SESSION_COOKIE,
    secure: deps.config.cookieSecure,
  });
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
  return authenticateApiToken(deps, { token: match[1] });
}

async function authenticateCookie(
  deps: AppDeps,
  request: FastifyRequest,
  cookie: string,
): Promise<Principal> {
  const principal = await authenticateStaffSession(deps, {
    cookie,
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
