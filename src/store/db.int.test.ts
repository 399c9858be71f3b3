import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createDb, dialectOf, SQLITE_CACHE_KIB } from './db.ts';

const dir = mkdtempSync(join(tmpdir(), 'nc-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('opens SQLite in a missing folder with the durability pragmas', async () => {
  const db = createDb({ sqlitePath: join(dir, 'nested', 'deeper', 'needlecare.db') });
  try {
    expect(dialectOf(db)).toBe('sqlite');
    const pragma = async (name: string) =>
      Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // FULL
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
    // 32 MiB of pages, not SQLite's 2,000 KiB: a clinic's queue is read from memory on the next
    // view (decision 1453).
    expect(await pragma('cache_size')).toBe(-SQLITE_CACHE_KIB);
    expect(SQLITE_CACHE_KIB).toBe(32 * 1024);
  } finally {
    await db.destroy();
  }
});

it('prefers PostgreSQL when a database URL is given (no connection until used)', async () => {
  const db = createDb({
    databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
    sqlitePath: join(dir, 'x.db'),
  });
  expect(dialectOf(db)).toBe('postgres');
  await db.destroy();
});
