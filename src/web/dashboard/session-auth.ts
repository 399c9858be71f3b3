import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookieName } from '../../api/auth/auth.plugin.ts';
import type { AppDeps } from '../../api/deps.ts';
import { randomSecret, safeEqual } from '../../services/secrets.ts';
import {
  authenticateStaffSessionWithClinic,
  type StaffSessionPrincipal,
} from '../../services/staff-auth.ts';
import type { Clinic } from '../../store/clinics.repository.ts';

/**
 * The dashboard's own session check. The API's auth hook answers problem+json and wants the
 * CSRF token in a header; pages must redirect to the sign-in page instead and HTML forms can
 * only send the token as a field. So dashboard routes are `access: 'public'` to that hook and
 * call these functions; who the session cookie names is the services' answer, the same the
 * API's hook gets (`authenticateStaffSession`), here with the person's clinic
 * (`authenticateStaffSessionWithClinic`).
 */

export type DashboardStaff = StaffSessionPrincipal;

/**
 * The signed-in staff user of this request and their clinic (one statement, decision 1457), or
 * null. Slides the idle timeout like the API does, unless `touch` is false (the live-update
 * stream must not keep a session alive).
 */
export async function loadStaff(
  deps: AppDeps,
  request: FastifyRequest,
  touch = true,
): Promise<{ readonly staff: DashboardStaff; readonly clinic: Clinic } | null> {
  const cookie = request.cookies[sessionCookieName(deps.config.cookieSecure)];
  if (cookie === undefined || cookie === '') return null;
  const found = await authenticateStaffSessionWithClinic(deps, { cookie, touch });
  return found === undefined ? null : { staff: found.principal, clinic: found.clinic };
}

/** Constant-time check of the `_csrf` form field against the session's token. */
export function formCsrfValid(staff: DashboardStaff, body: unknown): boolean {
  const sent =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)._csrf : undefined;
  return typeof sent === 'string' && safeEqual(sent, staff.csrfToken);
}

/**
 * Sign-in form CSRF (login CSRF): there is no session yet, so a double-submit token, a random
 * cookie echoed in a hidden field.
 */
export const SIGN_IN_CSRF_COOKIE = 'needlecare_signin_csrf';

export function issueSignInCsrf(
  deps: AppDeps,
  reply: FastifyReply,
  existing: string | undefined,
): string {
  if (existing !== undefined && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomSecret();
  reply.setCookie(SIGN_IN_CSRF_COOKIE, token, {
    path: '/app',
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.config.cookieSecure,
  });
  return token;
}

export function signInCsrfValid(request: FastifyRequest, body: unknown): boolean {
  const cookie = request.cookies[SIGN_IN_CSRF_COOKIE];
  const sent =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)._csrf : undefined;
  return (
    typeof cookie === 'string' &&
    cookie !== '' &&
    typeof sent === 'string' &&
    safeEqual(sent, cookie)
  );
}

/** A same-site path inside the dashboard to return to after sign-in; anything else → `/app`. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return '/app';
  return /^\/app(\/[A-Za-z0-9/_-]*)?(\?[A-Za-z0-9=&_%-]*)?$/.test(next) && !next.startsWith('//')
    ? next
    : '/app';
}
