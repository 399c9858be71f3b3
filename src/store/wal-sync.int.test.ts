import { fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db, withTransaction } from './db.ts';
import { withGroupCommit } from './group-commit.ts';
import { findIdempotentResponse, saveIdempotentResponse } from './idempotency.repository.ts';
import { withKeys } from './keyring.ts';
import { migrateToLatest } from './migrations.ts';
import { TEST_KEYS } from './test-keys.ts';
import { type SyncGate as Gate, syncGate as gate, settledWithin } from './test-sync-gate.ts';
import { walSyncOf } from './wal-sync.ts';

// SQLite only: the fsync of the `-wal` file off the server's thread (decision 1419). The fsync is
// the real one; the tests hold it back behind a gate to see what waits for it.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(syncOffThread: Gate | true): { db: Db; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nc-walsync-'));
  dirs.push(dir);
  const path = join(dir, 'w.db');
  const db = withKeys(
    createDb({
      sqlitePath: path,
      syncOffThread: syncOffThread === true ? true : { sync: syncOffThread.sync },
    }),
    TEST_KEYS,
  );
  return { db, path };
}

/** A handle on a fresh file with an empty `probe` table, destroyed after `fn`. */
async function withProbe(
  syncOffThread: Gate | true,
  fn: (db: Db, path: string) => Promise<void>,
): Promise<void> {
  const { db, path } = open(syncOffThread);
  try {
    await sql`create table probe (id integer primary key, body text not null)`.execute(db);
    await fn(db, path);
  } finally {
    await db.destroy();
  }
}

async function insert(db: Db, body: string): Promise<void> {
  await sql`insert into probe (body) values (${body})`.execute(db);
}

/** One row in a transaction of its own. */
function commitOne(db: Db, body: string): Promise<void> {
  return withTransaction(db, (trx) => insert(trx, body));
}

async function count(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from probe`.execute(db);
  return rows[0]?.n ?? -1;
}

describe('SQLite commits synced off the thread', () => {
  it('commits with synchronous=NORMAL and returns from a transaction only after its fsync', async () => {
    const g = gate();
    await withProbe(g, async (db, path) => {
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
      expect(rows[0]?.synchronous).toBe(1); // NORMAL
      const done = commitOne(db, 'a');
      expect(await settledWithin(done)).toBe(false);
      // Committed (another read sees it) but not acknowledged: its fsync has not run.
      expect(await count(db)).toBe(1);
      expect(g.calls).toHaveLength(1);
      // The descriptor synced is the database's own log.
      expect(fstatSync(g.calls[0] as number).ino).toBe(statSync(`${path}-wal`).ino);
      g.open();
      await done;
      expect(walSyncOf(db)?.pending).toBe(0);
    });
  });

  it('shares one fsync among the commits written while another was running', async () => {
    const g = gate();
    await withProbe(g, async (db) => {
      const all = Array.from({ length: 6 }, (_, i) => commitOne(db, String(i)));
      expect(await settledWithin(Promise.all(all))).toBe(false);
      // The first commit's fsync is held; the five after it wait for one more, not five.
      expect(g.calls).toHaveLength(1);
      g.open();
      await Promise.all(all);
      expect(g.calls).toHaveLength(2);
      expect(await count(db)).toBe(6);
    });
  });

  it('acknowledges a group-commit item only once the group is on disk', async () => {
    const g = gate();
    await withProbe(g, async (db) => {
      const items = ['a', 'b', 'c'].map((body) =>
        withGroupCommit(db, 'probe', async (trx) => {
          await insert(trx, body);
          return body;
        }),
      );
      expect(await settledWithin(Promise.all(items))).toBe(false);
      g.open();
      expect(await Promise.all(items)).toEqual(['a', 'b', 'c']);
    });
  });

  it('settles an item asked to settle at the commit before the fsync, its neighbours after', async () => {
    const g = gate();
    await withProbe(g, async (db) => {
      const item = (body: string, settleAt: 'commit' | 'durable') =>
        withGroupCommit(
          db,
          'probe',
          async (trx) => {
            await insert(trx, body);
            return body;
          },
          {},
          undefined,
          settleAt,
        );
      const early = item('a', 'commit');
      const late = item('b', 'durable');
      // Same group, committed: the one asked settles now, with its value.
      expect(await early).toBe('a');
      expect(await count(db)).toBe(2);
      expect(await settledWithin(late)).toBe(false);
      // The next group waits for the fsync too, even one whose items settle at the commit.
      const next = item('c', 'commit');
      expect(await settledWithin(next)).toBe(false);
      expect(await count(db)).toBe(2);
      expect(g.calls).toHaveLength(1);
      g.open();
      expect(await late).toBe('b');
      expect(await next).toBe('c');
      expect(await count(db)).toBe(3);
    });
  });

  it('fails the items still waiting when the fsync after their commit fails', async () => {
    const g = gate();
    await withProbe(g, async (db) => {
      const item = (body: string, settleAt: 'commit' | 'durable') =>
        withGroupCommit(db, 'probe', async (trx) => insert(trx, body), {}, undefined, settleAt);
      const early = item('a', 'commit');
      const late = item('b', 'durable');
      await early;
      g.fail(new Error('EIO'));
      await expect(late).rejects.toThrow(/fsync of .*-wal failed/);
      // The early item's door holds its answer on the same wait, which fails for it too.
      await expect(walSyncOf(db)?.whenDurable()).rejects.toThrow(/nothing more is acknowledged/);
    });
  });

  it('replays an idempotent answer only once the write it answers for is on disk', async () => {
    const g = gate();
    g.open();
    const { db } = open(g);
    try {
      await migrateToLatest(db);
      g.hold();
      const key = { scope: 'check-in:s1', key: 'k1' };
      const saved = withTransaction(db, (trx) =>
        saveIdempotentResponse(trx, {
          ...key,
          requestHash: 'h',
          statusCode: 201,
          response: { ok: true },
          createdAt: new Date('2026-12-02T06:00:00Z'),
        }),
      );
      expect(await settledWithin(saved)).toBe(false);
      // The retry finds the record at once, but answers only after the fsync.
      const replay = findIdempotentResponse(db, key.scope, key.key);
      expect(await settledWithin(replay)).toBe(false);
      g.open();
      expect(await saved).toBe(true);
      expect((await replay)?.statusCode).toBe(201);
    } finally {
      await db.destroy();
    }
  });

  it('syncs a write outside a transaction before it returns, on the thread', async () => {
    const g = gate();
    await withProbe(g, async (db) => {
      const before = walSyncOf(db)?.stats.syncs ?? -1;
      await insert(db, 'a');
      // Synced on the spot (fdatasync on the thread), not through the held fsync.
      expect(walSyncOf(db)?.stats.syncs).toBe(before + 1);
      expect(walSyncOf(db)?.pending).toBe(0);
      expect(g.calls).toHaveLength(0);
      // A read writes nothing and syncs nothing.
      expect(await count(db)).toBe(1);
      expect(walSyncOf(db)?.stats.syncs).toBe(before + 1);
    });
  });

  it('acknowledges nothing more once an fsync has failed', async () => {
    const g = gate();
    await withProbe(g, async (db) => {
      const first = commitOne(db, 'a');
      expect(await settledWithin(first)).toBe(false);
      g.fail(new Error('EIO'));
      await expect(first).rejects.toThrow(/fsync of .*-wal failed/);
      // Later commits are not acknowledged either: the page cache may have lost the first.
      await expect(commitOne(db, 'b')).rejects.toThrow(/nothing more is acknowledged/);
      await expect(insert(db, 'c')).rejects.toThrow(/nothing more is acknowledged/);
    });
  });

  it('with the real fdatasync, keeps what it acknowledged across a reopen', async () => {
    let file = '';
    await withProbe(true, async (db, path) => {
      file = path;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          withGroupCommit(db, 'probe', (trx) => insert(trx, String(i))),
        ),
      );
      expect(walSyncOf(db)?.stats.syncs).toBeGreaterThan(0);
      expect(walSyncOf(db)?.pending).toBe(0);
    });
    const again = createDb({ sqlitePath: file });
    try {
      expect(await count(again)).toBe(20);
    } finally {
      await again.destroy();
    }
  });

  it('is not used by default, nor on an in-memory database', async () => {
    const { db } = { db: createDb({ sqlitePath: ':memory:', syncOffThread: true }) };
    try {
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
      expect(rows[0]?.synchronous).toBe(2); // FULL
      expect(walSyncOf(db)).toBeUndefined();
    } finally {
      await db.destroy();
    }
  });
});
