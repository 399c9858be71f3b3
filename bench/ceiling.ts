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

/** SQLite: WAL, synchronous=FULL, one row per transaction, as fast as one connection goes. */
export function sqliteCommitsPerSecond(seconds: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'nc-ceiling-'));
  const db = new Database(join(dir, 'ceiling.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (body, at) VALUES (?, ?)');
    const body = JSON.stringify({ soreness: 3, symptoms: ['tenderness'] });
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    let n = 0;
    while (performance.now() < until) {
      insert.run(body, new Date().toISOString());
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * PostgreSQL: single-row autocommit inserts through `pg` from a pool of the app's size
 * (10 connections) with 32 inserts in flight, the concurrency the check-in load uses, so the
 * server's own commit grouping counts on both sides of the ratio.
 */
export async function postgresCommitsPerSecond(
  databaseUrl: string,
  seconds: number,
  options: { poolMax?: number; inFlight?: number } = {},
): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolMax ?? 10 });
  const table = `nc_ceiling_${process.pid}`;
  try {
    await pool.query(
      `CREATE TABLE ${table} (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)`,
    );
    const body = JSON.stringify({ soreness: 3, symptoms: ['tenderness'] });
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    let n = 0;
    await Promise.all(
      Array.from({ length: options.inFlight ?? 32 }, async () => {
        while (performance.now() < until) {
          await pool.query(`INSERT INTO ${table} (body, at) VALUES ($1, $2)`, [
            body,
            new Date().toISOString(),
          ]);
          n++;
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}

/**
 * The latency floor under the half-load target: lone single-row autocommit inserts offered at
 * the same steady pace as the check-ins (`pacedOpenLoop`, latency counted from when each was
 * due), with the same durability. A check-in acknowledged only once committed cannot, in the
 * tail, beat the storage's own commits at that pace.
 */
export async function sqlitePacedCommits(rate: number, seconds: number): Promise<PacedResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nc-paced-'));
  const db = new Database(join(dir, 'paced.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (body, at) VALUES (?, ?)');
    const body = JSON.stringify({ soreness: 3, symptoms: ['tenderness'] });
    // better-sqlite3 commits on this thread: each insert is done when `send` returns.
    return await pacedOpenLoop(rate, seconds, async () => {
      insert.run(body, new Date().toISOString());
      return true;
    });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same through `pg`, from a pool of the app's size (10). */
export async function postgresPacedCommits(
  databaseUrl: string,
  rate: number,
  seconds: number,
): Promise<PacedResult> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const table = `nc_paced_${process.pid}`;
  try {
    await pool.query(
      `CREATE TABLE ${table} (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)`,
    );
    const body = JSON.stringify({ soreness: 3, symptoms: ['tenderness'] });
    // Every connection opened before the clock starts, as the app's pool is when it serves.
    await Promise.all(Array.from({ length: 10 }, () => pool.query('SELECT 1')));
    return await pacedOpenLoop(rate, seconds, async () => {
      await pool.query(`INSERT INTO ${table} (body, at) VALUES ($1, $2)`, [
        body,
        new Date().toISOString(),
      ]);
      return true;
    });
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}
