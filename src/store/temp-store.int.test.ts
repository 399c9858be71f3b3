import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, loadSqlite, withTransaction } from './db.ts';

// SQLite only: a statement's undo record (its statement journal) stays in memory (decision
// 1478). SQLite writes it to a temporary file of its own once it passes 64 KiB; a check-in
// group's multi-row inserts passed that on every group.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nc-tempstore-'));
  dirs.push(dir);
  return join(dir, 't.db');
}

/**
 * SQLite's temporary files this process holds open. They have no name left: SQLite 3.53
 * (better-sqlite3 12, Node 20) makes `etilqs_…` and unlinks it at once; 3.54 (better-sqlite3
 * 13, Node 22+) opens its temporary directory with `O_TMPFILE`, which Linux shows as `#<inode>`.
 */
function openTempFiles(): string[] {
  const fds = readdirSync('/proc/self/fd');
  const targets: string[] = [];
  for (const fd of fds) {
    try {
      targets.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // Closed between the listing and the read.
    }
  }
  return targets.filter(
    (target) => target.includes('etilqs_') || /\/#\d+ \(deleted\)$/.test(target),
  );
}

const ROWS = 3_200;
const GROUP = 400;
/** Text spread over the whole index, so that one insert of many rows changes many old pages. */
const spread = (i: number): string =>
  `${((i * 7_919) % 10_007).toString().padStart(6, '0')}-${'x'.repeat(80)}`;

const hasProc = process.platform === 'linux';
if (!hasProc) console.log('temp-store.int.test: skipped, it reads /proc/self/fd (Linux only)');

describe.skipIf(!hasProc)('SQLite statement journals in memory', () => {
  it('sets temp_store to memory on every handle createDb opens', async () => {
    const db = createDb({ sqlitePath: freshPath() });
    try {
      const { rows } = await sql<{ temp_store: number }>`pragma temp_store`.execute(db);
      expect(rows[0]?.temp_store).toBe(2);
    } finally {
      await db.destroy();
    }
  });

  it('writes a multi-row insert inside a transaction without a temporary file', async () => {
    const db = createDb({ sqlitePath: freshPath() });
    try {
      await sql`create table probe (id integer primary key, body text not null unique)`.execute(db);
      for (let from = 0; from < ROWS; from += GROUP) {
        const values = Array.from({ length: GROUP }, (_, k) => sql`(${spread(from + k)})`);
        await sql`insert into probe (body) values ${sql.join(values)}`.execute(db);
      }
      let during: string[] = ['not read'];
      await withTransaction(db, async (trx) => {
        const values = Array.from({ length: GROUP }, (_, k) => sql`(${`${spread(k)}-new`})`);
        await sql`insert into probe (body) values ${sql.join(values)}`.execute(trx);
        during = openTempFiles();
      });
      expect(during).toEqual([]);
      const { rows } = await sql<{ n: number }>`select count(*) as n from probe`.execute(db);
      expect(rows[0]?.n).toBe(ROWS + GROUP);
    } finally {
      await db.destroy();
    }
  });

  it('the same insert on a connection left at the default spills its journal to a file', () => {
    // The control: proves the test above can see the file it asserts is absent.
    const { Sqlite } = loadSqlite();
    const plain = new Sqlite(freshPath());
    try {
      plain.pragma('journal_mode = WAL');
      plain.exec('create table probe (id integer primary key, body text not null unique)');
      const insert = (bodies: string[]) =>
        plain
          .prepare(`insert into probe (body) values ${bodies.map(() => '(?)').join(', ')}`)
          .run(...bodies);
      for (let from = 0; from < ROWS; from += GROUP) {
        insert(Array.from({ length: GROUP }, (_, k) => spread(from + k)));
      }
      plain.exec('begin immediate');
      insert(Array.from({ length: GROUP }, (_, k) => `${spread(k)}-new`));
      const during = openTempFiles();
      plain.exec('commit');
      expect(during).toHaveLength(1);
    } finally {
      plain.close();
    }
  });
});
