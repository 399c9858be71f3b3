import { sql } from 'kysely';
import { type Db, withTransaction } from './db.ts';
import { untilDurable } from './wal-sync.ts';

/**
 * Group commit (docs/decisions/1010-group-commit.md): concurrent writes of one kind are queued
 * for a moment and written in ONE transaction, so N of them share one `BEGIN`, one commit and
 * one fsync (SQLite) or WAL flush (PostgreSQL) instead of paying for N.
 *
 * - A group first runs its items one after the other with no savepoint. If one throws, that
 *   run is rolled back whole and the group runs again with each item in its own savepoint: the
 *   item that throws is rolled back to its savepoint and gets its own error; its neighbours go
 *   on and commit. (Savepoints cost two round trips per item on PostgreSQL; failures are rare.)
 * - Every item's promise settles only after the group's transaction has settled: a success is
 *   acknowledged only once it is committed (acknowledged = durable, as before), and an item's
 *   error is delivered after the commit too, so a caller that then reads (an idempotency
 *   replay) sees what its neighbours committed.
 * - When the transaction itself fails (commit, begin, a lost connection) every item of the
 *   group gets that error: none was acknowledged, none is stored.
 * - A group of one runs without a savepoint, in one transaction of its own.
 * - Inside a caller's transaction there is nothing to group: `fn` runs in it directly.
 *
 * The queue is per database handle and per `name`. `concurrency` groups are written at a time
 * per queue (one by default); requests that arrive while they are written form the next group,
 * so groups grow with the load by themselves and an idle server adds one event-loop turn
 * (`setImmediate`) of latency (after a group, `gatherTurns` may add a few). On PostgreSQL a
 * deadlock with another writer runs the group again.
 */
export interface GroupCommitOptions {
  /** At most this many items in one transaction (default 64). */
  readonly maxItems?: number;
  /**
   * Groups written at the same time (default 1). More than one only helps where the database
   * takes several connections' writes at once (PostgreSQL); on SQLite there is one connection.
   */
  readonly concurrency?: number;
  /**
   * With `concurrency` above one: a further group starts only once every group being written
   * has been out this long (ms). Until then arrivals wait and join the next group, so in the
   * usual case one larger group is written at a time; a group held up (a row lock another
   * writer holds, a slow disk) no longer holds up the rest after this long (decision 1440).
   * Absent: a further group starts at once.
   */
  readonly furtherGroupAfterMs?: number;
  /**
   * After a group has been written, the next one gathers (decision 1445): it starts once a turn
   * of the event loop has taken in no further item, or `maxItems` wait, but after at most this
   * many turns (default 1: the next turn, as when the queue was idle). The answers just written
   * go out in the first turn; clients that send again at once (a proxy's or a load generator's
   * connections) are then read in the turns after it and join, instead of forming a group of
   * their own. A turn that brings nothing ends the wait at once, so a quiet server adds
   * microseconds.
   */
  readonly gatherTurns?: number;
  /**
   * After a group of `gatherQuietFrom` items or more (default 8), the gather also goes on
   * through turns that bring nothing while fewer items wait than that group answered plus those
   * already waiting when it ended, until none has come in for this long (ms), or `gatherMaxMs`
   * after that began (decision 1449). A group that ends with items already waiting would
   * otherwise start the next with only those, as soon as a turn brings nothing; the clients it
   * answered come back while that one is written, and under a closed load the two halves then
   * take turns for good. Absent: only `gatherTurns`.
   */
  readonly gatherQuietMs?: number;
  /** See `gatherQuietMs` (default 8). */
  readonly gatherQuietFrom?: number;
  /** The longest a gather goes on for `gatherQuietMs` (ms; default 4 × `gatherQuietMs`). */
  readonly gatherMaxMs?: number;
  /**
   * A group that would start with fewer than `lingerBelow` items (default 12) waits until its
   * oldest item has waited this long (ms), or until that many are waiting, whichever comes
   * first (decision 1476). Items that already waited while the group before was written start
   * at once. Only while items keep coming: when they have lately come in less often than two
   * per `lingerMs`, a group starts without waiting, so a quiet server adds nothing. Fewer,
   * larger groups at a moderate load cost less of the server's thread per item. Absent: no
   * wait.
   */
  readonly lingerMs?: number;
  /** See `lingerMs`. */
  readonly lingerBelow?: number;
  /** Run first in every group of more than one item, before any item. */
  readonly beforeGroup?: (trx: Db) => Promise<void>;
  /**
   * In a group's first run (several items, no savepoints): read at once, for every item's
   * `key`, what the items would each read for themselves; each item's `fn` gets the result as
   * its second argument. Not called for a group of one or in the rerun with savepoints, where
   * `fn` gets `undefined` and reads for itself. `fn` may update what it was given (its own
   * writes) for the items after it: that run commits whole or not at all.
   */
  readonly prefetch?: (trx: Db, keys: readonly unknown[]) => Promise<unknown>;
  /**
   * Work the items hand to the group instead of doing it at once (the audit appends,
   * `deferAuditAppends`): started with each transaction, cut back when an item's savepoint is
   * rolled back, and flushed last, inside the transaction, before it commits.
   */
  readonly deferred?: (trx: Db) => DeferredWork;
  /**
   * Writes the items may hold back in a group's first run, or in a group of one (no
   * savepoints in either): started with that run's transaction and flushed after its last
   * item, before `deferred` (the check-in and assessment rows, `holdCheckInInserts`). If the
   * flush throws, the run is rolled back and the group runs again with a savepoint per item and
   * nothing held, so a row that cannot be written fails its own item only (a group of one fails
   * with that error).
   */
  readonly held?: (trx: Db) => HeldWrites;
  /**
   * After the transaction of a group's first run, or of a group of one, has committed: `trx`
   * is the transaction it ran in (the kept triage state, decision 1461). Not after the run
   * with savepoints.
   */
  readonly committed?: (trx: Db) => void;
  /** That run's transaction failed or was rolled back: the keys of the group's items, why. */
  readonly abandoned?: (db: Db, keys: readonly unknown[], error: unknown) => void;
}

/** See `GroupCommitOptions.held`. */
export interface HeldWrites {
  flush(): Promise<void>;
}

/** See `GroupCommitOptions.deferred`. */
export interface DeferredWork {
  mark(): number;
  rollbackTo(mark: number): void;
  flush(): Promise<void>;
}

/**
 * When a caller's promise settles: once the group's commit is `durable` (the default), or at the
 * `commit`, before the log's fsync on a SQLite handle that syncs off the thread. `commit` is for
 * a caller that acknowledges nothing until the log is durable (the HTTP app holds every answer
 * until then, decision 1484): its answer is prepared while the fsync runs.
 */
export type SettleAt = 'durable' | 'commit';

interface Item {
  /** When it was queued (`performance.now()`). */
  readonly at: number;
  readonly fn: (trx: Db, shared: unknown) => Promise<unknown>;
  readonly key: unknown;
  readonly settleAt: SettleAt;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** PostgreSQL's deadlock_detected: a group waited on a lock held by a writer waiting on it. */
const PG_DEADLOCK = '40P01';
/** Runs of one group when PostgreSQL keeps choosing it as a deadlock's victim. */
const DEADLOCK_ATTEMPTS = 3;

/**
 * Thrown by a group's statement when its transaction is lost through no item's fault and
 * nothing of it was committed (a wrong guess of the audit head with the commit already sent,
 * decision 1438): the group runs again as it is, as after a deadlock.
 */
export class RunGroupAgain extends Error {}

/** The group's transaction was lost as a whole, not by an item: run the group again. */
function isRunAgain(error: unknown): boolean {
  return (
    error instanceof RunGroupAgain ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { code?: unknown }).code === PG_DEADLOCK)
  );
}

class GroupQueue {
  readonly #db: Db;
  readonly #options: GroupCommitOptions;
  #queue: Item[] = [];
  #inFlight = 0;
  /** When each group being written started (`performance.now()`). */
  readonly #started: number[] = [];
  /** Set while a further group waits for `furtherGroupAfterMs`. */
  #furtherTimer: NodeJS.Timeout | undefined;
  /** Keys of the items in the groups being written, with how many of each. */
  readonly #busyKeys = new Map<unknown, number>();
  #scheduled = false;
  /** While a group lingers (`lingerMs`): how it starts, and the timer that starts it. */
  #lingering: { readonly start: () => void; readonly timer: NodeJS.Timeout } | undefined;
  /** The time between arrivals, as a moving average (ms), and the last arrival. */
  #gapMs = Number.POSITIVE_INFINITY;
  #lastAt: number | undefined;
  /** A group has ended since the last one started: the next start gathers (`gatherTurns`). */
  #followsGroup = false;
  /**
   * After a group of `gatherQuietFrom` or more: the items it answered plus those waiting when it
   * ended (`gatherQuietMs`); otherwise 0.
   */
  #expected = 0;
  /** Groups written, items in them, and groups run again with savepoints (tests, bench). */
  readonly stats = { groups: 0, items: 0, largest: 0, reruns: 0 };

  constructor(db: Db, options: GroupCommitOptions) {
    this.#db = db;
    this.#options = options;
  }

  add<T>(
    fn: (trx: Db, shared: unknown) => Promise<T>,
    key: unknown,
    settleAt: SettleAt,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const at = performance.now();
      this.#noteArrival(at);
      const item = { at, fn, key, settleAt, resolve: resolve as (value: unknown) => void, reject };
      this.#queue.push(item);
      const lingering = this.#lingering;
      if (lingering !== undefined && this.#queue.length >= (this.#options.lingerBelow ?? 12)) {
        clearTimeout(lingering.timer);
        this.#lingering = undefined;
        lingering.start();
        return;
      }
      this.#kick();
    });
  }

  /**
   * Start groups after one event-loop turn, so every request whose body was parsed in this turn
   * joins (after a group has been written, after the turns `gatherTurns` allows); while all
   * writers are busy, arrivals wait and form the next group.
   */
  #kick(): void {
    const concurrency = this.#options.concurrency ?? 1;
    if (this.#scheduled || this.#inFlight >= concurrency || this.#queue.length === 0) return;
    if (this.#waitForFurtherGroup() > 0) return;
    this.#scheduled = true;
    const follows = this.#followsGroup;
    const start = (): void => {
      this.#scheduled = false;
      this.#followsGroup = false;
      while (this.#inFlight < concurrency && this.#queue.length > 0) {
        if (this.#waitForFurtherGroup() > 0) break;
        const items = this.#take(concurrency);
        if (items.length === 0) break; // every waiting item's key is in a group being written
        this.#inFlight += 1;
        const started = performance.now();
        this.#started.push(started);
        void this.#write(items).finally(() => {
          this.#inFlight -= 1;
          this.#followsGroup = true;
          this.#expected =
            items.length >= (this.#options.gatherQuietFrom ?? 8)
              ? items.length + this.#queue.length
              : 0;
          this.#started.splice(this.#started.indexOf(started), 1);
          if (concurrency > 1) for (const item of items) this.#release(item.key);
          this.#kick();
        });
      }
    };
    this.#afterTurns(follows ? (this.#options.gatherTurns ?? 1) : 1, follows, () =>
      this.#linger(start),
    );
  }

  /**
   * `start` now, or once the oldest waiting item has waited `lingerMs` (or `lingerBelow` items
   * wait, see `add`) while items keep coming in.
   */
  #linger(start: () => void): void {
    const lingerMs = this.#options.lingerMs;
    const oldest = this.#queue[0];
    if (
      lingerMs === undefined ||
      oldest === undefined ||
      this.#queue.length >= (this.#options.lingerBelow ?? 12) ||
      this.#gapMs * 2 > lingerMs
    ) {
      start();
      return;
    }
    const left = oldest.at + lingerMs - performance.now();
    // A timer shorter than this would fire on the next turn anyway.
    if (left < 0.25) {
      start();
      return;
    }
    const timer = setTimeout(() => {
      if (this.#lingering?.timer !== timer) return;
      this.#lingering = undefined;
      start();
    }, left);
    this.#lingering = { start, timer };
  }

  /**
   * The moving average of the time between arrivals, each gap counted at most as four times
   * `lingerMs`, so that after a quiet spell a few quick arrivals bring it back within reach.
   */
  #noteArrival(at: number): void {
    const lingerMs = this.#options.lingerMs;
    if (lingerMs === undefined) return;
    if (this.#lastAt !== undefined) {
      const gap = Math.min(at - this.#lastAt, 4 * lingerMs);
      this.#gapMs = Number.isFinite(this.#gapMs) ? 0.875 * this.#gapMs + 0.125 * gap : gap;
    }
    this.#lastAt = at;
  }

  /**
   * `start` after the event loop's next turn; with `turns` above one, after each further turn
   * too while the turn before took in an item and a group's worth (`maxItems`) is not yet
   * waiting, `turns` at most. The first turn takes in nothing (no I/O is read before it), so it
   * never ends the wait on its own. Right after a group (`followsGroup`), with `gatherQuietMs`:
   * then on while fewer than `#expected` wait and items keep coming in (see the option).
   */
  #afterTurns(turns: number, followsGroup: boolean, start: () => void): void {
    const full = this.#options.maxItems ?? 64;
    const quiet = followsGroup ? this.#options.gatherQuietMs : undefined;
    const expected = Math.min(this.#expected, full);
    let left = turns;
    let seen = -1;
    let began = 0;
    let lastIn = 0;
    const turn = (): void => {
      left -= 1;
      const waiting = this.#queue.length;
      const cameIn = waiting > seen;
      seen = waiting;
      if (waiting >= full) {
        start();
        return;
      }
      if (left > 0 && cameIn) {
        setImmediate(turn);
        return;
      }
      if (quiet !== undefined && waiting < expected) {
        const now = performance.now();
        if (began === 0) began = now;
        if (cameIn || lastIn === 0) lastIn = now;
        const max = this.#options.gatherMaxMs ?? 4 * quiet;
        if (now - lastIn < quiet && now - began < max) {
          setImmediate(turn);
          return;
        }
      }
      start();
    };
    setImmediate(turn);
  }

  /**
   * Milliseconds until a further group may start beside those being written (0: now); arms a
   * timer that kicks the queue then.
   */
  #waitForFurtherGroup(): number {
    const after = this.#options.furtherGroupAfterMs;
    if (after === undefined || this.#started.length === 0) return 0;
    const wait = Math.max(...this.#started) + after - performance.now();
    if (wait <= 0) return 0;
    if (this.#furtherTimer === undefined) {
      this.#furtherTimer = setTimeout(() => {
        this.#furtherTimer = undefined;
        this.#kick();
      }, Math.ceil(wait));
      this.#furtherTimer.unref();
    }
    return wait;
  }

  /**
   * The next group, in arrival order. With more than one group at a time, an item whose key is
   * in a group being written waits for the next (decision 1428): on PostgreSQL the second
   * group would only wait on the first's row lock, holding its connection and every other
   * item it carries. Items of one key keep their order: all of them wait while one is written.
   */
  #take(concurrency: number): Item[] {
    const max = this.#options.maxItems ?? 64;
    if (concurrency === 1) return this.#queue.splice(0, max);
    const taken: Item[] = [];
    const waiting: Item[] = [];
    for (const item of this.#queue) {
      const free = item.key === undefined || !this.#busyKeys.has(item.key);
      if (free && taken.length < max) taken.push(item);
      else waiting.push(item);
    }
    this.#queue = waiting;
    for (const item of taken) {
      if (item.key !== undefined)
        this.#busyKeys.set(item.key, (this.#busyKeys.get(item.key) ?? 0) + 1);
    }
    return taken;
  }

  #release(key: unknown): void {
    if (key === undefined) return;
    const left = (this.#busyKeys.get(key) ?? 1) - 1;
    if (left === 0) this.#busyKeys.delete(key);
    else this.#busyKeys.set(key, left);
  }

  async #write(items: readonly Item[]): Promise<void> {
    let outcomes: Outcome[] = [];
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          outcomes = await this.#attempt(items);
          break;
        } catch (error) {
          // Two groups (or a group and another writer) deadlocked and PostgreSQL aborted this
          // one, or its guess of the audit head was wrong: nothing of it was committed or
          // acknowledged, so it runs once more.
          if (!isRunAgain(error) || attempt >= DEADLOCK_ATTEMPTS) throw error;
        }
      }
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    }
    this.stats.groups += 1;
    this.stats.items += items.length;
    this.stats.largest = Math.max(this.stats.largest, items.length);
    // Committed, not yet durable where the handle syncs off the thread. Items that settle at the
    // commit do so now; the rest, and the next group, wait for the log's fsync (decision 1484).
    items.forEach((item, i) => {
      if (item.settleAt === 'commit') settle(item, outcomes[i] as Outcome);
    });
    try {
      await untilDurable(this.#db);
    } catch (error) {
      // Nothing more is acknowledged (WalSync). The answers of the items settled at the commit
      // are held by their door until this same wait, which fails for them too.
      for (const item of items) if (item.settleAt === 'durable') item.reject(error);
      return;
    }
    items.forEach((item, i) => {
      if (item.settleAt === 'durable') settle(item, outcomes[i] as Outcome);
    });
  }

  /** The group's transaction, returning at its commit: `#write` waits for the log. */
  #transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    return withTransaction(this.#db, fn, { durable: false });
  }

  /**
   * One transaction over the group; returns each item's outcome once it has committed. An
   * item's own error becomes its outcome; any other error (begin, the deferred work, commit)
   * fails the transaction and so every item.
   */
  #attempt(items: readonly Item[]): Promise<Outcome[]> {
    const { beforeGroup, deferred, committed, abandoned } = this.#options;
    const only = items.length === 1 ? items[0] : undefined;
    /** The transaction the run's callback last ran in. */
    let ran: Db | undefined;
    const abandon = (error: unknown): void =>
      abandoned?.(
        this.#db,
        items.map((item) => item.key),
        error,
      );
    if (only !== undefined) {
      // A group of one: no savepoint, no prefetch; its error (its held writes' too) rolls the
      // transaction back. It holds its writes as a larger group does (decision 1427): on
      // PostgreSQL two inserts fewer, the usual case at low load.
      return this.#transaction(async (trx) => {
        ran = trx;
        const work = deferred?.(trx);
        const held = this.#options.held?.(trx);
        const value = await only.fn(trx, undefined);
        await held?.flush();
        await work?.flush();
        return value;
      }).then(
        (value): Outcome[] => {
          if (ran !== undefined) committed?.(ran);
          return [{ ok: true, value }];
        },
        (error: unknown): Outcome[] => {
          abandon(error);
          if (isRunAgain(error)) throw error;
          return [{ ok: false, error }];
        },
      );
    }
    // First without savepoints: on PostgreSQL each savepoint and its release is a round trip
    // of its own, two of every check-in's ~nine. Only when an item fails does the group run
    // again, from the start, with a savepoint per item (below), so that item fails alone.
    return this.#transaction(async (trx) => {
      ran = trx;
      const work = deferred?.(trx);
      const held = this.#options.held?.(trx);
      await beforeGroup?.(trx);
      const shared = await this.#options.prefetch?.(
        trx,
        items.map((item) => item.key),
      );
      const outcomes: Outcome[] = [];
      for (const item of items) {
        try {
          outcomes.push({ ok: true, value: await item.fn(trx, shared) });
        } catch (error) {
          // A deadlock aborted the whole transaction: `#write` runs the group again as it is.
          if (isRunAgain(error)) throw error;
          throw new ItemFailed(error);
        }
      }
      try {
        await held?.flush();
      } catch (error) {
        if (isRunAgain(error)) throw error;
        // Which item's row failed is not known here: each runs again in its own savepoint.
        throw new ItemFailed(error);
      }
      await work?.flush();
      return outcomes;
    }).then(
      (outcomes) => {
        if (ran !== undefined) committed?.(ran);
        return outcomes;
      },
      (error: unknown) => {
        abandon(error);
        if (!(error instanceof ItemFailed)) throw error;
        return this.#attemptWithSavepoints(items);
      },
    );
  }

  /** The group again, each item in its own savepoint: a failing item is rolled back alone. */
  #attemptWithSavepoints(items: readonly Item[]): Promise<Outcome[]> {
    const { beforeGroup, deferred } = this.#options;
    this.stats.reruns += 1;
    return this.#transaction(async (trx) => {
      // A fresh list on every run: withTransaction may run this again on a new connection.
      const outcomes: Outcome[] = [];
      const work = deferred?.(trx);
      await beforeGroup?.(trx);
      for (const item of items) {
        const mark = work?.mark() ?? 0;
        await sql`savepoint group_item`.execute(trx);
        try {
          const value = await item.fn(trx, undefined);
          await sql`release savepoint group_item`.execute(trx);
          outcomes.push({ ok: true, value });
        } catch (error) {
          // If the rollback itself fails (connection lost), that error fails the whole group.
          await sql`rollback to savepoint group_item`.execute(trx);
          await sql`release savepoint group_item`.execute(trx);
          work?.rollbackTo(mark);
          outcomes.push({ ok: false, error });
        }
      }
      await work?.flush();
      return outcomes;
    });
  }
}

/** Resolve or reject an item with its outcome. */
function settle(item: Item, outcome: Outcome): void {
  if (outcome.ok) item.resolve(outcome.value);
  else item.reject(outcome.error);
}

/** An item of an optimistic group threw: that run is rolled back and the group runs again. */
class ItemFailed extends Error {
  constructor(cause: unknown) {
    super('an item of the group failed', { cause });
  }
}

const queues = new WeakMap<Db, Map<string, GroupQueue>>();

function queueOf(db: Db, name: string, options: GroupCommitOptions): GroupQueue {
  let byName = queues.get(db);
  if (byName === undefined) {
    byName = new Map();
    queues.set(db, byName);
  }
  let queue = byName.get(name);
  if (queue === undefined) {
    queue = new GroupQueue(db, options);
    byName.set(name, queue);
  }
  return queue;
}

/**
 * Run `fn` in a transaction shared with the other `name` writes queued on `db` at the same
 * moment (see above); resolves with `fn`'s result once that transaction has committed and is
 * durable (with `settleAt: 'commit'`, at the commit: see `SettleAt`), or rejects with `fn`'s own
 * error (its writes rolled back, its neighbours' kept) or the transaction's. `fn` must do all its writes through the `trx` it is given and keep no effect
 * outside it: a lost PostgreSQL connection or a deadlock runs the whole group again.
 */
export function withGroupCommit<T>(
  db: Db,
  name: string,
  fn: (trx: Db, shared?: unknown) => Promise<T>,
  options: GroupCommitOptions = {},
  key?: unknown,
  settleAt: SettleAt = 'durable',
): Promise<T> {
  if (db.isTransaction) return fn(db, undefined);
  return queueOf(db, name, options).add(fn, key, settleAt);
}

/** How many groups and items `name` has written on `db` (tests, bench). */
export function groupCommitStats(
  db: Db,
  name: string,
): {
  readonly groups: number;
  readonly items: number;
  readonly largest: number;
  readonly reruns: number;
} {
  const stats = queues.get(db)?.get(name)?.stats;
  return stats === undefined ? { groups: 0, items: 0, largest: 0, reruns: 0 } : { ...stats };
}
