import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../api/audit.ts';
import { LOCALES, type Locale } from '../../clinical/types.ts';
import { isLocale, negotiateLocale } from '../../i18n/catalogue.ts';
import { countOpenAlerts } from '../../services/alerts.ts';
import { countUndeliveredMessages } from '../../services/dead-letters.ts';
import type { Clinic } from '../../store/clinics.repository.ts';
import { pageChunks, type SafeHtml } from '../shared/html.ts';
import { messagePage, type PageContext } from './layout.ts';
import { type DashboardStaff, formCsrfValid, loadStaff } from './session-auth.ts';

/**
 * Who may open a dashboard route, declared as `config: { access: 'public', dashboard }` (the
 * API's auth hook stands aside; this plugin's hook decides):
 * - `anonymous`: sign-in page and static files;
 * - `staff`: a signed-in practitioner or admin; anonymous GETs are sent to the sign-in page;
 * - `admin`: a signed-in clinic admin; others get 403;
 * - `stream`: like `staff` but answers 401 instead of redirecting and does not slide the
 *   session's idle timeout (scripts, not people, call it).
 * Unsafe methods on `staff`/`admin` routes need the `_csrf` form field.
 */
export type DashboardAccess = 'anonymous' | 'staff' | 'admin' | 'stream';

export interface DashboardRequestState {
  readonly staff: DashboardStaff | null;
  readonly clinic: Clinic | null;
  readonly page: PageContext;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    dashboard?: DashboardAccess;
    /**
     * The page shows the open-alert counts from its own read (the queue): the access hook
     * leaves them out of the page's frame (decision 1457).
     */
    pageCounts?: true;
  }
  interface FastifyRequest {
    /** Set by the dashboard hook on every dashboard route. */
    dash: DashboardRequestState | null;
  }
}

export const LANG_COOKIE = 'needlecare_lang';

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '/app';
}

/** The query of a GET (a POST's answer has no query worth keeping). */
function queryOf(request: FastifyRequest): string {
  if (request.method !== 'GET') return '';
  const i = request.url.indexOf('?');
  return i < 0 ? '' : request.url.slice(i + 1);
}

/**
 * Remember a language for the dashboard (the language switch, a person's own setting at
 * sign-in and on the account page): the same cookie `localeOf` reads.
 */
export function rememberLanguage(reply: FastifyReply, locale: Locale, secure: boolean): void {
  reply.setCookie(LANG_COOKIE, locale, {
    path: '/app',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: 365 * 86_400,
  });
}

/** The page language: `?lang=` (remembered in a cookie), the cookie, the browser, the clinic. */
export function localeOf(
  request: FastifyRequest,
  reply: FastifyReply,
  clinic: Clinic | null,
  secure: boolean,
): Locale {
  const query = request.query as Record<string, unknown> | undefined;
  const asked = query?.lang;
  if (isLocale(asked)) rememberLanguage(reply, asked, secure);
  const explicit = isLocale(asked) ? asked : request.cookies[LANG_COOKIE];
  return negotiateLocale({
    explicit,
    acceptLanguage: request.headers['accept-language'],
    // Staff pages come in every language the dashboard has; the clinic's list is for patients.
    offered: LOCALES,
    fallback: clinic?.defaultLanguage ?? 'en',
  });
}

export function stateOf(request: FastifyRequest): DashboardRequestState {
  if (request.dash === null)
    throw new Error('dashboard state missing: route lacks config.dashboard');
  return request.dash;
}

/** The signed-in staff user of a `staff`/`admin` route (the hook guarantees one). */
export function staffOf(request: FastifyRequest): {
  staff: DashboardStaff;
  clinic: Clinic;
  page: PageContext;
} {
  const s = stateOf(request);
  if (s.staff === null || s.clinic === null)
    throw new Error('dashboard route without a signed-in user');
  return { staff: s.staff, clinic: s.clinic, page: s.page };
}

/**
 * A page, as its bytes: a page made in parts (the alert queue's cards, `inParts`) goes as those
 * parts, one after another, with the length of the whole (decision 1458).
 */
export function sendPage(
  reply: FastifyReply,
  status: number,
  body: string | SafeHtml,
): FastifyReply {
  reply.status(status).type('text/html; charset=utf-8');
  const chunks = pageChunks(body);
  if (chunks.length === 1) return reply.send(chunks[0]);
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  return reply.header('content-length', length).send(Readable.from(chunks, { objectMode: false }));
}

/** Register the dashboard's access hook in its (encapsulated) plugin. */
export function registerDashboardAccess(app: FastifyInstance): void {
  app.decorateRequest('dash', null);
  const { deps } = app;
  app.addHook('preHandler', async (request, reply) => {
    const config = request.routeOptions.config;
    const access = config.dashboard;
    if (access === undefined) return;
    const secure = deps.config.cookieSecure;
    if (access === 'anonymous') {
      const locale = localeOf(request, reply, null, secure);
      request.dash = {
        staff: null,
        clinic: null,
        page: {
          locale,
          staff: null,
          clinicName: '',
          path: pathOf(request),
          languages: LOCALES,
          openEmergencies: 0,
        },
      };
      return;
    }
    const signedIn = await loadStaff(deps, request, access !== 'stream');
    if (signedIn === null) {
      if (access === 'stream')
        return reply.status(401).type('text/plain; charset=utf-8').send('Sign in again.');
      if (request.method !== 'GET') return reply.redirect('/app/sign-in', 303);
      return reply.redirect(`/app/sign-in?next=${encodeURIComponent(request.url)}`, 303);
    }
    const { staff, clinic } = signedIn;
    // The API's helpers (requestActor) read the principal from the request.
    request.principal = staff;
    const quiet = access === 'stream';
    // The rest of the page's frame, sent together (decision 1452); the clinic came with the
    // session (decision 1457). A page that reads the open alerts itself (the queue) shows its
    // own counts, and the frame does not read them again.
    const [open, deadLetters] = await Promise.all([
      quiet || config.pageCounts === true
        ? { emergencies: 0, urgentOrEmergency: 0 }
        : countOpenAlerts(deps, requestActor(request)),
      // Admins see how many messages gave up (issue 16), on every page's navigation.
      quiet || staff.role !== 'admin' ? 0 : countUndeliveredMessages(deps, requestActor(request)),
    ]);
    const locale = localeOf(request, reply, clinic, secure);
    const page: PageContext = {
      locale,
      staff,
      clinicName: clinic.name,
      path: pathOf(request),
      query: queryOf(request),
      languages: LOCALES,
      openEmergencies: open.emergencies,
      openUrgentOrEmergency: open.urgentOrEmergency,
      deadLetters,
    };
    request.dash = { staff, clinic, page };
    if (access === 'admin' && staff.role !== 'admin') {
      request.log.warn({ access }, 'dashboard admin page refused');
      return sendPage(reply, 403, messagePage(page, 'forbiddenTitle', 'forbiddenText'));
    }
    if (!['GET', 'HEAD'].includes(request.method) && !formCsrfValid(staff, request.body)) {
      request.log.warn({ code: 'csrf_failed' }, 'dashboard form refused');
      return sendPage(reply, 403, messagePage(page, 'csrfTitle', 'csrfText'));
    }
  });
}

/** A text field of a form body ('' when absent or repeated). */
export function field(body: unknown, name: string): string {
  const v =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : '';
}

/**
 * Every value of a repeated form field (checkboxes), under `name` and the array spellings other
 * clients use (`name[]`, `name[0]`): a ticked site must never be dropped for its spelling
 * (issue 12, finding 6).
 */
export function fields(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const out: string[] = [];
  for (const [key, v] of Object.entries(body as Record<string, unknown>)) {
    if (key !== name && !(key.startsWith(`${name}[`) && /^\[\d*\]$/.test(key.slice(name.length))))
      continue;
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) out.push(...v.filter((x): x is string => typeof x === 'string'));
  }
  return out;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
