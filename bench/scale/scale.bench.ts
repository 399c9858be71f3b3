import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/api/logger.ts';
import { testConfig } from '../../src/api/test-support.ts';
import { systemClock } from '../../src/services/clock.ts';
import { countAdverseEvents } from '../../src/services/register-counts.ts';
import { listAlertQueue } from '../../src/store/alert-queue.repository.ts';
import { listAlertsForPatient } from '../../src/store/alerts.repository.ts';
import { listCheckInsForSession } from '../../src/store/checkins.repository.ts';
import { createDb, type Db } from '../../src/store/db.ts';
import { withKeys } from '../../src/store/keyring.ts';
import { MIGRATIONS, migrateToLatest } from '../../src/store/migrations.ts';
import { claimDueOutbox } from '../../src/store/outbox.repository.ts';
import { findPatient, searchPatients } from '../../src/store/patients.repository.ts';
import { listSessionsWithReports } from '../../src/store/register.repository.ts';
import { listSessionsForPatient } from '../../src/store/sessions.repository.ts';
import { listStaff } from '../../src/store/staff.repository.ts';
import { TEST_KEYS } from '../../src/store/test-keys.ts';
import type { Figures } from '../stats.ts';
import { explainHotQueries } from './explain.ts';
import {
  benchApiToken,
  benchLinkToken,
  FULL_SHAPE,
  type SeedIndex,
  type SeedShape,
  seedScale,
} from './seed.ts';
import { measureServe } from './serve-memory.ts';

/**
 * Seeds are cached per schema version, seed version and size: a new migration, or a change to
 * the seed's rows (bump SEED_VERSION; 2: alert e-mails carry the product's payload), means a
 * new seed.
 */
const SEED_VERSION = 2;
const SCHEMA_VERSION = `${Object.keys(MIGRATIONS).sort().at(-1) ?? 'none'}-s${SEED_VERSION}`;
const CACHE_DIR = 'data/bench';

interface Opened {
  readonly db: Db;
  readonly index: SeedIndex;
  readonly databaseUrl?: string;
  readonly sqlitePath?: string;
  readonly seededNow: boolean;
}

/** The clinics 0–9 of a seeded database, found again by name (ids are random). */
async function loadIndex(db: Db, shape: SeedShape): Promise<SeedIndex> {
  const clinics = [];
  for (let ci = 0; ci < Math.min(10, shape.clinics); ci++) {
    const clinic = await db
      .selectFrom('clinics')
      .select('id')
      .where('name', '=', `Bench clinic ${ci}`)
      .executeTakeFirstOrThrow();
    const patients = await db
      .selectFrom('patients')
      .select('id')
      .where('clinic_id', '=', clinic.id)
      .orderBy('id')
      .execute();
    const sessions = shape.patientsPerClinic * shape.sessionsPerPatient;
    clinics.push({
      id: clinic.id,
      apiToken: benchApiToken(ci),
      patientIds: patients.map((p) => p.id),
      linkTokens: Array.from({ length: sessions }, (_, si) => benchLinkToken(ci, si)),
    });
  }
  return { clinics };
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function openSqlite(shape: SeedShape): Promise<Opened> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const path = join(CACHE_DIR, `scale-${SCHEMA_VERSION}-${shape.clinics}.db`);
  let seededNow = false;
  if (!existsSync(path)) {
    const partial = `${path}.partial`;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
    const db = withKeys(createDb({ sqlitePath: partial }), TEST_KEYS);
    await migrateToLatest(db);
    const t0 = performance.now();
    await seedScale(db, shape, Date.now(), (done) => {
      if (done % 100 === 0) say(`    seeded ${done} of ${shape.clinics} clinics`);
    });
    say(`    SQLite seed: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    await db.destroy();
    renameSync(partial, path);
    seededNow = true;
  }
  const db = withKeys(createDb({ sqlitePath: path }), TEST_KEYS);
  await migrateToLatest(db);
  return { db, index: await loadIndex(db, shape), sqlitePath: path, seededNow };
}

async function openPostgres(adminUrl: string, shape: SeedShape): Promise<Opened> {
  const name = `nc_bench_scale_${SCHEMA_VERSION.replace(/\W/g, '_')}_${shape.clinics}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let seededNow = false;
  try {
    const found = await admin.query<{ note: string | null }>(
      `select shobj_description(oid, 'pg_database') as note from pg_database where datname = $1`,
      [name],
    );
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    if (found.rows[0]?.note !== 'seeded') {
      await admin.query(`drop database if exists ${name}`);
      await admin.query(`create database ${name}`);
      const db = withKeys(createDb({ databaseUrl: url.toString() }), TEST_KEYS);
      await migrateToLatest(db);
      const t0 = performance.now();
      await seedScale(db, shape, Date.now(), (done) => {
        if (done % 100 === 0) say(`    seeded ${done} of ${shape.clinics} clinics`);
      });
      say(`    PostgreSQL seed: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      await db.destroy();
      await admin.query(`comment on database ${name} is 'seeded'`);
      seededNow = true;
    }
    const db = withKeys(createDb({ databaseUrl: url.toString() }), TEST_KEYS);
    await migrateToLatest(db);
    return { db, index: await loadIndex(db, shape), databaseUrl: url.toString(), seededNow };
  } finally {
    await admin.end();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Time `op` `n` times (after 5 warm-up calls); p50, p95 and p99 in ms. */
async function time(
  n: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ p50: number; p95: number; p99: number }> {
  for (let i = 0; i < 5; i++) await op(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 0.5),
    p95: percentile(samples, 0.95),
    p99: percentile(samples, 0.99),
  };
}

function record(
  figures: Figures,
  name: string,
  r: { p50: number; p95: number; p99: number },
  target?: string,
): void {
  figures.add({ name: `${name}: p50`, value: r.p50, unit: 'ms', digits: 1 });
  figures.add({
    name: `${name}: p95`,
    value: r.p95,
    unit: 'ms',
    digits: 1,
    ...(target === undefined ? {} : { target }),
  });
  figures.add({ name: `${name}: p99`, value: r.p99, unit: 'ms', digits: 1 });
}

class Rollback extends Error {}

/** The reads the dashboard's patient page makes (src/web/dashboard/routes/patients.routes.ts). */
async function patientPageReads(db: Db, clinicId: string, patientId: string): Promise<number> {
  const patient = await findPatient(db, clinicId, patientId);
  if (patient === undefined) throw new Error('seeded patient missing');
  const sessions = await listSessionsForPatient(db, clinicId, patient.id);
  const alerts = await listAlertsForPatient(db, clinicId, patient.id);
  let n = alerts.length;
  for (const session of sessions) n += (await listCheckInsForSession(db, session.id)).length;
  await listStaff(db, clinicId);
  return n;
}

/**
 * `npm run bench -- scale`: seed (or reuse) 1,000 clinics / 1M check-ins per dialect, show the
 * plans of the hot queries, then time the operations of issue 14 one call at a time.
 */
export async function benchScale(
  figures: Figures,
  options: { seconds: number; clinics?: number; dialect?: string },
): Promise<void> {
  const shape = { ...FULL_SHAPE, clinics: options.clinics ?? FULL_SHAPE.clinics };
  const pgUrl = process.env.DATABASE_URL;
  const dialects = (['sqlite', 'postgres'] as const).filter(
    (d) => (options.dialect === undefined || options.dialect === d) && (d === 'sqlite' || pgUrl),
  );
  if (!pgUrl) figures.note('PostgreSQL: skipped, because DATABASE_URL is not set');
  for (const dialect of dialects) {
    const label = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    say(`  ${label}: ${shape.clinics} clinics, ${shape.clinics * 1000} check-ins`);
    const opened =
      dialect === 'sqlite' ? await openSqlite(shape) : await openPostgres(pgUrl as string, shape);
    const { db, index } = opened;
    try {
      await explainHotQueries(db, index, say);
      const clinic = (i: number) =>
        index.clinics[i % index.clinics.length] as SeedIndex['clinics'][number];
      const prefix = `scale ${label}`;

      record(
        figures,
        `${prefix}, alert queue (its reads: listAlertQueue + listStaff)`,
        await time(200, async (i) => {
          await listAlertQueue(db, clinic(i).id);
          await listStaff(db, clinic(i).id);
        }),
        '< 20',
      );
      record(
        figures,
        `${prefix}, patient page reads`,
        await time(200, (i) => {
          const c = clinic(i);
          return patientPageReads(db, c.id, c.patientIds[(i * 7) % c.patientIds.length] as string);
        }),
        '< 20',
      );
      const fragments = ['mar', 'smith', 'lucia', '@example', '+34 6', 'ez 4'];
      record(
        figures,
        `${prefix}, patient search`,
        await time(200, (i) =>
          searchPatients(db, clinic(i).id, fragments[i % fragments.length] as string, 20),
        ),
        '< 50',
      );
      record(
        figures,
        `${prefix}, adverse-event register, 365 days`,
        await time(40, async (i) => {
          const now = new Date();
          const sessions = await listSessionsWithReports(
            db,
            clinic(i).id,
            new Date(now.getTime() - 365 * 86_400_000),
            now,
          );
          return countAdverseEvents(sessions, now, 365);
        }),
        '< 200',
      );
      record(
        figures,
        `${prefix}, outbox claim of 100 due`,
        await time(100, (i) =>
          db
            .transaction()
            .execute(async (trx) => {
              const claimed = await claimDueOutbox(trx, {
                now: new Date(),
                workerId: `bench-${i}`,
                limit: 100,
                leaseMs: 60_000,
              });
              if (claimed.length < 100) throw new Error(`only ${claimed.length} due`);
              throw new Rollback();
            })
            .catch((e: unknown) => {
              if (!(e instanceof Rollback)) throw e;
            }),
        ),
      );

      // The check-in through the real app (in process, one request at a time).
      const config = testConfig({
        databaseUrl: opened.databaseUrl,
        sqlitePath: opened.sqlitePath ?? ':memory:',
        cookieSecure: false,
        // Every request comes from one address (inject): the patient-link limits (60 a window
        // per address, decision 1112) would answer 429 after the 60th and time that instead.
        patientLinks: { perLinkMax: 100_000, perIpMax: 100_000 },
      });
      const app = await buildApp({
        config,
        db,
        clock: systemClock(),
        logger: createLogger('silent'),
      });
      await app.ready();
      const tokens = index.clinics.flatMap((c) => c.linkTokens.slice(-20));
      let failed = 0;
      record(
        figures,
        `${prefix}, check-in (POST through the app)`,
        await time(200, async (i) => {
          const res = await app.inject({
            method: 'POST',
            url: `/api/v1/p/${tokens[i % tokens.length]}/check-ins`,
            payload: { soreness: 3, symptoms: ['tenderness'] },
          });
          if (res.statusCode !== 201) failed++;
        }),
      );
      if (failed > 0) figures.note(`!! ${failed} check-ins failed`);
      await app.close();
    } finally {
      await db.destroy();
    }
    if (dialect === 'sqlite' && opened.sqlitePath !== undefined) {
      await measureServe(figures, {
        label,
        env: { NEEDLECARE_DB: opened.sqlitePath },
        index,
        seconds: options.seconds,
      });
    }
  }
}
