import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/api/logger.ts';
import { tuneHeapForServing } from '../../src/api/serving-heap.ts';
import { PASSWORD, signIn, TEST_ARGON2, testConfig } from '../../src/api/test-support.ts';
import { PRODUCTION_PLUGINS } from '../../src/cli/commands/serve.ts';
import type { StaffActor } from '../../src/services/actors.ts';
import { readAlertQueueSignature } from '../../src/services/alerts.ts';
import { systemClock } from '../../src/services/clock.ts';
import { createPasswordHasher } from '../../src/services/passwords.ts';
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
 * the seed's rows (bump SEED_VERSION; 2: alert e-mails carry the product's payload; 3: on
 * PostgreSQL no dead session rows from migration 0270's triggers, and a vacuum), means a new
 * seed.
 */
const SEED_VERSION = 3;
const SCHEMA_VERSION = `${Object.keys(MIGRATIONS).sort().at(-1) ?? 'none'}-s${SEED_VERSION}`;
const CACHE_DIR = 'data/bench';
/**
 * Each run works on a copy of the cached seed, dropped at its end: the bench's own check-ins
 * and page views would otherwise pile up in the seed from run to run (decision 1452).
 */
const SQLITE_WORK = join(CACHE_DIR, 'scale-work.db');
const POSTGRES_WORK = 'nc_bench_scale_work';

interface Opened {
  readonly db: Db;
  readonly index: SeedIndex;
  readonly databaseUrl?: string;
  readonly sqlitePath?: string;
  readonly seededNow: boolean;
  /** Remove the run's working copy (after `db` is destroyed). */
  discard(): Promise<void>;
}

function removeSqlite(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
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
    removeSqlite(partial);
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
  removeSqlite(SQLITE_WORK);
  const t0 = performance.now();
  copyFileSync(path, SQLITE_WORK);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${SQLITE_WORK}-wal`);
  say(`    working copy of the seed: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const db = withKeys(createDb({ sqlitePath: SQLITE_WORK }), TEST_KEYS);
  await migrateToLatest(db);
  return {
    db,
    index: await loadIndex(db, shape),
    sqlitePath: SQLITE_WORK,
    seededNow,
    discard: async () => removeSqlite(SQLITE_WORK),
  };
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
    // A file copy of the seed's database (PostgreSQL 15's default strategy writes it all to
    // the WAL, several times slower).
    const version = Number(
      (await admin.query<{ v: string }>(`select current_setting('server_version_num') as v`))
        .rows[0]?.v,
    );
    await admin.query(`drop database if exists ${POSTGRES_WORK}`);
    const t0 = performance.now();
    await admin.query(
      `create database ${POSTGRES_WORK} template ${name}${version >= 150000 ? ' strategy file_copy' : ''}`,
    );
    say(`    working copy of the seed: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const work = new URL(adminUrl);
    work.pathname = `/${POSTGRES_WORK}`;
    const db = withKeys(createDb({ databaseUrl: work.toString() }), TEST_KEYS);
    await migrateToLatest(db);
    return {
      db,
      index: await loadIndex(db, shape),
      databaseUrl: work.toString(),
      seededNow,
      discard: async () => {
        const dropper = new pg.Client({ connectionString: adminUrl });
        await dropper.connect();
        await dropper.query(`drop database if exists ${POSTGRES_WORK}`);
        await dropper.end();
      },
    };
  } finally {
    await admin.end();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/**
 * Calls before each timed run: two per timed clinic, so every clinic's pages have been read
 * once and the code has run a few times before timing starts (decision 1456; 5 until the
 * thirty-second round, which timed the first view of clinics 5–9).
 */
const WARM_UP_CALLS = 20;

/**
 * The pages over HTTP are timed twice (decision 1464): their first 200 views in this process,
 * after `WARM_UP_CALLS`, printed without a target; then, after this many more views, 200 views
 * held to the target. Until V8 has optimized a page's code (a few hundred views of the queue
 * page), each view takes ~1.5× the CPU and keeps ~4× the garbage alive through young
 * collections, which are then ~5× as long: that is the server's start, and a server in service
 * (where the live list renders the same code on every change) is past it.
 */
const PAGE_WARM_UP_VIEWS = 300;

/**
 * Time `op` `n` times (after `warmUp` calls, `WARM_UP_CALLS` by default); p50, p95 and p99 in
 * ms. `before`, if given, runs ahead of each timed call, outside its time.
 */
async function time(
  n: number,
  op: (i: number) => Promise<unknown>,
  before?: (i: number) => Promise<unknown>,
  warmUp = WARM_UP_CALLS,
): Promise<{ p50: number; p95: number; p99: number }> {
  for (let i = 0; i < warmUp; i++) await op(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    if (before !== undefined) await before(i);
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

/**
 * Each timed clinic's practitioner, signed in through the real sign-in: the seed stores a
 * password hash nobody can sign in with, so the bench sets `PASSWORD` on these few accounts
 * (again on every run; the cached seed is otherwise left as it was).
 */
async function signInBenchStaff(
  app: Awaited<ReturnType<typeof buildApp>>,
  db: Db,
  index: SeedIndex,
): Promise<{ cookie: string; actor: StaffActor }[]> {
  const hashed = await createPasswordHasher(TEST_ARGON2).hash(PASSWORD);
  const signedIn = [];
  for (const [ci, clinic] of index.clinics.entries()) {
    const email = `practitioner-${ci}@bench.needlecare.test`;
    const user = await db
      .updateTable('staff_users')
      .set({ password_hash: hashed })
      .where('clinic_id', '=', clinic.id)
      .where('email', '=', email)
      .returning('id')
      .executeTakeFirstOrThrow();
    const browser = await signIn(app, email);
    signedIn.push({
      cookie: browser.cookie,
      actor: {
        kind: 'staff' as const,
        userId: user.id,
        clinicId: clinic.id,
        role: 'practitioner' as const,
        ip: '127.0.0.1',
        requestId: `bench-${ci}`,
      },
    });
  }
  return signedIn;
}

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
  // The pages are served from this process: V8 set as `needlecare serve` sets it (decision 1447).
  // Until the thirty-fourth round it was not, and objects made at sites V8 had moved to the old
  // generation kept each page's garbage alive through the scavenges (decision 1458).
  tuneHeapForServing();
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

      // The pages and the check-in through the real app with the production routes (in
      // process, one request at a time): everything the route does, rendering and audit
      // events included.
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
        plugins: PRODUCTION_PLUGINS,
      });
      await app.ready();
      const staff = await signInBenchStaff(app, db, index);
      const staffOf = (i: number) => staff[i % staff.length] as (typeof staff)[number];
      // The pages over a real socket, as a browser gets them: `inject` copies a page of
      // ~200 kB a few times more than a socket write does.
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const get = (path: string, headers: http.OutgoingHttpHeaders) =>
        new Promise<void>((resolve, reject) => {
          http
            .get(`${base}${path}`, { agent, headers }, (res) => {
              res.resume();
              res.on('end', () =>
                res.statusCode === 200
                  ? resolve()
                  : reject(new Error(`GET ${path}: ${res.statusCode}`)),
              );
            })
            .on('error', reject);
        });
      const page = (i: number, path: string) => get(path, { cookie: staffOf(i).cookie });
      const queuePage = (i: number) => page(i, '/app');
      record(
        figures,
        `${prefix}, alert queue page (GET /app over HTTP, signed in), its first 200 views`,
        await time(200, queuePage),
      );
      record(
        figures,
        `${prefix}, alert queue page (GET /app over HTTP, signed in), after ${PAGE_WARM_UP_VIEWS} more`,
        await time(200, queuePage, undefined, PAGE_WARM_UP_VIEWS),
        '< 20',
      );
      if (dialect === 'sqlite') {
        // The same page with SQLite's page cache emptied before each view (decision 1453): its
        // pages come from the operating system's cache, as on a clinic's first view since the
        // server started. PostgreSQL's shared buffers cannot be emptied from here.
        record(
          figures,
          `${prefix}, alert queue page, SQLite's page cache emptied before each view`,
          await time(
            50,
            (i) => page(i, '/app'),
            () => sql.raw('pragma shrink_memory').execute(db),
          ),
        );
      }
      record(
        figures,
        `${prefix}, the live list's fingerprint (readAlertQueueSignature)`,
        await time(200, (i) => readAlertQueueSignature(app.deps, staffOf(i).actor)),
      );
      const patientPage = (i: number) => {
        const c = clinic(i);
        return page(i, `/app/patients/${c.patientIds[(i * 7) % c.patientIds.length]}`);
      };
      record(
        figures,
        `${prefix}, patient page (GET /app/patients/:id over HTTP, signed in), its first 200 views`,
        await time(200, patientPage),
      );
      record(
        figures,
        `${prefix}, patient page (GET /app/patients/:id over HTTP, signed in), after ${PAGE_WARM_UP_VIEWS} more`,
        await time(200, patientPage, undefined, PAGE_WARM_UP_VIEWS),
        '< 20',
      );
      record(
        figures,
        `${prefix}, alerts API (GET /api/v1/alerts over HTTP)`,
        await time(200, (i) =>
          get('/api/v1/alerts', { authorization: `Bearer ${clinic(i).apiToken}` }),
        ),
      );
      agent.destroy();
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
    try {
      if (dialect === 'sqlite' && opened.sqlitePath !== undefined) {
        await measureServe(figures, {
          label,
          env: { NEEDLECARE_DB: opened.sqlitePath },
          index,
          seconds: options.seconds,
        });
      }
    } finally {
      await opened.discard();
    }
  }
}
