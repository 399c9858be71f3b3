import { readFileSync } from 'node:fs';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONTENT_POLICIES, usePagePolicy } from '../../api/security-headers.ts';
import { LOCALES } from '../../clinical/types.ts';
import { AppError } from '../../services/errors.ts';
import { isDatabaseUnavailable } from '../../store/db-errors.ts';
import { localeOf, registerDashboardAccess, sendPage } from './context.ts';
import { registerDashboardErrorPage } from './error-page.ts';
import { messagePage, type PageContext } from './layout.ts';
import { databaseUnavailablePage } from './pages/dead-letters.page.ts';
import { dashboardAccountRoutes } from './routes/account.routes.ts';
import { dashboardAlertBurdenRoutes } from './routes/alert-burden.routes.ts';
import { dashboardAlertRoutes } from './routes/alerts.routes.ts';
import { dashboardAuthRoutes } from './routes/auth.routes.ts';
import { dashboardClinicRoutes } from './routes/clinic.routes.ts';
import { dashboardDeadLetterRoutes } from './routes/dead-letters.routes.ts';
import { dashboardPatientRecordRoutes } from './routes/patient-records.routes.ts';
import { dashboardPatientRoutes } from './routes/patients.routes.ts';
import { dashboardRegisterRoutes } from './routes/register.routes.ts';
import { dashboardSessionRoutes } from './routes/sessions.routes.ts';
import { setPasswordRoutes } from './routes/set-password.routes.ts';
import { setupRoutes } from './routes/setup.routes.ts';

export interface DashboardOptions {
  /** How often the live-update stream polls the database for alert changes (default 2 s). */
  readonly pollMs?: number;
}

/**
 * Pages may load only our own script, style and images; no inline script or style at all
 * (docs/decisions/0400-dashboard-server-rendered.md). Inline SVG uses presentation attributes.
 * The policy lives with the others in src/api/security-headers.ts.
 */
export const DASHBOARD_CSP = CONTENT_POLICIES.dashboard.csp;

/** A Map, not an object: `constructor`, `__proto__` or `toString` must find nothing (404). */
const STATIC: ReadonlyMap<string, { body: Buffer; type: string }> = new Map([
  [
    'dashboard.css',
    {
      body: readFileSync(new URL('./static/dashboard.css', import.meta.url)),
      type: 'text/css; charset=utf-8',
    },
  ],
  [
    'dashboard.js',
    {
      body: readFileSync(new URL('./static/dashboard.js', import.meta.url)),
      type: 'text/javascript; charset=utf-8',
    },
  ],
]);

/**
 * The practitioner dashboard: server-rendered pages under the prefix it is registered with
 * (`/app`). Registered by the composition root after the API (it needs `app.deps`, the cookie
 * plugin and the API's error handling):
 * `await app.register(dashboardPlugin, { prefix: '/app' })`.
 */
export async function dashboardPlugin(
  app: FastifyInstance,
  options: DashboardOptions = {},
): Promise<void> {
  await setUpPages(app);

  app.get<{ Params: { file: string } }>(
    '/static/:file',
    { config: { access: 'public' } },
    async (request, reply) => {
      const file = STATIC.get(request.params.file);
      if (file === undefined)
        return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
      return reply.type(file.type).header('cache-control', 'no-cache').send(file.body);
    },
  );

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const ctx: PageContext = {
      locale: localeOf(request, reply, null, app.deps.config.cookieSecure),
      staff: null,
      clinicName: '',
      path: '/app',
      languages: LOCALES,
      openEmergencies: 0,
    };
    return sendPage(reply, 404, messagePage(ctx, 'notFoundTitle', 'notFoundText'));
  });

  await app.register(dashboardAuthRoutes);
  await app.register(dashboardAccountRoutes);
  await app.register(dashboardAlertRoutes, { pollMs: options.pollMs ?? 2000 });
  await app.register(dashboardSessionRoutes);
  await app.register(dashboardPatientRoutes);
  await app.register(dashboardPatientRecordRoutes);
  await app.register(dashboardClinicRoutes);
  await app.register(dashboardRegisterRoutes);
  await app.register(dashboardAlertBurdenRoutes);
  await app.register(dashboardDeadLetterRoutes);
}

/**
 * The dashboard at `/app`, in the shape `buildApp({ plugins: [...] })` takes:
 * `buildApp({ ..., plugins: [patientPagesPlugin, registerDashboard] })`.
 */
export async function registerDashboard(app: FastifyInstance): Promise<void> {
  await app.register(dashboardPlugin, { prefix: '/app' });
  await app.register(accountPagesPlugin);
}

/**
 * Pages a person reaches from a link in an e-mail, outside `/app` because the link is part of
 * what the product sends (services/urls.ts): `/set-password/:token`. Same chrome, policy and
 * error pages as the dashboard; also the first-run `/setup/:token` page `serve` prints.
 */
export async function accountPagesPlugin(app: FastifyInstance): Promise<void> {
  await setUpPages(app);
  await app.register(setPasswordRoutes);
  await app.register(setupRoutes);
}

/** What every dashboard-styled page scope needs: form bodies, the access hook, CSP, HTML errors. */
async function setUpPages(app: FastifyInstance): Promise<void> {
  // HTML pages are not part of the REST API: keep them out of the OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  registerDashboardAccess(app);
  // Errors raised before a dashboard route runs answer a page too (issue 12, finding 5).
  registerDashboardErrorPage(app);

  // Pages hold patient data (and the result page a one-time link): the root hook makes them
  // `no-store`; the static files choose their own caching.
  usePagePolicy(app, 'dashboard');

  // Errors on pages answer pages, not problem+json.
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // A service's AppError carries its status; Fastify's own errors carry `statusCode`.
    const code = error instanceof AppError ? error.status : error.statusCode;
    const status = typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
    if (status >= 500 && !isDatabaseUnavailable(error))
      request.log.error({ err: error }, 'dashboard request failed');
    const ctx: PageContext = request.dash?.page ?? {
      locale: localeOf(request, reply, null, app.deps.config.cookieSecure),
      staff: null,
      clinicName: '',
      path: '/app',
      languages: LOCALES,
      openEmergencies: 0,
    };
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'dashboard: database unavailable');
      return sendPage(reply.header('retry-after', '5'), 503, databaseUnavailablePage(ctx));
    }
    if (status === 404)
      return sendPage(reply, 404, messagePage(ctx, 'notFoundTitle', 'notFoundText'));
    return sendPage(
      reply,
      status,
      messagePage(
        ctx,
        status >= 500 ? 'serverErrorTitle' : 'badRequestTitle',
        status >= 500 ? 'serverErrorText' : 'badRequestText',
      ),
    );
  });
}
