import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.ts';
import { systemClock } from '../../services/clock.ts';
import type { ServiceEvents } from '../../services/events.ts';
import { createLogger } from '../../api/logger.ts';
import { type AppConfig, ConfigError, loadConfig } from '../../config/env.ts';
import { enqueueAlertDelivery } from '../../jobs/alerts.ts';
import { remindersStopRoute } from '../../jobs/reminders-stop.route.ts';
import { cancelPendingReminders } from '../../jobs/outbox-queries.ts';
import { enqueueSessionReminders } from '../../jobs/reminders.ts';
import { findClinic } from '../../store/clinics.repository.ts';
import { createDb, type Db } from '../../store/db.ts';
import { migrateToLatest } from '../../store/migrations.ts';
import { findNeedlingSession } from '../../store/sessions.repository.ts';
import { findStaffById } from '../../store/staff.repository.ts';
import { registerDashboard } from '../../web/dashboard/dashboard.plugin.ts';
import { patientPagesPlugin } from '../../web/patient/patient-pages.plugin.ts';
import { cdsHooksRoutes } from '../../interop/cds.routes.ts';
import { fhirRoutes } from '../../interop/fhir.routes.ts';
import { createSenders } from '../../jobs/senders.ts';
import { parseWorkerEnv, type WorkerEnvConfig } from '../../jobs/worker-config.ts';
import { createWorker } from '../../jobs/worker.ts';
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';

const USAGE = `usage: needlecare serve [--worker]

Runs the HTTP API (and docs at /api/docs). Configuration comes from the environment:
  HOST, PORT, DATABASE_URL (postgres://…) or NEEDLECARE_DB (SQLite file), PUBLIC_URL,
  COOKIE_SECURE, LOG_LEVEL, SESSION_TTL_HOURS, SESSION_IDLE_MINUTES, BODY_LIMIT_BYTES,
  TRUST_PROXY, SIGNIN_MAX_FAILURES, SIGNIN_LOCK_MINUTES, SIGNIN_IP_MAX, SIGNIN_IP_WINDOW_MINUTES.
Migrates the database first. Stops gracefully on SIGTERM or SIGINT.
  --worker   also run one outbox worker in this process (the supported set-up on SQLite;
             on PostgreSQL run \`needlecare worker\` processes instead). Its variables:
             SMTP_URL, MAIL_FROM, SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN, WORKER_POLL_MS.
`;

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly db: Db;
  /** The address it listens on, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** Stop taking requests, finish the ones in flight, then close the database. */
  stop(): Promise<void>;
}

/** The alert on the dashboard's queue (mounted at /app; each card is `#alert-<id>`). */
export function dashboardAlertUrl(publicUrl: string, alertId: string): string {
  return `${publicUrl}/app/#alert-${alertId}`;
}

/**
 * The API's write events wired to the jobs' outbox producers (docs/decisions/0200-write-events.md):
 * reminders when a link is issued, alert e-mail/webhook/escalation when an alert opens or rises.
 * A re-issued link cancels the pending reminders that carry the old, now revoked, URL and queues
 * the remaining ones with the new URL (src/jobs/README.md, decision 0500 §10).
 */
export function outboxEvents(config: AppConfig): ServiceEvents {
  return {
    async linkIssued(trx, e) {
      if (e.reason === 'reissued')
        await cancelPendingReminders(trx, e.session.id, 'patient link re-issued');
      await enqueueSessionReminders(trx, {
        clinic: e.clinic,
        session: e.session,
        patient: e.patient,
        link: { url: e.linkUrl },
        plan: e.plan,
        now: e.at,
      });
    },
    async linksRevoked(trx, e) {
      await cancelPendingReminders(trx, e.session.id, 'patient link revoked');
    },
    async alertRaised(trx, e) {
      const clinic = await findClinic(trx, e.alert.clinicId);
      const session = await findNeedlingSession(trx, e.alert.clinicId, e.alert.sessionId);
      if (clinic === undefined || session === undefined) return;
      const practitioner =
        session.practitionerId === null
          ? undefined
          : await findStaffById(trx, session.practitionerId);
      await enqueueAlertDelivery(trx, {
        clinic,
        alert: e.alert,
        session: { id: session.id },
        practitioner:
          practitioner === undefined
            ? null
            : { email: practitioner.email, active: practitioner.active },
        dashboardUrl: dashboardAlertUrl(config.publicUrl, e.alert.id),
        event: e.type,
        at: e.at,
      });
    },
  };
}

/**
 * What `serve` mounts next to the API: patient pages (/p), the dashboard (/app), the stop link,
 * FHIR R4 (/fhir/R4) and CDS Hooks (/cds-services).
 */
export const PRODUCTION_PLUGINS: readonly ((app: FastifyInstance) => Promise<void>)[] = [
  patientPagesPlugin,
  registerDashboard,
  (app) => remindersStopRoute(app, app.deps),
  fhirRoutes,
  cdsHooksRoutes,
];

export interface StartOptions {
  /** Run one outbox worker in this process (the supported set-up on SQLite, and `npm start`). */
  readonly worker?: WorkerEnvConfig;
  /** Runs after migrating and before listening (the demo seed). */
  readonly beforeListen?: (db: Db) => Promise<void>;
}

/** Migrate, build the app and listen. `serve` wraps it; tests call it with port 0. */
export async function startServer(
  config: AppConfig,
  io: CliIo,
  events: ServiceEvents = outboxEvents(config),
  options: StartOptions = {},
): Promise<RunningServer> {
  const db = createDb({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  let worker: { stop(): Promise<void> } | undefined;
  let senders: { close(): void } | undefined;
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0)
      io.stdout.write(`needlecare: applied migrations ${applied.join(', ')}\n`);
    await options.beforeListen?.(db);
    const logger = createLogger(config.logLevel, io.stdout);
    const app = await buildApp({
      config,
      db,
      clock: systemClock(),
      logger,
      events,
      plugins: PRODUCTION_PLUGINS,
    });
    const url = await app.listen({ host: config.host, port: config.port });
    if (options.worker !== undefined) {
      const w = options.worker;
      const s = createSenders(w);
      senders = s;
      const inline = createWorker({
        db,
        clock: { now: () => new Date() },
        logger: logger.child({ service: 'needlecare-worker', workerId: w.workerId }),
        mailer: s.mailer,
        sms: s.sms,
        webhooks: s.webhooks,
        workerId: w.workerId,
        config: {
          publicUrl: w.publicUrl,
          pollIntervalMs: w.pollIntervalMs,
          maxAttempts: w.maxAttempts,
        },
      });
      inline.start();
      worker = inline;
    }
    let stopping: Promise<void> | undefined;
    return {
      app,
      db,
      url,
      stop: () => {
        stopping ??= (async () => {
          await app.close();
          await worker?.stop();
          senders?.close();
          await db.destroy();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await worker?.stop();
    senders?.close();
    await db.destroy();
    throw error;
  }
}

/** Resolves on the first SIGTERM or SIGINT. */
function nextShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/** `needlecare serve`: the production entry point. */
export async function serveCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const unknown = args.find((a) => a !== '--worker');
  if (unknown !== undefined) {
    io.stderr.write(`needlecare serve: unexpected argument "${unknown}"\n${USAGE}`);
    return EXIT_USAGE;
  }
  const loaded = loadServeConfig('serve', io, io.env, args.includes('--worker'));
  if (typeof loaded === 'number') return loaded;
  let server: RunningServer;
  try {
    server = await startServer(
      loaded.config,
      io,
      outboxEvents(loaded.config),
      loaded.worker === undefined ? {} : { worker: loaded.worker },
    );
  } catch (error) {
    io.stderr.write(
      `needlecare serve: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILURE;
  }
  io.stdout.write(
    `needlecare: listening on ${server.url} (patient links: ${loaded.config.publicUrl}/p/…, dashboard: ${server.url}/app, API docs: ${server.url}/api/docs${loaded.worker === undefined ? '' : ', with an in-process worker'})\n`,
  );
  return runUntilSignal(server, io);
}

/** Read the server's (and, when asked, the in-process worker's) configuration; exit code 2 on bad env. */
export function loadServeConfig(
  command: string,
  io: CliIo,
  env: NodeJS.ProcessEnv,
  withWorker: boolean,
): { config: AppConfig; worker?: WorkerEnvConfig } | number {
  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`needlecare ${command}: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (!withWorker) return { config };
  const worker = parseWorkerEnv(env, process.pid);
  if (!worker.ok) {
    io.stderr.write(
      `needlecare ${command}: invalid configuration:\n${worker.problems.map((p) => `  - ${p}\n`).join('')}`,
    );
    return EXIT_USAGE;
  }
  return { config, worker: worker.value };
}

/** Serve until SIGTERM or SIGINT, then stop gracefully. */
export async function runUntilSignal(server: RunningServer, io: CliIo): Promise<number> {
  const signal = await nextShutdownSignal();
  io.stdout.write(`needlecare: ${signal}, shutting down\n`);
  await server.stop();
  return EXIT_OK;
}
