import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/env.ts';
import type { Clock } from '../services/clock.ts';
import type { ServiceEvents } from '../services/events.ts';
import { createPasswordResetLimits } from '../services/password-reset.ts';
import { createPasswordHasher } from '../services/passwords.ts';
import { createPatientLimits, PATIENT_LIMITS } from '../services/patient-limits.ts';
import { createRateLimiter } from '../services/rate-limiter.ts';
import type { Db } from '../store/db.ts';
import { registerAuth, sessionCookieName } from './auth/auth.plugin.ts';
import type { AppDeps } from './deps.ts';
import { drainOnClose } from './drain.ts';
import { holdAnswersUntilDurable } from './durable-answers.ts';
import { registerErrorHandling } from './errors.ts';
import { createLogger, requestLogger } from './logger.ts';
import { adminRoutes } from './routes/admin/admin.routes.ts';
import { deadLetterRoutes } from './routes/admin/dead-letters.routes.ts';
import { adminExportRoutes } from './routes/admin/export.routes.ts';
import { alertRoutes } from './routes/alerts/alerts.routes.ts';
import { authRoutes } from './routes/auth/auth.routes.ts';
import { healthRoutes } from './routes/health/health.routes.ts';
import { patientLinkRoutes } from './routes/patient-link/patient-link.routes.ts';
import { patientRoutes } from './routes/patients/patients.routes.ts';
import { sessionRoutes } from './routes/sessions/sessions.routes.ts';
import { applySecurityHeaders, registerSecurityHeaders } from './security-headers.ts';

export interface BuildAppOptions {
  readonly config: AppConfig;
  readonly db: Db;
  readonly clock: Clock;
  /** Defaults to a pino logger at `config.logLevel` on stdout. */
  readonly logger?: Logger;
  /** Outbox producers (reminders, alert delivery) run inside the API's write transactions. */
  readonly events?: ServiceEvents;
  /**
   * More routes on the same app (patient pages, dashboard, the reminders stop link), registered
   * after the API. They inherit `app.deps`, the error handler and the auth hook; routes
   * outside `/api/v1` default to public, so declare `config: { access }` where it matters.
   */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

export const API_PREFIX = '/api/v1';

type FrameworkErrors = ReturnType<typeof registerErrorHandling>['frameworkErrors'];

/** Ajv as every route runs it: reject, never silently drop, unknown fields; never coerce a
 * body's types; list every bad field. */
export const AJV_OPTIONS = {
  removeAdditional: false,
  coerceTypes: false,
  allErrors: true,
  useDefaults: true,
} as const;

/**
 * The composition root of the HTTP API: registers plugins and routes, never listens. Tests
 * call `app.inject()`; `needlecare serve` calls `listen()`.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, db, clock } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  // Errors Fastify raises before routing go through the one handler (set once it exists).
  let frameworkErrors: FrameworkErrors | undefined;
  const app: FastifyInstance = Fastify({
    frameworkErrors: (error, request, reply) => {
      if (frameworkErrors === undefined) throw error;
      applySecurityHeaders(request, reply, config.publicUrl);
      return frameworkErrors(error, request, reply);
    },
    loggerInstance: logger as FastifyBaseLogger,
    // Our own one-line request log (below) replaces Fastify's, which would log the URL.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    childLoggerFactory: requestLogger,
    requestIdHeader: false,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    // biome-ignore lint/suspicious/noExplicitAny: Fastify's compiler types name Ajv's internals
    schemaController: { compilersFactory: lazyCompilers() as any },
    ajv: { customOptions: AJV_OPTIONS },
  });

  // Before any other hook or route: every answer waits for the log (decision 1484).
  holdAnswersUntilDurable(app, db);
  const deps: AppDeps = {
    config,
    db,
    clock,
    answersHeldUntilDurable: true,
    passwords: createPasswordHasher(config.argon2),
    signInLimiter: createRateLimiter(
      clock,
      config.signIn.perIpMax,
      config.signIn.perIpWindowMinutes * 60_000,
    ),
    passwordResetLimits: createPasswordResetLimits(clock),
    events: options.events ?? {},
  };
  app.decorate('deps', deps);
  // One counter for both doors that take patient-link POSTs (pages and JSON API).
  app.decorate(
    'patientLimits',
    createPatientLimits(clock, {
      ...PATIENT_LIMITS,
      perLink: config.patientLinks.perLinkMax,
      perIp: config.patientLinks.perIpMax,
    }),
  );

  // JSON only: Fastify's built-in text/plain parser would let a string reach a route.
  app.removeContentTypeParser('text/plain');
  frameworkErrors = registerErrorHandling(app).frameworkErrors;
  registerRequestLogging(app);
  drainOnClose(app);
  registerSecurityHeaders(app, config.publicUrl);
  await app.register(cookie);
  registerAuth(app);
  documentSecurity(app);

  await app.register(swagger, {
    // Shared schemas appear under their $id (`Problem`), not as `def-0`.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Needlecare API',
        version: '1.0.0',
        description:
          'Aftercare and symptom triage after dry needling. Errors are RFC 9457 application/problem+json.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: sessionCookieName(config.cookieSecure) },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () =>
    app.swagger(),
  );

  await app.register(healthRoutes);
  await app.register(authRoutes, { prefix: `${API_PREFIX}/auth` });
  await app.register(adminRoutes, { prefix: `${API_PREFIX}/admin` });
  await app.register(deadLetterRoutes, { prefix: `${API_PREFIX}/admin` });
  await app.register(adminExportRoutes, { prefix: `${API_PREFIX}/admin` });
  await app.register(patientRoutes, { prefix: `${API_PREFIX}/patients` });
  await app.register(sessionRoutes, { prefix: `${API_PREFIX}/sessions` });
  await app.register(patientLinkRoutes, { prefix: `${API_PREFIX}/p` });
  await app.register(alertRoutes, { prefix: `${API_PREFIX}/alerts` });
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}

type Compile = (routeSchema: unknown) => (...args: unknown[]) => unknown;
type CompilerFactory = (...args: unknown[]) => Compile;

/**
 * Fastify's own schema compilers (Ajv for requests, fast-json-stringify for responses), each
 * route's function compiled on its first request instead of at start: compiling every route's
 * schemas was ~half of the CPU from start to `/readyz` (docs/performance.md, decision 1021).
 * The functions are the same; a bad schema still fails, at its route's first use (every route
 * is exercised by the tests).
 */
function lazyCompilers(): { buildValidator: CompilerFactory; buildSerializer: CompilerFactory } {
  // The compilers Fastify itself depends on, resolved from Fastify's own location.
  const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const ajvCompiler = fromFastify('@fastify/ajv-compiler') as () => CompilerFactory;
  const stringifyCompiler = fromFastify(
    '@fastify/fast-json-stringify-compiler',
  ) as () => CompilerFactory;
  const lazy =
    (factory: CompilerFactory): CompilerFactory =>
    (...factoryArgs) => {
      // The compiler itself (an Ajv instance with its formats, per plugin context) is made on
      // first use too.
      let compile: Compile | undefined;
      return (routeSchema) => {
        let compiled: ((...args: unknown[]) => unknown) & Record<string, unknown>;
        const get = () => {
          compile ??= factory(...factoryArgs);
          compiled ??= compile(routeSchema) as typeof compiled;
          return compiled;
        };
        const run = (...args: unknown[]) => get()(...args);
        // Fastify reads Ajv's `errors` after a failed validation and `schemaEnv` before one.
        Object.defineProperty(run, 'errors', { get: () => get().errors });
        Object.defineProperty(run, 'schemaEnv', { get: () => get().schemaEnv });
        return run;
      };
    };
  return { buildValidator: lazy(ajvCompiler()), buildSerializer: lazy(stringifyCompiler()) };
}

/** OpenAPI `security` of each route from its declared access: cookie + CSRF, or a bearer token. */
function documentSecurity(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const access = route.config?.access ?? (route.url.startsWith(API_PREFIX) ? 'staff' : 'public');
    if (access !== 'staff' && access !== 'admin') return;
    const unsafe = ![route.method].flat().every((m) => m === 'GET' || m === 'HEAD');
    const cookie = unsafe ? { session: [], csrf: [] } : { session: [] };
    route.schema = {
      ...route.schema,
      security: access === 'admin' ? [cookie] : [cookie, { bearer: [] }],
    };
  });
}

/** One line per request: method, route pattern, status, time, request id. Nothing else. */
function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? '(no route)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
}
