import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

it('loads pg only when a PostgreSQL connection is first wanted, never for SQLite (decision 1465)', () => {
  // In a process of its own: this one has loaded pg already. pg is CommonJS, so once loaded its
  // files are in require.cache.
  const db = fileURLToPath(new URL('./db.ts', import.meta.url));
  const script = `
    import { createRequire } from 'node:module';
    import { sql } from 'kysely';
    import { createDb } from ${JSON.stringify(db)};
    const cache = createRequire(import.meta.url).cache;
    const pgFiles = () => Object.keys(cache).filter((f) => /[\\/]node_modules[\\/]pg[\\/]/.test(f)).length;
    const lite = createDb({ sqlitePath: ':memory:' });
    await sql\`select 1\`.execute(lite);
    await lite.destroy();
    const sqlite = pgFiles();
    const pgDb = createDb({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none' });
    const created = pgFiles();
    await sql\`select 1\`.execute(pgDb).catch(() => undefined);
    const used = pgFiles();
    await pgDb.destroy();
    console.log(JSON.stringify({ sqlite, created, used }));
  `;
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', script],
    { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8', timeout: 60_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  const counts = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Record<
    string,
    number
  >;
  expect(counts.sqlite).toBe(0);
  expect(counts.created).toBe(0);
  expect(counts.used).toBeGreaterThan(0);
});
