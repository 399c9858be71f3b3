import type { Writable } from 'node:stream';
import type { KyselyPlugin, PostgresPool, PostgresPoolClient } from 'kysely';
import { CompiledQuery, sql } from 'kysely';
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
  #casts = new Map<string, readonly (number | undefined)[]>();
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

  /**
   * `arrayCastsOf(sql)`, kept for as many texts as names are (a statement's text is read once).
   */
  readonly arrayCasts = (sql: string): readonly (number | undefined)[] | undefined => {
    const known = this.#casts.get(sql);
    if (known !== undefined) return known === NO_CASTS ? undefined : known;
    const casts = arrayCastsOf(sql);
    if (this.#casts.size < this.#max) this.#casts.set(sql, casts ?? NO_CASTS);
    return casts;
  };

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
/** Kept for a text whose parameters are not cast to arrays. */
const NO_CASTS: readonly (number | undefined)[] = [];
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

/** What `begin` and `set local` answer when they wait for the transaction's next statement. */
const BEGUN = { command: 'BEGIN', rowCount: null, rows: [] };
const SET = { command: 'SET', rowCount: null, rows: [] };
/** What `sendWithNext` and `sendNow` answer (their statement's answer comes later). */
const NOTED = { command: 'SELECT', rowCount: 0, rows: [] };
const SET_LOCAL = /^\s*set\s+local\b/i;
/** The text of `sendWithNext`'s note to the pool's client (never sent to PostgreSQL). */
const SEND_WITH_NEXT = '-- needlecare: send with the next statement';
/** The text of `sendNow`'s note to the pool's client (never sent to PostgreSQL). */
const SEND_NOW = '-- needlecare: send now, answer later';

/** Where the pool's client leaves the answer of a statement given to `sendNow`. */
interface SentNow {
  answer?: Promise<unknown>;
}

/**
 * On PostgreSQL, `query` goes to the server now, and the transaction goes on without waiting
 * for its answer: the server runs it while the caller works out its next statement, which goes
 * right behind it (decision 1470). The function returned waits for that answer and throws its
 * error; call it before the transaction ends, and treat the next statement's error as this
 * one's when this one failed (PostgreSQL refuses everything after a failed statement of a
 * transaction). Elsewhere (SQLite, a handle without prepared statements) `query` runs now and
 * the function returned has nothing to wait for.
 */
export async function sendNow(trx: Db, query: CompiledQuery): Promise<() => Promise<void>> {
  if (preparedStatementsOf(trx) === undefined) {
    await trx.executeQuery(query);
    return async () => undefined;
  }
  const sent: SentNow = {};
  await trx.executeQuery(CompiledQuery.raw(SEND_NOW, [query.sql, query.parameters, sent]));
  return async () => {
    await sent.answer;
  };
}

/**
 * On PostgreSQL, `query` goes to the server right behind the transaction's next statement, in
 * the same round trip (decision 1433); when the transaction then runs `query` (the same text
 * and values) it gets that answer instead of sending it again. The server runs the two one
 * after the other, as if each had come alone: only the wait between them is saved. Nothing
 * happens on SQLite or on a handle without prepared statements.
 */
export async function sendWithNext(trx: Db, query: CompiledQuery): Promise<void> {
  if (preparedStatementsOf(trx) === undefined) return;
  await trx.executeQuery(CompiledQuery.raw(SEND_WITH_NEXT, [query.sql, query.parameters]));
}

/**
 * Same values, for matching a statement with one sent ahead (ids, numbers, text, dates, arrays
 * of them): element by element, arrays within, anything else by its JSON.
 */
export function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y) && sameValues(x, y)) continue;
    if (x instanceof Date && y instanceof Date && x.getTime() === y.getTime()) continue;
    if (typeof x === 'object' && typeof y === 'object' && JSON.stringify(x) === JSON.stringify(y))
      continue;
    return false;
  }
  return true;
}

/** What PostgreSQL's array syntax needs escaped inside a quoted element. */
const ARRAY_ESCAPES = /[\\"]/;

/**
 * `values` as the PostgreSQL array literal `pg` would send for them (each element quoted, `\`
 * and `"` escaped, null and undefined as NULL), when every element is text, a number, a
 * bigint, a boolean or null; otherwise undefined, and `pg` writes the array itself (nested
 * arrays, dates, buffers, objects). One pass, and no replace for an element with nothing to
 * escape, which is nearly every id, time and hash of a group's columns (decision 1444).
 */
export function arrayLiteral(values: readonly unknown[]): string | undefined {
  let out = '{';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) out += ',';
    const value = values[i];
    if (value === null || value === undefined) {
      out += 'NULL';
      continue;
    }
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
      text = String(value);
    else return undefined;
    out += ARRAY_ESCAPES.test(text) ? `"${text.replace(/[\\"]/g, '\\$&')}"` : `"${text}"`;
  }
  return `${out}}`;
}

/**
 * The element types PostgreSQL's binary array format is written for here, by the name a
 * statement casts its parameter to (`$3::text[]`), with the type's OID.
 */
const ELEMENT_TYPES: Readonly<Record<string, number>> = {
  text: 25,
  bigint: 20,
  integer: 23,
  'double precision': 701,
};
const ARRAY_CAST = /\$(\d+)::(text|bigint|integer|double precision)\[\]/g;

/**
 * For each parameter of `sql` cast to an array of one of `ELEMENT_TYPES`, that element type's
 * OID, by parameter index (0-based); undefined when no parameter is.
 */
export function arrayCastsOf(sql: string): readonly (number | undefined)[] | undefined {
  let out: (number | undefined)[] | undefined;
  for (const match of sql.matchAll(ARRAY_CAST)) {
    out ??= [];
    out[Number(match[1]) - 1] = ELEMENT_TYPES[match[2] as string];
  }
  return out;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * `values` in PostgreSQL's binary array format (one dimension, lower bound 1) with elements of
 * type `oid` (text, bigint, integer, double precision), or undefined when an element does not
 * fit that type as sent (then the text literal goes, and PostgreSQL judges it as before). Text
 * elements are the same strings `arrayLiteral` would quote: numbers, bigints and booleans by
 * `String`. PostgreSQL reads this with the element type's receive function: no quoting to undo,
 * no second pass to count the elements (decision 1467).
 */
export function binaryArray(values: readonly unknown[], oid: number): Buffer | undefined {
  const n = values.length;
  const width = oid === 25 ? 0 : oid === 23 ? 4 : 8;
  // At most this many bytes: a UTF-16 unit takes at most 3 in UTF-8.
  let size = n === 0 ? 12 : 20;
  let hasNull = 0;
  let texts: string[] | undefined;
  for (let i = 0; i < n; i += 1) {
    const value = values[i];
    if (value === null || value === undefined) {
      hasNull = 1;
      size += 4;
      continue;
    }
    if (width === 0) {
      let text: string;
      if (typeof value === 'string') text = value;
      else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
        text = String(value);
      else return undefined;
      texts ??= new Array<string>(n);
      texts[i] = text;
      size += 4 + 3 * text.length;
      continue;
    }
    if (oid === 701) {
      if (typeof value !== 'number') return undefined;
    } else if (typeof value === 'bigint') {
      if (oid === 23 || value < INT64_MIN || value > INT64_MAX) return undefined;
    } else if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
    else if (oid === 23 ? value < INT32_MIN || value > INT32_MAX : !Number.isSafeInteger(value))
      return undefined;
    size += 4 + width;
  }
  if (size > chunk.length - used) {
    chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, size));
    used = 0;
  }
  const buf = chunk;
  const start = used;
  buf.writeInt32BE(n === 0 ? 0 : 1, start);
  buf.writeInt32BE(hasNull, start + 4);
  buf.writeInt32BE(oid, start + 8);
  if (n === 0) {
    used = start + 12;
    return buf.subarray(start, used);
  }
  buf.writeInt32BE(n, start + 12);
  buf.writeInt32BE(1, start + 16);
  let at = start + 20;
  for (let i = 0; i < n; i += 1) {
    const value = values[i];
    if (value === null || value === undefined) {
      buf.writeInt32BE(-1, at);
      at += 4;
    } else if (width === 0) {
      const written = buf.write((texts as string[])[i] as string, at + 4);
      buf.writeInt32BE(written, at);
      at += 4 + written;
    } else {
      buf.writeInt32BE(width, at);
      if (width === 4) buf.writeInt32BE(value as number, at + 4);
      // -0 as 0, as its text was.
      else if (oid === 701) buf.writeDoubleBE(value === 0 ? 0 : (value as number), at + 4);
      else if (typeof value === 'bigint') buf.writeBigInt64BE(value, at + 4);
      else {
        const high = Math.floor((value as number) / 2 ** 32);
        buf.writeInt32BE(high, at + 4);
        buf.writeUInt32BE((value as number) - high * 2 ** 32, at + 8);
      }
      at += 4 + width;
    }
  }
  used = at;
  return buf.subarray(start, at);
}

/**
 * The arrays are cut from chunks of this size, one after the other, and a part once handed out
 * is never written again: `pg` copies it when it writes the statement, and the chunk is
 * collected once no part of it is held. One allocation serves many groups' columns.
 */
const CHUNK_BYTES = 256 * 1024;
let chunk = Buffer.alloc(0);
let used = 0;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * `values` with each array of plain elements already written for `pg`: in the binary array
 * format where `sql` casts its parameter to an array type of `ELEMENT_TYPES` (`binaryArray`),
 * otherwise as its text literal (`arrayLiteral`).
 */
function withArrays(
  sql: string,
  values: unknown[],
  casts: (sql: string) => readonly (number | undefined)[] | undefined,
): unknown[] {
  let out: unknown[] | undefined;
  let types: readonly (number | undefined)[] | undefined | null = null;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    if (!Array.isArray(value)) continue;
    if (types === null) types = casts(sql);
    const oid = types?.[i];
    const written =
      (oid === undefined ? undefined : binaryArray(value, oid)) ?? arrayLiteral(value);
    if (written === undefined) continue;
    out ??= [...values];
    out[i] = written;
  }
  return out ?? values;
}

/** The socket a `pg` client writes to, when it can be corked (not `pg-native`). */
function socketOf(client: pg.PoolClient): { cork(): void; uncork(): void } | undefined {
  const stream = (client as { connection?: { stream?: Partial<Writable> } }).connection?.stream;
  return typeof stream?.cork === 'function' && typeof stream.uncork === 'function'
    ? (stream as Writable)
    : undefined;
}

/**
 * `pool` as Kysely's PostgreSQL dialect takes it, naming statements through `prepared`. Its
 * clients run in `pg`'s pipeline mode: a statement is written without waiting for the answer
 * to the one before. Kysely still sends one statement at a time; only this wrapper sends
 * several together:
 *
 * - A transaction's `begin`, and a `set local` right after it (`preferGenericPlans`), are held
 *   back and go with the transaction's next statement: a round trip saved per group
 *   (decisions 1423, 1433). Kysely reads nothing from their answers; an error in them fails
 *   that next statement (the transaction is aborted), which is where it is seen.
 * - A statement given to `sendWithNext` goes right behind the next one (decision 1433). That
 *   may be the transaction's `commit` (decision 1438): if the statement before it fails, the
 *   server answers the commit with a rollback. After a commit sent ahead, any statement but that
 *   commit or a rollback is refused, never run outside the transaction.
 * - A statement given to `sendNow` goes at once, and its answer is read later (decision 1470):
 *   the transaction's next statement may go behind it before that answer is back.
 * - What goes together leaves in one write to the socket (decision 1442): `pg` writes each
 *   statement on its own, and each write wakes PostgreSQL's backend.
 */
export function preparingPool(pool: pg.Pool, prepared: PreparedStatements): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let inTransaction = false;
    const run = (sql: string, given: unknown[]): Promise<pg.QueryResult> => {
      const name = prepared.nameOf(sql, given.length);
      const values = withArrays(sql, given, prepared.arrayCasts);
      const result =
        name === undefined ? client.query(sql, values) : client.query({ name, text: sql, values });
      if (TRANSACTION_START.test(sql)) inTransaction = true;
      else if (TRANSACTION_END.test(sql)) inTransaction = false;
      return result;
    };
    /** The transaction's opening (`begin`, maybe `; set local …`), not sent yet. */
    let held: string | undefined;
    /** A statement to send right behind the next one (`sendWithNext`). */
    let along: { sql: string; values: unknown[] } | undefined;
    /** A statement sent ahead, and its answer, for when it is run. */
    let ahead: { sql: string; values: unknown[]; answer: Promise<pg.QueryResult> } | undefined;

    /** `sql` with what waits to go with it, all written at once; `sql`'s answer. */
    const send = async (sql: string, values: unknown[]): Promise<pg.QueryResult> => {
      let opening: Promise<pg.QueryResult> | undefined;
      let main: Promise<pg.QueryResult>;
      // `pg` writes each statement to the socket on its own; corked, they leave in one write,
      // so PostgreSQL's backend is woken once per round trip (decision 1442).
      const stream = held === undefined && along === undefined ? undefined : socketOf(client);
      stream?.cork();
      try {
        opening = held === undefined ? undefined : client.query(held);
        held = undefined;
        main = run(sql, values);
        if (along !== undefined) {
          const answer = run(along.sql, along.values);
          // Read when the statement is run; if it never is, its failure concerns nobody.
          answer.catch(() => undefined);
          ahead = { sql: along.sql, values: along.values, answer };
          along = undefined;
        }
      } finally {
        stream?.uncork();
      }
      if (opening !== undefined) {
        main.catch(() => undefined);
        await opening;
      }
      return main;
    };

    const query = async (sql: string, parameters: readonly unknown[]) => {
      if (sql === SEND_NOW) {
        const [text, values, sent] = parameters as [string, unknown[], SentNow];
        // Written now, with whatever waits to go with it; read by the caller later.
        const answer = send(text, [...values]);
        answer.catch((error: unknown) => {
          if (isStalePlan(error)) prepared.forget();
        });
        sent.answer = answer;
        return NOTED;
      }
      if (sql === SEND_WITH_NEXT) {
        along = { sql: parameters[0] as string, values: [...(parameters[1] as unknown[])] };
        return NOTED;
      }
      if (parameters.length === 0 && TRANSACTION_START.test(sql)) {
        held = sql;
        inTransaction = true;
        return BEGUN;
      }
      if (held !== undefined && parameters.length === 0 && SET_LOCAL.test(sql)) {
        held = `${held}; ${sql}`;
        return SET;
      }
      const values = [...parameters];
      const sentAhead = ahead;
      ahead = undefined;
      // Before this statement: a commit sent along with it would already say false.
      const withinTransaction = inTransaction;
      try {
        if (sentAhead !== undefined) {
          if (sentAhead.sql === sql && sameValues(sentAhead.values, values))
            return await sentAhead.answer;
          // The transaction's end went ahead (decision 1438): a statement now would run on its
          // own, outside it. Only a rollback may follow, and it changes nothing.
          if (TRANSACTION_END.test(sentAhead.sql) && !TRANSACTION_END.test(sql))
            throw new Error(`a statement after the transaction's end sent ahead: ${sql}`);
        }
        return await send(sql, values);
      } catch (error) {
        // A failed statement leaves PostgreSQL's transaction aborted; Kysely rolls it back.
        if (!isStalePlan(error)) throw error;
        prepared.forget();
        if (withinTransaction) throw error;
        return run(sql, values);
      }
    };
    return {
      // Kysely's cursor overload is not used (no `cursor` in the dialect's config).
      query: query as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => {
        inTransaction = false;
        held = undefined;
        along = undefined;
        ahead = undefined;
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
