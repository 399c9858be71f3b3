/**
 * `needlecare worker [--once]`: deliver the outbox (reminders, alert e-mails, SMS, webhooks,
 * escalations) in a process of its own. Several may run against PostgreSQL; they never send
 * the same message twice at once (FOR UPDATE SKIP LOCKED). Stops cleanly on SIGTERM or SIGINT:
 * the round in progress finishes, then the database is closed. `--once` delivers what is due
 * now and exits (cron-style, and for tests).
 */
import { hostname } from 'node:os';
import { type DestinationStream, pino } from 'pino';
import { auditLaneFor, workerIdOf } from '../../config/env.ts';
import { alertWebhookBuilder } from '../../interop/fhir/webhook.ts';
import { FHIR_PREFIX } from '../../interop/fhir.routes.ts';
import { createSenders } from '../../jobs/senders.ts';
import { createWorker, type RunSummary } from '../../jobs/worker.ts';
import { openAuditLane } from '../../store/audit.repository.ts';
import { createDb } from '../../store/db.ts';
import { type KeyRing, withKeys } from '../../store/keyring.ts';
import { parseCommandArgs } from '../args.ts';
import { readConfig } from '../config.ts';
import type { CliIo, Command } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';
import { KeySetupError, resolveKeyRing } from '../keys.ts';

const USAGE = `usage: needlecare worker [--once]

Delivers due outbox messages until SIGTERM (or, with --once, what is due now).
  --once   deliver what is due now, then exit
Configuration: the same environment as \`needlecare serve\` (DATABASE_URL or NEEDLECARE_DB,
PUBLIC_URL or HOST/PORT, LOG_LEVEL), plus SMTP_URL, MAIL_FROM, SMS_GATEWAY_URL,
SMS_GATEWAY_TOKEN, WORKER_ID, WORKER_POLL_MS, OUTBOX_MAX_ATTEMPTS, OUTBOX_LEASE_SECONDS,
NEEDLECARE_AUDIT_LANE (PostgreSQL: the audit lane its events go to; default 1024, the last,
which no server process takes unless told to), and the keys (NEEDLECARE_SECRET_KEY,
NEEDLECARE_AUDIT_KEY, their _KEYS_OLD lists, NEEDLECARE_WEBHOOK_ALLOW_HOSTS: see
\`needlecare serve --help\`).
`;

export interface WorkerCommandOptions {
  /** Ends the worker like SIGTERM does (tests). */
  readonly signal?: AbortSignal;
  /** Listen for SIGTERM/SIGINT on this process (default true for the real command). */
  readonly processSignals?: boolean;
}

export async function runWorkerCommand(
  args: readonly string[],
  io: CliIo,
  options: WorkerCommandOptions = {},
): Promise<number> {
  const parsed = parseCommandArgs(
    { name: 'worker', usage: USAGE, options: { once: { type: 'boolean' } } },
    args,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const config = readConfig('worker', io);
  if (typeof config === 'number') return config;
  const workerId = workerIdOf(config, { hostname: hostname(), pid: process.pid });
  const logger = pino(
    {
      level: config.logLevel,
      base: { service: 'needlecare-worker', workerId },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['*.to', '*.email', '*.phone', '*.body'], censor: '[redacted]' },
    },
    io.stdout as unknown as DestinationStream,
  );
  let ring: KeyRing;
  try {
    ring = resolveKeyRing(config.keys, {
      databaseUrl: config.databaseUrl,
      sqlitePath: config.sqlitePath,
    });
  } catch (error) {
    if (!(error instanceof KeySetupError)) throw error;
    io.stderr.write(`needlecare worker: invalid configuration:\n  - ${error.message}\n`);
    return EXIT_USAGE;
  }
  const senders = createSenders({
    ...config.worker,
    webhookAllowHosts: config.keys.webhookAllowHosts,
  });
  for (const name of senders.missing) {
    logger.warn({ variable: name }, `${name} is not set: those messages will fail and be retried`);
  }

  const db = withKeys(
    createDb({
      databaseUrl: config.databaseUrl,
      sqlitePath: config.sqlitePath,
      onPoolError: (error) => logger.warn({ err: String(error) }, 'database connection lost'),
    }),
    ring,
  );
  const worker = createWorker({
    db,
    clock: { now: () => new Date() },
    logger,
    mailer: senders.mailer,
    sms: senders.sms,
    webhooks: senders.webhooks,
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

  try {
    // Its audit events (disclosures, escalations, alerts for missed check-ins) go to a lane no
    // server process uses unless told to (NEEDLECARE_AUDIT_LANE, else the last) on PostgreSQL,
    // so they never move a server's head; to lane 1 on SQLite (decision 1473).
    await openAuditLane(db, auditLaneFor(config, 'worker'));
    if (parsed.values.once === true) {
      const total = { claimed: 0, sent: 0, skipped: 0, retried: 0, dead: 0 };
      for (let i = 0; i < 1000; i += 1) {
        const s: RunSummary = await worker.runOnce();
        for (const k of Object.keys(total) as Array<keyof RunSummary>) total[k] += s[k];
        if (s.claimed === 0) break;
      }
      logger.info(total, 'worker: done');
      return EXIT_OK;
    }
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const onSignal = () => stop();
    options.signal?.addEventListener('abort', onSignal, { once: true });
    if (options.processSignals ?? false) {
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
    if (options.signal?.aborted) stop();
    worker.start();
    logger.info({}, 'worker: started');
    try {
      await stopped;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      options.signal?.removeEventListener('abort', onSignal);
    }
    logger.info({}, 'worker: stopping');
    await worker.stop();
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(
      `needlecare worker: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILURE;
  } finally {
    senders.close();
    await db.destroy();
  }
}

export const workerCommand: Command = (args, io) =>
  runWorkerCommand(args, io, { processSignals: true });
