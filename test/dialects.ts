/**
 * Run one suite on every dialect: `describeEachDialect('alerts', (ctx) => { it(…, async () =>
 * { await insertAlert(ctx.db, …) }) })`.
 *
 * - SQLite: a fresh temp-file database per suite (WAL, migrated), removed afterwards.
 * - PostgreSQL when `DATABASE_URL` is set: a fresh database `nc_t_<random>` per suite, created
 *   through DATABASE_URL, migrated, dropped in afterAll. Vitest runs files in parallel workers,
 *   so no two suites ever share a database.
 * - Every handle carries the fixed test keys (src/store/test-keys.ts, docs/decisions/1100).
 * - No `DATABASE_URL`: the PostgreSQL suite is registered as skipped and the reason is printed
 *   once per run; with `CI` set it fails instead, so CI cannot silently lose PostgreSQL coverage.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createDb, type Db, type DbConfig, type DialectName } from '../src/store/db.ts';
import { withKeys } from '../src/store/keyring.ts';
import { migrateToLatest } from '../src/store/migrations.ts';
import { TEST_KEYS } from '../src/store/test-keys.ts';

export interface DialectContext {
  readonly dialect: DialectName;
  /** The suite's migrated database; available from `beforeAll` on. */
  readonly db: Db;
  /** Config that opens the same database, for a second independent handle. */
  readonly config: DbConfig;
  /** Open another handle on the suite's database (closed by the harness in afterAll). */
  openAnother(): Db;
}

export const PG_SKIP_REASON = 'PostgreSQL tests skipped: DATABASE_URL is not set';

class SuiteDatabase implements DialectContext {
  readonly dialect: DialectName;
  #db: Db | undefined;
  #config: DbConfig | undefined;
  readonly #extra: Db[] = [];

  constructor(dialect: DialectName) {
    this.dialect = dialect;
  }

  get db(): Db {
    if (!this.#db) throw new Error(`${this.dialect} test database used before beforeAll`);
    return this.#db;
  }

  get config(): DbConfig {
    if (!this.#config) throw new Error(`${this.dialect} test database used before beforeAll`);
    return this.#config;
  }

  openAnother(): Db {
    const db = withKeys(createDb(this.config), TEST_KEYS);
    this.#extra.push(db);
    return db;
  }

  async open(config: DbConfig): Promise<void> {
    this.#config = config;
    this.#db = withKeys(createDb(config), TEST_KEYS);
    await migrateToLatest(this.#db);
  }

  async close(): Promise<void> {
    await Promise.all(this.#extra.splice(0).map((db) => db.destroy()));
    await this.#db?.destroy();
    this.#db = undefined;
  }
}

function registerSqlite(name: string, fn: (ctx: DialectContext) => void): void {
  describe(`${name} [sqlite]`, () => {
    const ctx = new SuiteDatabase('sqlite');
    let dir: string | undefined;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'nc-test-'));
      await ctx.open({ sqlitePath: join(dir, 'test.db') });
    });
    afterAll(async () => {
      await ctx.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    fn(ctx);
  });
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function registerPostgres(name: string, url: string, fn: (ctx: DialectContext) => void): void {
  describe(`${name} [postgres]`, () => {
    const ctx = new SuiteDatabase('postgres');
    // Random lower-case hex: safe to splice into DDL, which takes no parameters.
    const database = `nc_t_${randomBytes(8).toString('hex')}`;
    let created = false;
    beforeAll(async () => {
      await adminQuery(url, `create database ${database}`);
      created = true;
      await ctx.open({ databaseUrl: withDatabase(url, database), poolMax: 10 });
    }, 30_000);
    afterAll(async () => {
      await ctx.close();
      if (created) await adminQuery(url, `drop database if exists ${database} with (force)`);
    }, 30_000);
    fn(ctx);
  });
}

let skipNoticePrinted = false;

/**
 * Identify this vitest run: worker processes share the parent's pid; its start time (Linux
 * /proc) guards against pid reuse across runs.
 */
function runId(): string {
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
    return `${process.ppid}-${startTime}`;
  } catch {
    return String(process.ppid);
  }
}

/** Print the skip reason once per vitest run, not once per test file. */
function printSkipNoticeOnce(): void {
  if (skipNoticePrinted) return;
  skipNoticePrinted = true;
  try {
    writeFileSync(join(tmpdir(), `needlecare-pg-skip-${runId()}`), '', { flag: 'wx' });
  } catch {
    return; // another worker of this run printed it
  }
  process.stderr.write(`${PG_SKIP_REASON}\n`);
}

/**
 * Register `fn` as a suite once per dialect. `fn` runs at collection time: create data inside
 * hooks and tests, and read `ctx.db` only there.
 */
export function describeEachDialect(name: string, fn: (ctx: DialectContext) => void): void {
  registerSqlite(name, fn);
  describePostgres(name, fn);
}

/** Register `fn` on PostgreSQL only (what SQLite has no counterpart of), skipped as above. */
export function describePostgres(name: string, fn: (ctx: DialectContext) => void): void {
  const url = process.env.DATABASE_URL;
  if (url) {
    registerPostgres(name, url, fn);
  } else if (process.env.CI) {
    describe(`${name} [postgres]`, () => {
      it('needs DATABASE_URL in CI', () => {
        throw new Error('DATABASE_URL is not set: CI must run the PostgreSQL tests');
      });
    });
  } else {
    printSkipNoticeOnce();
    describe.skip(`${name} [postgres] (${PG_SKIP_REASON})`, () => {
      fn(new SuiteDatabase('postgres'));
    });
  }
}
