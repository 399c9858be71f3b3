import cluster from 'node:cluster';
import { availableParallelism, hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.ts';
import { requestsInFlight } from '../../api/drain.ts';
import { createLogger } from '../../api/logger.ts';
import { tuneHeapForServing } from '../../api/serving-heap.ts';
import {
  type AppConfig,
  auditLaneFor,
  SERVER_AUDIT_LANE,
  VARIABLES,
  workerIdOf,
} from '../../config/env.ts';
import { cdsHooksRoutes } from '../../interop/cds.routes.ts';
import { alertWebhookBuilder } from '../../interop/fhir/webhook.ts';
import { FHIR_PREFIX, fhirRoutes } from '../../interop/fhir.routes.ts';
import { enqueueAlertDelivery } from '../../jobs/alerts.ts';
import { cancelPendingReminders } from '../../jobs/outbox-queries.ts';
import { cancelRemindersStoppedByPatient, enqueueSessionReminders } from '../../jobs/reminders.ts';
import { createSenders } from '../../jobs/senders.ts';
import { enqueuePasswordLinkEmail } from '../../jobs/staff-mail.ts';
import { createWorker } from '../../jobs/worker.ts';
import type { SystemActor } from '../../services/actors.ts';
import { systemClock } from '../../services/clock.ts';
import type { ServiceEvents } from '../../services/events.ts';
import { issueSetupLink } from '../../services/first-run.ts';
import { productUrls } from '../../services/urls.ts';
import { AUDIT_LANES, openAuditLane } from '../../store/audit.repository.ts';
import { findClinic } from '../../store/clinics.repository.ts';
import { createDb, type Db } from '../../store/db.ts';
import { withKeys } from '../../store/keyring.ts';
import { migrateToLatest } from '../../store/migrations.ts';
import { findNeedlingSession } from '../../store/sessions.repository.ts';
import { findStaffById } from '../../store/staff.repository.ts';
import { registerDashboard } from '../../web/dashboard/dashboard.plugin.ts';
import { patientPagesPlugin } from '../../web/patient/patient-pages.plugin.ts';
import { parseCommandArgs } from '../args.ts';
import { clusterChildRole, runClusterPrimary } from '../cluster.ts';
import { readConfig } from '../config.ts';
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';
import { resolveKeyRing } from '../keys.ts';
import { stopInSteps } from '../stop-in-steps.ts';

const USAGE = `usage: needlecare serve [--worker] [--processes N]

Runs the HTTP API (and docs at /api/docs), the patient pages and the dashboard.
Configuration comes from the environment (src/config; PUBLIC_URL defaults to http://HOST:PORT):
  ${wrap(VARIABLES.server)}
Migrates the database first. On a database with no clinic it prints a one-time setup URL
that creates the first clinic and its admin. Stops gracefully on SIGTERM or SIGINT.
  --worker   also run one outbox worker in this process (the supported set-up on SQLite;
             on PostgreSQL run \`needlecare worker\` processes instead). Its variables:
             ${wrap(VARIABLES.worker)}
  --processes N
             run N server processes on the one port (node:cluster; default: the number
             of cores, ${availableParallelism()} here; 1 = a single process). The first one
             migrates the database and, with --worker, is the only one running the outbox
             worker; one that dies is replaced; SIGTERM stops them all gracefully. Rate
             limits are counted per process.
`;

/** Most server processes `--processes` accepts. */
const MAX_PROCESSES = 64;

function wrap(names: readonly string[]): string {
  return names.join(', ');
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly db: Db;
  /** The address it listens on, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** Stop taking requests, finish the ones in flight, then close the database. */
  stop(): Promise<void>;
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
        link: { url: e.linkUrl, id: e.linkId },
        plan: e.plan,
        now: e.at,
      });
    },
    async linksRevoked(trx, e) {
      await cancelPendingReminders(trx, e.session.id, 'patient link revoked');
    },
    remindersStopped: (trx, e) => cancelRemindersStoppedByPatient(trx, e),
    passwordLinkIssued: enqueuePasswordLinkEmail,
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
        dashboardUrl: productUrls(config.publicUrl).dashboardAlert(e.alert.id),
        event: e.type,
        at: e.at,
      });
    },
  };
}

/**
 * What `serve` mounts next to the API: patient pages (/p), the dashboard (/app),
 * FHIR R4 (/fhir/R4) and CDS Hooks (/cds-services).
 */
export const PRODUCTION_PLUGINS: readonly ((app: FastifyInstance) => Promise<void>)[] = [
  patientPagesPlugin,
  registerDashboard,
  fhirRoutes,
  cdsHooksRoutes,
];

export interface StartOptions {
  /** Run one outbox worker in this process (the supported set-up on SQLite, and `npm start`). */
  readonly worker?: boolean;
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
  const logger = createLogger(config.logLevel, io.stdout);
  const db = withKeys(
    createDb({
      databaseUrl: config.databaseUrl,
      sqlitePath: config.sqlitePath,
      backgroundCheckpoints: true,
      syncOffThread: true,
      waitForWriteLockAsync: true,
      onCheckpointError: (message) => logger.warn({ err: message }, 'WAL checkpoint failed'),
      onPoolError: (error) => logger.warn({ err: error }, 'database connection lost'),
    }),
    resolveKeyRing(config.keys, config),
  );
  let worker: { stop(): Promise<void> } | undefined;
  let senders: { close(): void } | undefined;
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0)
      io.stdout.write(`needlecare: applied migrations ${applied.join(', ')}\n`);
    // Each process of `serve --processes N` appends to a lane of its own on PostgreSQL, and
    // every process to lane 1 on SQLite (decision 1473).
    await openAuditLane(db, auditLaneFor(config, 'server'));
    await options.beforeListen?.(db);
    const app = await buildApp({
      config,
      db,
      clock: systemClock(),
      logger,
      events,
      plugins: PRODUCTION_PLUGINS,
    });
    const url = await app.listen({ host: config.host, port: config.port });
    if (options.worker === true) {
      const s = createSenders({
        ...config.worker,
        webhookAllowHosts: config.keys.webhookAllowHosts,
      });
      senders = s;
      const workerId = workerIdOf(config, { hostname: hostname(), pid: process.pid });
      const inline = createWorker({
        db,
        clock: { now: () => new Date() },
        logger: logger.child({ service: 'needlecare-worker', workerId }),
        mailer: s.mailer,
        sms: s.sms,
        webhooks: s.webhooks,
        fhirWebhook: alertWebhookBuilder({
          fhirBase: `${config.publicUrl}${FHIR_PREFIX}`,
          publicUrl: config.publicUrl,
        }),
        workerId,
        config: {
          publicUrl: config.publicUrl,
          pollIntervalMs: config.worker.pollIntervalMs,
          maxAttempts: config.worker.maxAttempts,
          leaseMs: config.worker.leaseMs,
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
        // A stop that hangs says which step it waits for (a rare hang at SIGTERM in CI gave
        // no clue where).
        stopping ??= stopInSteps(
          [
            [HTTP_STEP, () => app.close()],
            ['the outbox worker (its current round)', async () => worker?.stop()],
            ['the senders', async () => senders?.close()],
            ['the database connections', () => db.destroy()],
          ],
          (name, afterMs) => {
            // Which requests hold the HTTP server, their tokens and ids left out (decision 0804).
            const open = name === HTTP_STEP ? requestsInFlight(app.server) : undefined;
            const answering =
              open === undefined
                ? ''
                : `; answering ${open.length === 0 ? 'none' : open.join(', ')}`;
            io.stderr.write(
              `needlecare: still stopping after ${afterMs} ms: waiting for ${name}${answering}\n`,
            );
          },
        );
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

/** The stop's first step, named when it is slow. */
const HTTP_STEP = 'the HTTP server (requests in flight, open event streams)';

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

/** Who issues the first-run setup link: the `serve` command itself, audited as `serve`. */
const SERVE_ACTOR: SystemActor = {
  kind: 'system',
  name: 'serve',
  clinicId: null,
  ip: '127.0.0.1',
  requestId: 'serve',
};

/** `needlecare serve`: the production entry point. */
export async function serveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      name: 'serve',
      usage: USAGE,
      options: { worker: { type: 'boolean' }, processes: { type: 'string' } },
    },
    args,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const processes = Number(parsed.values.processes ?? availableParallelism());
  if (!Number.isInteger(processes) || processes < 1 || processes > MAX_PROCESSES) {
    io.stderr.write(
      `needlecare serve: --processes must be a whole number from 1 to ${MAX_PROCESSES} (got ${parsed.values.processes})\n`,
    );
    return EXIT_USAGE;
  }
  const config = readConfig('serve', io);
  if (typeof config === 'number') return config;
  const role = clusterChildRole();
  const withWorker = parsed.values.worker === true;
  const urls = productUrls(config.publicUrl);
  const describe = () =>
    ` (patient links: ${urls.patientPage('')}…, dashboard: ${urls.dashboard()}, API docs: ${urls.apiDocs()}${withWorker ? ', with an in-process worker' : ''})`;
  if (role === undefined && processes > 1) {
    const firstAuditLane = config.auditLane ?? SERVER_AUDIT_LANE;
    if (firstAuditLane + processes - 1 > AUDIT_LANES) {
      io.stderr.write(
        `needlecare serve: NEEDLECARE_AUDIT_LANE ${firstAuditLane} leaves no lane for ${processes} processes (lanes end at ${AUDIT_LANES})\n`,
      );
      return EXIT_USAGE;
    }
    return runClusterPrimary(
      {
        processes,
        firstAuditLane,
        childArgs: withWorker ? ['--worker'] : [],
        outbox: withWorker,
        describe,
      },
      io,
    );
  }
  // A cluster child runs the outbox worker only when the primary gave it that role.
  const runWorker = role === undefined ? withWorker : role === 'outbox';
  tuneHeapForServing();
  let server: RunningServer;
  try {
    server = await startServer(config, io, outboxEvents(config), { worker: runWorker });
  } catch (error) {
    io.stderr.write(
      `needlecare serve: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILURE;
  }
  // First run (decision 1320): no clinic yet, so one line with the one-time setup URL, printed by
  // one process only (a single server, or the first child of a cluster).
  let setup: Awaited<ReturnType<typeof issueSetupLink>> = null;
  if (role === undefined || cluster.worker?.id === 1) {
    try {
      setup = await issueSetupLink(server.app.deps, SERVE_ACTOR);
    } catch (error) {
      await server.stop();
      io.stderr.write(
        `needlecare serve: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return EXIT_FAILURE;
    }
  }
  // In a cluster the primary prints where it listens, once every child does.
  if (role === undefined) io.stdout.write(`needlecare: listening on ${server.url}${describe()}\n`);
  if (setup !== null)
    io.stdout.write(
      `needlecare: no clinic yet: create the first one at ${setup.url} (one-time link, valid 24 hours; a restart prints a new one)\n`,
    );
  const code = await runUntilSignal(server, io, role !== undefined);
  // A cluster child's IPC channel to the primary would keep it alive: close it to exit.
  if (role !== undefined) cluster.worker?.disconnect();
  return code;
}

/** Serve until SIGTERM or SIGINT, then stop gracefully. */
export async function runUntilSignal(
  server: RunningServer,
  io: CliIo,
  quiet = false,
): Promise<number> {
  const signal = await nextShutdownSignal();
  if (!quiet) io.stdout.write(`needlecare: ${signal}, shutting down\n`);
  await server.stop();
  return EXIT_OK;
}
