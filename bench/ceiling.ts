import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type PacedResult, pacedOpenLoop } from './load.ts';

/**
 * The durable ceilings a check-in is compared with (issue 14): how many single-row,
 * autocommitted inserts the storage itself acknowledges per second, with the same durability
 * the product promises. Nothing the app does on top can beat this without batching commits.
 */

const BODY = JSON.stringify({ soreness: 3, symptoms: ['tenderness'] });

/**
 * A fresh SQLite file in WAL mode with `synchronous=FULL` and one table; `use` gets a function
 * that inserts one row in its own transaction (committed, on this thread, when it returns).
 */
async function withSqliteTable<T>(use: (insertOne: () => void) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nc-ceiling-'));
  const db = new Database(join(dir, 'ceiling.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (body, at) VALUES (?, ?)');
    return await use(() => insert.run(BODY, new Date().toISOString()));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A scratch table in PostgreSQL behind a pool of the app's size (10 connections, all opened
 * before `use` starts its clock); `use` gets a function that inserts one row, autocommitted.
 */
async function withPostgresTable<T>(
  databaseUrl: string,
  poolMax: number,
  use: (insertOne: () => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  const table = `nc_ceiling_${process.pid}`;
  try {
    await pool.query(
      `CREATE TABLE ${table} (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)`,
    );
    await Promise.all(Array.from({ length: poolMax }, () => pool.query('SELECT 1')));
    const text = `INSERT INTO ${table} (body, at) VALUES ($1, $2)`;
    return await use(() => pool.query(text, [BODY, new Date().toISOString()]));
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}

/** SQLite: WAL, synchronous=FULL, one row per transaction, as fast as one connection goes. */
export function sqliteCommitsPerSecond(seconds: number): Promise<number> {
  return withSqliteTable((insertOne) => {
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    let n = 0;
    while (performance.now() < until) {
      insertOne();
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  });
}

/**
 * PostgreSQL: single-row autocommit inserts through `pg` from a pool of the app's size
 * (10 connections) with 32 inserts in flight, the concurrency the check-in load uses, so the
 * server's own commit grouping counts on both sides of the ratio.
 */
export function postgresCommitsPerSecond(
  databaseUrl: string,
  seconds: number,
  options: { poolMax?: number; inFlight?: number } = {},
): Promise<number> {
  return withPostgresTable(databaseUrl, options.poolMax ?? 10, async (insertOne) => {
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    let n = 0;
    await Promise.all(
      Array.from({ length: options.inFlight ?? 32 }, async () => {
        while (performance.now() < until) {
          await insertOne();
          n++;
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  });
}

/**
 * The latency floor under the half-load target: lone single-row autocommit inserts offered at
 * the same steady pace as the check-ins (`pacedOpenLoop`, latency counted from when each was
 * due), with the same durability. A check-in acknowledged only once committed cannot, in the
 * tail, beat the storage's own commits at that pace (decision 1432).
 */
export function sqlitePacedCommits(rate: number, seconds: number): Promise<PacedResult> {
  return withSqliteTable((insertOne) =>
    pacedOpenLoop(rate, seconds, async () => {
      insertOne();
      return true;
    }),
  );
}

/** The same through `pg`, from a pool of the app's size (10). */
export function postgresPacedCommits(
  databaseUrl: string,
  rate: number,
  seconds: number,
): Promise<PacedResult> {
  return withPostgresTable(databaseUrl, 10, (insertOne) =>
    pacedOpenLoop(rate, seconds, async () => {
      await insertOne();
      return true;
    }),
  );
}
