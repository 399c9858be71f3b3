import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.ts';
import { systemClock } from '../../api/clock.ts';
import type { ApiEvents } from '../../api/events.ts';
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
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';

const USAGE = `usage: needlecare serve

Runs the HTTP API (and docs at /api/docs). Configuration comes from the environment:
  HOST, PORT, DATABASE_URL (postgres://…) or NEEDLECARE_DB (SQLite file), PUBLIC_URL,
  COOKIE_SECURE, LOG_LEVEL, SESSION_TTL_HOURS, SESSION_IDLE_MINUTES, BODY_LIMIT_BYTES,
  TRUST_PROXY, SIGNIN_MAX_FAILURES, SIGNIN_LOCK_MINUTES, SIGNIN_IP_MAX, SIGNIN_IP_WINDOW_MINUTES.
Migrates the database first. Stops gracefully on SIGTERM or SIGINT.
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
export function outboxEvents(config: AppConfig): ApiEvents {
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

/** What `serve` mounts next to the API: patient pages (/p), the dashboard (/app), the stop link. */
export const PRODUCTION_PLUGINS: readonly ((app: FastifyInstance) => Promise<void>)[] = [
  patientPagesPlugin,
  registerDashboard,
  (app) => remindersStopRoute(app, app.deps),
];

/** Migrate, build the app and listen. `serve` wraps it; tests call it with port 0. */
export async function startServer(
  config: AppConfig,
  io: CliIo,
  events: ApiEvents = outboxEvents(config),
): Promise<RunningServer> {
  const db = createDb({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0)
      io.stdout.write(`needlecare: applied migrations ${applied.join(', ')}\n`);
    const app = await buildApp({
      config,
      db,
      clock: systemClock(),
      logger: createLogger(config.logLevel, io.stdout),
      events,
      plugins: PRODUCTION_PLUGINS,
    });
    const url = await app.listen({ host: config.host, port: config.port });
    let stopping: Promise<void> | undefined;
    return {
      app,
      db,
      url,
      stop: () => {
        stopping ??= (async () => {
          await app.close();
          await db.destroy();
        })();
        return stopping;
      },
    };
  } catch (error) {
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
  if (args.length > 0) {
    io.stderr.write(`needlecare serve: unexpected argument "${args[0]}"\n${USAGE}`);
    return EXIT_USAGE;
  }
  let config: AppConfig;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`needlecare serve: ${error.message}\n`);
    return EXIT_USAGE;
  }
  let server: RunningServer;
  try {
    server = await startServer(config, io);
  } catch (error) {
    io.stderr.write(
      `needlecare serve: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILURE;
  }
  io.stdout.write(
    `needlecare: listening on ${server.url} (patient links: ${config.publicUrl}/p/…, API docs: ${server.url}/api/docs)\n`,
  );
  const signal = await nextShutdownSignal();
  io.stdout.write(`needlecare: ${signal}, shutting down\n`);
  await server.stop();
  return EXIT_OK;
}
