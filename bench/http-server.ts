/**
 * A server process for the HTTP benchmark (bench/http.bench.ts), run as a child so the load
 * generator does not share its event loop. Mode `app`: the real Needlecare app on a fresh
 * database (SQLite file with synchronous=FULL, or PostgreSQL when DATABASE_URL is set), seeded
 * with patient links. Mode `bare`: a bare Fastify route that validates the same body.
 * Prints one JSON line: { url, tokens }; in mode `app`, one more
 * { count, ms, groups, items, kept, ranMs, waitedMs, preempted } on each SIGUSR2 (its full garbage
 * collections; the check-in groups it wrote, the check-ins in them and the groups that took
 * their sessions' state from what was kept (decisions 1461, 1469); and, on Linux, how long
 * its main thread ran, how long it was ready to run and waited for a CPU, and how often the
 * kernel took the CPU from it; all since the last). Mode `prepare`: the database and links only,
 * printed as { tokens, sqlitePath, databaseUrl }, for `needlecare serve --processes N`.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import Fastify from 'fastify';
import { Client } from 'pg';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import { tuneHeapForServing } from '../src/api/serving-heap.ts';
import { createSession, seedClinic, signIn, testConfig } from '../src/api/test-support.ts';
import { reportInputJsonSchema } from '../src/clinical/case-schema.ts';
import { systemClock } from '../src/services/clock.ts';
import { keptTriageStateUses } from '../src/services/submit-check-in.ts';
import { createDb } from '../src/store/db.ts';
import { groupCommitStats } from '../src/store/group-commit.ts';
import { withKeys } from '../src/store/keyring.ts';
import { migrateToLatest } from '../src/store/migrations.ts';
import { TEST_KEYS } from '../src/store/test-keys.ts';
import { BENCH_LIMIT } from './limits.ts';
import { mainThreadScheduling } from './scheduling.ts';

const mode = process.argv[2];
const links = Number(process.argv[3] ?? 64);

if (mode === 'bare') {
  const app = Fastify({ logger: false });
  app.post(
    '/api/v1/p/:token/check-ins',
    { schema: { body: reportInputJsonSchema } },
    async (_req, reply) => reply.status(201).send({ ok: true }),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ url, tokens: Array.from({ length: links }, (_, i) => `t${i}`) }));
} else {
  // As `needlecare serve` runs (decision 1447).
  tuneHeapForServing();
  let databaseUrl = process.env.DATABASE_URL;
  const adminUrl = databaseUrl;
  const name = `nc_bench_${process.pid}`;
  if (databaseUrl !== undefined) {
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(databaseUrl);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
  }
  const dir = mkdtempSync(join(tmpdir(), 'nc-bench-'));
  const db = withKeys(
    createDb({
      databaseUrl,
      sqlitePath: join(dir, 'bench.db'),
      backgroundCheckpoints: true,
      syncOffThread: true,
      waitForWriteLockAsync: true,
    }),
    TEST_KEYS,
  );
  await migrateToLatest(db);
  const config = testConfig({
    databaseUrl,
    cookieSecure: false,
    sessionIdleMinutes: 600,
    // Out of reach: every request of a run comes from one address, and a 429 would answer fast
    // and flatter the figures (a faster machine met 100,000 in the half load).
    patientLinks: { perLinkMax: BENCH_LIMIT, perIpMax: BENCH_LIMIT },
  });
  const app = await buildApp({ config, db, clock: systemClock(), logger: createLogger('silent') });
  await app.ready();
  const clinic = await seedClinic(db, 'Bench Clinic');
  const prac = await signIn(app, clinic.practitionerEmail);
  const tokens: string[] = [];
  for (let i = 0; i < links; i++) {
    const s = await createSession(app, prac, {
      performedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    tokens.push(s.token);
  }
  if (mode === 'prepare') {
    // Only the database and its links, for `needlecare serve` processes (bench/servers.ts); the
    // PostgreSQL database is dropped by the bench when it is done.
    await app.close();
    await db.destroy();
    console.log(JSON.stringify({ tokens, sqlitePath: join(dir, 'bench.db'), databaseUrl }));
    process.exit(0);
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  // The full (mark-compact) collections since the last SIGUSR2, one JSON line per SIGUSR2: what
  // decisions 1446 and 1447 took out of the half load (bench/servers.ts, `serverCounts`). With
  // them the check-in groups written since: their mean size shows a closed load's connections
  // taking turns in two halves (twenty-first round, docs/performance.md).
  const full = { count: 0, ms: 0 };
  let written = groupCommitStats(db, 'check-in');
  let keptBefore = keptTriageStateUses(db);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as { detail?: { kind?: number } };
      if (detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      full.count += 1;
      full.ms += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  let scheduled = mainThreadScheduling();
  process.on('SIGUSR2', () => {
    const now = groupCommitStats(db, 'check-in');
    const groups = now.groups - written.groups;
    const items = now.items - written.items;
    const sched = mainThreadScheduling();
    const waits =
      sched === undefined || scheduled === undefined
        ? {}
        : {
            ranMs: sched.ranMs - scheduled.ranMs,
            waitedMs: sched.waitedMs - scheduled.waitedMs,
            preempted: sched.preempted - scheduled.preempted,
          };
    const keptNow = keptTriageStateUses(db);
    const kept = keptNow - keptBefore;
    keptBefore = keptNow;
    console.log(JSON.stringify({ count: full.count, ms: full.ms, groups, items, kept, ...waits }));
    full.count = 0;
    full.ms = 0;
    written = now;
    scheduled = sched;
  });
  console.log(JSON.stringify({ url, tokens }));
  // On SIGTERM: close, remove the SQLite file's folder, and drop the PostgreSQL database this
  // run created.
  process.once('SIGTERM', async () => {
    await app.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (adminUrl !== undefined) {
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
    process.exit(0);
  });
}

// Exit normally on SIGTERM so `--cpu-prof` (BENCH_PROF=1) can write its profile.
if (mode === 'bare') process.once('SIGTERM', () => process.exit(0));
