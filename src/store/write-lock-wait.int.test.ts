import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db, loadSqlite, withTransaction } from './db.ts';

// SQLite only: `begin immediate` waiting for another process's write lock without blocking the
// thread (decision 1421). The other process is played by a second connection to the same file,
// which holds the lock with `begin immediate` until the test commits it.

// The build `createDb` loads (12 or 13 by Node version): another copy of SQLite in this process
// would not see its locks.
const { Sqlite } = loadSqlite();

const dirs: string[] = [];
const others: SQLite.Database[] = [];
afterEach(() => {
  for (const other of others.splice(0)) if (other.open) other.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function setUp(options: { async: boolean; waitMs?: number }): Promise<{
  db: Db;
  other: SQLite.Database;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'nc-lock-'));
  dirs.push(dir);
  const path = join(dir, 'l.db');
  const db = createDb({
    sqlitePath: path,
    waitForWriteLockAsync: options.async,
    writeLockWaitMs: options.waitMs,
  });
  await sql`create table probe (id integer primary key, body text not null)`.execute(db);
  const other = new Sqlite(path);
  others.push(other);
  other.exec('begin immediate');
  return { db, other };
}

/** Counts timer turns while `promise` is pending: zero means the thread was blocked. */
async function turnsWhile(promise: Promise<unknown>, ms: number): Promise<number> {
  let turns = 0;
  const timer = setInterval(() => {
    turns += 1;
  }, 5);
  await Promise.race([promise.catch(() => undefined), new Promise((r) => setTimeout(r, ms))]);
  clearInterval(timer);
  return turns;
}

const insert = (db: Db) =>
  withTransaction(db, async (trx) => {
    await sql`insert into probe (body) values ('x')`.execute(trx);
  });

describe('waiting for the write lock (SQLite)', () => {
  it('keeps the thread turning while another process holds the lock, then writes', async () => {
    const { db, other } = await setUp({ async: true });
    try {
      const write = insert(db);
      // A blocked thread turns 0 times (SQLite's own busy wait holds it up to 5 s). The window
      // is long and the bar low: a full CI machine once gave one turn in 150 ms.
      const turns = await turnsWhile(write, 600);
      expect(turns).toBeGreaterThanOrEqual(3);
      other.exec('commit');
      await write;
      const { rows } = await sql<{ n: number }>`select count(*) as n from probe`.execute(db);
      expect(rows).toEqual([{ n: 1 }]);
      // The connection's own busy timeout is back for everything else.
      const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
      expect(timeout.rows[0]?.timeout).toBe(5000);
    } finally {
      await db.destroy();
    }
  });

  it("gives up with SQLITE_BUSY after its wait, as SQLite's busy timeout would", async () => {
    const { db } = await setUp({ async: true, waitMs: 100 });
    try {
      const started = performance.now();
      await expect(insert(db)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(100);
      const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
      expect(timeout.rows[0]?.timeout).toBe(5000);
    } finally {
      await db.destroy();
    }
  });

  it("without it, SQLite's busy handler sleeps on the thread (the control)", async () => {
    const { db } = await setUp({ async: false });
    try {
      await sql`pragma busy_timeout = 200`.execute(db);
      const write = insert(db);
      // The lock is never released (its holder is on this same thread): no turn happens until
      // the busy handler gives up.
      const turns = await turnsWhile(write, 150);
      await expect(write).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      expect(turns).toBeLessThanOrEqual(1);
    } finally {
      await db.destroy();
    }
  });
});
