/**
 * `needlecare worker [--once]`: deliver the outbox (reminders, alert e-mails, SMS, webhooks,
 * escalations) in a process of its own. Several may run against PostgreSQL; they never send
 * the same message twice at once (FOR UPDATE SKIP LOCKED). Stops cleanly on SIGTERM or SIGINT:
 * the round in progress finishes, then the database is closed. `--once` delivers what is due
 * now and exits (cron-style, and for tests).
 */
import { type DestinationStream, pino } from 'pino';
import { createDb } from '../../store/db.ts';
import { createSenders } from '../../jobs/senders.ts';
import { parseWorkerEnv } from '../../jobs/worker-config.ts';
import { createWorker, type RunSummary } from '../../jobs/worker.ts';
import type { CliIo, Command } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';

const USAGE = `Usage: needlecare worker [--once]

Delivers due outbox messages until SIGTERM (or, with --once, what is due now).
Environment: DATABASE_URL or NEEDLECARE_DB, PUBLIC_URL, SMTP_URL, MAIL_FROM,
SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN, LOG_LEVEL, WORKER_ID, WORKER_POLL_MS, OUTBOX_MAX_ATTEMPTS,
OUTBOX_LEASE_SECONDS.
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
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const unknown = args.filter((a) => a !== '--once');
  if (unknown.length > 0) {
    io.stderr.write(`needlecare worker: unknown option ${unknown[0]}\n`);
    return EXIT_USAGE;
  }
  const parsed = parseWorkerEnv(io.env, process.pid);
  if (!parsed.ok) {
    io.stderr.write(
      `needlecare worker: invalid configuration:\n${parsed.problems.map((p) => `  - ${p}\n`).join('')}`,
    );
    return EXIT_USAGE;
  }
  const config = parsed.value;
  const logger = pino(
    {
      level: config.logLevel,
      base: { service: 'needlecare-worker', workerId: config.workerId },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['*.to', '*.email', '*.phone', '*.body'], censor: '[redacted]' },
    },
    io.stdout as unknown as DestinationStream,
  );
  const senders = createSenders(config);
  for (const name of senders.missing) {
    logger.warn({ variable: name }, `${name} is not set: those messages will fail and be retried`);
  }

  const db = createDb({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    onPoolError: (error) => logger.warn({ err: String(error) }, 'database connection lost'),
  });
  const worker = createWorker({
    db,
    clock: { now: () => new Date() },
    logger,
    mailer: senders.mailer,
    sms: senders.sms,
    webhooks: senders.webhooks,
    workerId: config.workerId,
    config: {
      publicUrl: config.publicUrl,
      pollIntervalMs: config.pollIntervalMs,
      maxAttempts: config.maxAttempts,
      leaseMs: config.leaseMs,
    },
  });

  try {
    if (args.includes('--once')) {
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
