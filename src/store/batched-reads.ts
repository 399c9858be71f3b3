import type { Db } from './db.ts';

/**
 * Reads by key, made together (decision 1422). Every request on a patient link first reads its
 * link by the token's hash; under load dozens arrive in one event-loop turn, and each was a
 * statement of its own: on PostgreSQL a round trip each, on SQLite a statement's fixed cost
 * each. Here the keys asked for in one turn are read with one statement per `maxKeys`, after
 * that turn (`setImmediate`), and each caller gets its own row.
 *
 * - Only outside a transaction: inside one, the read runs at once on the transaction, as it
 *   must to see the transaction's own writes.
 * - A batch reads no earlier than a read of its own would have: after every request in it
 *   arrived.
 * - If the statement fails, every caller in the batch gets that error.
 */
export type ReadMany<K, V> = (db: Db, keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;

interface Waiter<K, V> {
  readonly key: K;
  readonly resolve: (value: V | undefined) => void;
  readonly reject: (error: unknown) => void;
}

class ReadBatch<K, V> {
  readonly #db: Db;
  readonly #readMany: ReadMany<K, V>;
  readonly #maxKeys: number;
  #waiting: Waiter<K, V>[] = [];
  /** Statements run and keys read in them (tests). */
  readonly stats = { statements: 0, keys: 0 };

  constructor(db: Db, readMany: ReadMany<K, V>, maxKeys: number) {
    this.#db = db;
    this.#readMany = readMany;
    this.#maxKeys = maxKeys;
  }

  read(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => this.#flush());
      this.#waiting.push({ key, resolve, reject });
    });
  }

  #flush(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (let i = 0; i < waiting.length; i += this.#maxKeys)
      void this.#readSome(waiting.slice(i, i + this.#maxKeys));
  }

  async #readSome(waiters: readonly Waiter<K, V>[]): Promise<void> {
    const keys = [...new Set(waiters.map((w) => w.key))];
    try {
      this.stats.statements += 1;
      this.stats.keys += keys.length;
      const found = await this.#readMany(this.#db, keys);
      for (const w of waiters) w.resolve(found.get(w.key));
    } catch (error) {
      for (const w of waiters) w.reject(error);
    }
  }
}

const batches = new WeakMap<Db, Map<string, ReadBatch<unknown, unknown>>>();

function batchOf<K, V>(db: Db, name: string, readMany: ReadMany<K, V>, maxKeys: number) {
  let byName = batches.get(db);
  if (byName === undefined) {
    byName = new Map();
    batches.set(db, byName);
  }
  let batch = byName.get(name) as ReadBatch<K, V> | undefined;
  if (batch === undefined) {
    batch = new ReadBatch(db, readMany, maxKeys);
    byName.set(name, batch as ReadBatch<unknown, unknown>);
  }
  return batch;
}

/**
 * What `readMany` finds for `key`, read together with the other `name` reads asked for on `db`
 * in this turn (see above); `undefined` when there is nothing for it.
 */
export async function readBatched<K, V>(
  db: Db,
  name: string,
  key: K,
  readMany: ReadMany<K, V>,
  maxKeys = 64,
): Promise<V | undefined> {
  if (db.isTransaction) return (await readMany(db, [key])).get(key);
  return batchOf(db, name, readMany, maxKeys).read(key);
}

/** How many statements `name` ran on `db` and how many keys they read (tests). */
export function readBatchStats(
  db: Db,
  name: string,
): { readonly statements: number; readonly keys: number } {
  const stats = batches.get(db)?.get(name)?.stats;
  return stats === undefined ? { statements: 0, keys: 0 } : { ...stats };
}
