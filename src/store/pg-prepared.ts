import type { KyselyPlugin, PostgresPool, PostgresPoolClient } from 'kysely';
import { sql } from 'kysely';
import type pg from 'pg';
import type { Db } from './db.ts';

/**
 * PostgreSQL statements prepared once per connection (decision 1414). Kysely sends every query
 * as an unnamed statement, so PostgreSQL parses and plans it on every call: for the check-in's
 * link read and the group's reads that was most of the backend's time (bind 0.3–1.2 ms, the
 * statement's own work 0.03–0.5 ms; docs/performance.md). Here a query with parameters gets a
 * name the first time its text is seen; on each connection it is then parsed once, and after a
 * few calls PostgreSQL keeps a generic plan for it.
 *
 * - Only `select`, `insert`, `update`, `delete` and `with` texts that carry parameters are named:
 *   they already go by the extended protocol, so nothing else about them changes. Texts without
 *   parameters (transaction control, DDL, several statements at once) stay as they were.
 * - At most `max` distinct texts get names (the app issues a few hundred, a group's multi-row
 *   inserts of each size included); later ones run unnamed, and so do texts with more than 2,000
 *   parameters (bulk loads), so a connection's prepared statements are bounded.
 * - A table whose columns change under a prepared `select *` makes PostgreSQL refuse it ("cached
 *   plan must not change result type"). Migrations forget every name when they have run
 *   (`forgetPreparedStatements`), and a query that meets the error all the same makes every
 *   name new, then runs once more when it was not inside a transaction (inside one, the
 *   transaction has failed and the error goes to its caller).
 */
export class PreparedStatements {
  readonly #max: number;
  #names = new Map<string, string>();
  #generation = 0;

  constructor(max = 1000) {
    this.#max = max;
  }

  /** The name for `sql`, or undefined when it runs unnamed. */
  nameOf(sql: string, parameterCount: number): string | undefined {
    if (parameterCount === 0 || parameterCount > MAX_PARAMETERS || !NAMEABLE.test(sql))
      return undefined;
    let name = this.#names.get(sql);
    if (name === undefined) {
      if (this.#names.size >= this.#max) return undefined;
      name = `nc${this.#generation}_${this.#names.size}`;
      this.#names.set(sql, name);
    }
    return name;
  }

  /** New names for every text from now on (after a change to the schema). */
  forget(): void {
    this.#generation += 1;
    this.#names = new Map();
  }

  /** How many texts have names (tests). */
  get size(): number {
    return this.#names.size;
  }
}

/** Bulk statements (seeds, imports) rarely repeat and would hold large plans: left unnamed. */
const MAX_PARAMETERS = 2000;
const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;
const TRANSACTION_START = /^\s*(begin|start\s+transaction)\b/i;
const TRANSACTION_END = /^\s*(commit|rollback|end|abort)\s*$/i;

function isStalePlan(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === '0A000' &&
    /cached plan must not change result type/.test(String((error as Error).message))
  );
}

/** What `begin` answers when it waits for the transaction's first statement. */
const BEGUN = { command: 'BEGIN', rowCount: null, rows: [] };

/**
 * `pool` as Kysely's PostgreSQL dialect takes it, naming statements through `prepared`.
 *
 * A transaction's `begin` is held back until its first statement: when that one has no
 * parameters (the check-in group's `set local`, `preferGenericPlans`) both go in one message,
 * a round trip saved per group (decision 1423); otherwise `begin` is sent just before it.
 * Kysely reads nothing from `begin`'s answer.
 */
export function preparingPool(pool: pg.Pool, prepared: PreparedStatements): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let inTransaction = false;
    const run = async (sql: string, values: unknown[]) => {
      const name = prepared.nameOf(sql, values.length);
      const result = await (name === undefined
        ? client.query(sql, values)
        : client.query({ name, text: sql, values }));
      if (TRANSACTION_START.test(sql)) inTransaction = true;
      else if (TRANSACTION_END.test(sql)) inTransaction = false;
      return result;
    };
    /** A `begin` not sent yet: it goes with the transaction's first statement (below). */
    let pendingBegin: string | undefined;
    const query = async (sql: string, parameters: readonly unknown[]) => {
      if (parameters.length === 0 && TRANSACTION_START.test(sql)) {
        pendingBegin = sql;
        inTransaction = true;
        return BEGUN;
      }
      if (pendingBegin !== undefined) {
        const begin = pendingBegin;
        pendingBegin = undefined;
        if (parameters.length === 0 && !TRANSACTION_END.test(sql)) {
          // One simple-protocol message, one round trip: PostgreSQL runs the two statements in
          // order and the transaction stays open after them, as if each had come alone.
          const results = (await client.query(`${begin}; ${sql}`)) as unknown as pg.QueryResult[];
          return results[results.length - 1];
        }
        await client.query(begin);
      }
      const values = [...parameters];
      try {
        return await run(sql, values);
      } catch (error) {
        // A failed statement leaves PostgreSQL's transaction aborted; Kysely rolls it back.
        if (!isStalePlan(error)) throw error;
        prepared.forget();
        if (inTransaction) throw error;
        return run(sql, values);
      }
    };
    return {
      // Kysely's cursor overload is not used (no `cursor` in the dialect's config).
      query: query as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => {
        inTransaction = false;
        pendingBegin = undefined;
        client.release(destroy);
      },
    };
  };
  return {
    connect: async () => {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (wrapped === undefined) {
        wrapped = wrap(client);
        clients.set(client, wrapped);
      }
      return wrapped;
    },
    end: () => pool.end(),
  };
}

/** Carries a handle's `PreparedStatements` through Kysely's plugins (transactions included). */
export class PreparedStatementsCarrier implements KyselyPlugin {
  readonly prepared: PreparedStatements;
  constructor(prepared: PreparedStatements) {
    this.prepared = prepared;
  }
  transformQuery: KyselyPlugin['transformQuery'] = (args) => args.node;
  transformResult: KyselyPlugin['transformResult'] = async (args) => args.result;
}

/** The handle's prepared statements (PostgreSQL handles from `createDb`), if any. */
export function preparedStatementsOf(db: Db): PreparedStatements | undefined {
  for (const plugin of db.getExecutor().plugins)
    if (plugin instanceof PreparedStatementsCarrier) return plugin.prepared;
  return undefined;
}

/** After the schema changed (migrations): every text gets a new name, so is parsed afresh. */
export function forgetPreparedStatements(db: Db): void {
  preparedStatementsOf(db)?.forget();
}

/**
 * For the rest of this transaction, prepared statements run on their generic plan (PostgreSQL;
 * nothing on SQLite). A check-in group's reads and writes are index seeks whatever their values,
 * and PostgreSQL would otherwise plan the group's history read afresh on every call, because
 * its generic plan looks dearer than a plan for the exact list of sessions: 1.1 ms a group
 * (decision 1414).
 */
export async function preferGenericPlans(trx: Db): Promise<void> {
  if (preparedStatementsOf(trx) === undefined) return;
  await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
}
