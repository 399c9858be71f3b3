import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import type SQLite from 'better-sqlite3';
import type { Db } from './db.ts';

/**
 * SQLite commits whose fsync runs off the server's thread (decision 1419).
 *
 * With `synchronous=FULL` every `COMMIT` fsyncs the `-wal` file inside better-sqlite3, on the
 * server's only thread: 3 ms per check-in group, during which no request is parsed or answered.
 * A server connection opened with `syncOffThread` runs `synchronous=NORMAL` instead, so `COMMIT`
 * only writes its WAL frames, and the fsync (`fdatasync` of the `-wal` file, as SQLite itself
 * does on Linux) runs on libuv's thread pool while the thread goes on with the next group:
 *
 * - `withTransaction` (and so group commit) returns only once every commit made so far is on
 *   disk: acknowledged = durable, as with FULL. One fsync covers every commit written before it
 *   began, so commits that finish while one is in flight share the next.
 * - A write outside a transaction (autocommit) is synced on the spot, on the thread: FULL's
 *   behaviour, for the few writes that take that path.
 * - An idempotent replay waits too (`findIdempotentResponse`): it answers for a write that may
 *   have committed a moment ago.
 * - Other reads may see a commit a few milliseconds before it is on disk; nothing is answered as
 *   stored on the strength of such a read. After a power cut such a commit is gone whole: WAL
 *   mode with NORMAL stays consistent, it only loses what was not yet synced, and nothing of
 *   that was acknowledged.
 * - Checkpoints still fsync the log first and the database after (SQLite does that with NORMAL).
 * - If an fsync fails, what it should have covered may be lost from the page cache already:
 *   that call and every later one fail, so nothing more is acknowledged until a restart.
 *
 * The `-wal` file is opened once and kept: SQLite deletes it only when its last connection to
 * the database closes, and this connection lives as long as the handle. SQLite takes no lock on
 * the `-wal` file (WAL locks live in `-shm`), so a descriptor of our own disturbs none of its.
 */
export class WalSync {
  readonly #walPath: string;
  readonly #sync: (fd: number) => Promise<void>;
  #fd: number | undefined;
  /** Commits written to the log, and how many of them are known to be on disk. */
  #written = 0;
  #synced = 0;
  #inFlight: Promise<void> | undefined;
  #failure: Error | undefined;
  /** fsyncs run, and commits they covered (tests, bench). */
  readonly stats = { syncs: 0, commits: 0 };

  constructor(walPath: string, sync: (fd: number) => Promise<void> = fdatasyncAsync) {
    this.#walPath = walPath;
    this.#sync = sync;
  }

  /** A `COMMIT` wrote its frames to the log (not yet synced). */
  committed(): void {
    this.#written += 1;
    this.stats.commits += 1;
  }

  /** A write outside a transaction: sync it now, on this thread, before it is answered. */
  syncNow(): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#written += 1;
    const target = this.#written;
    fdatasyncSync(this.#descriptor());
    this.stats.syncs += 1;
    this.#synced = Math.max(this.#synced, target);
  }

  /** Commits written and not yet known to be on disk. */
  get pending(): number {
    return this.#written - this.#synced;
  }

  /**
   * Resolves once every commit written before this call is on disk; `undefined` when they all
   * are already (no await needed).
   */
  whenDurable(): Promise<void> | undefined {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#synced >= this.#written) return undefined;
    return this.#waitFor(this.#written);
  }

  async #waitFor(target: number): Promise<void> {
    while (this.#synced < target) {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#inFlight === undefined) this.#inFlight = this.#syncAll();
      await this.#inFlight;
    }
  }

  /** One fsync covering every commit written up to now. */
  async #syncAll(): Promise<void> {
    const goal = this.#written;
    try {
      await this.#sync(this.#descriptor());
      this.stats.syncs += 1;
      this.#synced = Math.max(this.#synced, goal);
    } catch (error) {
      this.#failure = new Error(`fsync of ${this.#walPath} failed: nothing more is acknowledged`, {
        cause: error,
      });
      throw this.#failure;
    } finally {
      this.#inFlight = undefined;
    }
  }

  #descriptor(): number {
    if (this.#fd === undefined) this.#fd = openSync(this.#walPath, 'r');
    return this.#fd;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fdatasync(fd, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * A better-sqlite3 statement as Kysely's SQLite driver uses it (`reader`, `all`, `run`,
 * `iterate`), telling `wal` about commits and syncing writes made outside a transaction.
 */
export function watchedStatement(
  sqlite: SQLite.Database,
  statement: SQLite.Statement,
  text: string,
  wal: WalSync,
): SQLite.Statement {
  const isCommit = /^\s*(commit|end)\b/i.test(text);
  const after = (): void => {
    if (isCommit) wal.committed();
    else if (!statement.readonly && !sqlite.inTransaction) wal.syncNow();
  };
  const watched = {
    get reader() {
      return statement.reader;
    },
    get readonly() {
      return statement.readonly;
    },
    all(...params: unknown[]) {
      const rows = statement.all(...params);
      after();
      return rows;
    },
    run(...params: unknown[]) {
      const result = statement.run(...params);
      after();
      return result;
    },
    get(...params: unknown[]) {
      const row = statement.get(...params);
      after();
      return row;
    },
    // Kysely streams only selects, which write nothing.
    iterate: (...params: unknown[]) => statement.iterate(...params),
  };
  return watched as unknown as SQLite.Statement;
}

/**
 * Handles by their SQLite adapter: Kysely gives every handle made from one `createDb` (plugins
 * added, transactions) that same adapter object, so this finds the `WalSync` without a plugin
 * on every query's path.
 */
const byAdapter = new WeakMap<object, WalSync>();

/** `db` (made by `createDb`) syncs its commits through `wal`. */
export function attachWalSync(db: Db, wal: WalSync): void {
  byAdapter.set(db.getExecutor().adapter, wal);
}

/** The handle's `WalSync` (SQLite handles opened with `syncOffThread`), if any. */
export function walSyncOf(db: Db): WalSync | undefined {
  return byAdapter.get(db.getExecutor().adapter);
}

/**
 * Outside a transaction: wait until every commit made so far on `db` is on disk (nothing to wait
 * for unless `db` syncs off the thread). Inside one there is nothing to wait for yet.
 */
export async function untilDurable(db: Db): Promise<void> {
  if (db.isTransaction) return;
  await walSyncOf(db)?.whenDurable();
}
