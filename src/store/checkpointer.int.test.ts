import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { WRITER_CHECKPOINT_PAGES } from './checkpointer.ts';
import { createDb, type Db } from './db.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** 300 committed rows of 3 KB each: ~300 WAL pages, far fewer than the writer's own mark. */
async function writeRows(db: Db): Promise<void> {
  await sql`create table probe (id integer primary key, body text not null)`.execute(db);
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < 300; i++)
      await sql`insert into probe (body) values (${'x'.repeat(3000)})`.execute(trx);
  });
}

async function sizeAfterIdle(path: string, ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return statSync(path).size;
}

describe('background WAL checkpoints (SQLite)', () => {
  it('copies committed pages into the database file while the writer is idle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-cp-'));
    dirs.push(dir);
    const path = join(dir, 'cp.db');
    const db = createDb({ sqlitePath: path, backgroundCheckpoints: true });
    try {
      const { rows } = await sql<{
        wal_autocheckpoint: number;
      }>`pragma wal_autocheckpoint`.execute(db);
      expect(rows[0]?.wal_autocheckpoint).toBe(WRITER_CHECKPOINT_PAGES);
      await writeRows(db);
      // The writer commits nothing more from here: only the worker can move the pages.
      let size = statSync(path).size;
      for (let waited = 0; size < 900_000 && waited < 5000; waited += 100)
        size = await sizeAfterIdle(path, 100);
      expect(size).toBeGreaterThan(900_000);
      expect((await sql`select count(*) as n from probe`.execute(db)).rows).toEqual([{ n: 300 }]);
    } finally {
      await db.destroy();
    }
  });

  it('without it, the same pages wait in the log for the writer (the control)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-cp-'));
    dirs.push(dir);
    const path = join(dir, 'cp.db');
    const db = createDb({ sqlitePath: path });
    try {
      await sql`pragma wal_autocheckpoint = ${sql.raw(String(WRITER_CHECKPOINT_PAGES))}`.execute(
        db,
      );
      await writeRows(db);
      expect(await sizeAfterIdle(path, 1000)).toBeLessThan(100_000);
    } finally {
      await db.destroy();
    }
  });
});
