import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  type RawBuilder,
  type SqlBool,
  SqliteDialect,
  SqliteDriver,
  sql,
} from 'kysely';
import type pg from 'pg';
import { type Checkpointer, startCheckpointer, WRITER_CHECKPOINT_PAGES } from './checkpointer.ts';
import { isConnectionLost } from './db-errors.ts';
import { PreparedStatements, PreparedStatementsCarrier, preparingPool } from './pg-prepared.ts';
import { positionalStatement } from './positional.ts';
import type { Database } from './schema.ts';
import { attachWalSync, untilDurable, WalSync, watchedStatement } from './wal-sync.ts';

const require = createRequire(import.meta.url);

/**
 * better-sqlite3 12 runs on Node 20 but aborts the process on Node 24 when a statement is
 * garbage-collected; 13 fixes that but needs Node 22+ (and crashes on 20). package.json has 12
 * as a dependency and 13 as the optional `better-sqlite3-node22`, which npm installs only where
 * the engine fits; here we load the one that suits the running Node
 * (docs/decisions/0007-better-sqlite3-by-node-version.md). Anything else in this process that
 * opens the same file must load this same build: two copies of SQLite in one process do not
 * see each other's locks.
 */
export function loadSqlite(): { readonly Sqlite: typeof SQLite; readonly module: string } {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) {
    try {
      const module = require.resolve('better-sqlite3-node22');
      return { Sqlite: require(module) as typeof SQLite, module };
    } catch {
      // Not installed (e.g. node_modules made by Node 20): fall back to 12.
    }
  }
  const module = require.resolve('better-sqlite3');
  return { Sqlite: require(module) as typeof SQLite, module };
}

/** The database handle every repository takes first. A `Transaction<Database>` is one too. */
export type Db = Kysely<Database>;
export type DialectName = 'sqlite' | 'postgres';

export interface DbConfig {
  /** `postgres://…`: use PostgreSQL. Wins over `sqlitePath`. */
  readonly databaseUrl?: string | undefined;
  /**
   * SQLite file (parent folder created when missing); `:memory:` for throw-away use. Required
   * without `databaseUrl`: the default file is src/config's to choose.
   */
  readonly sqlitePath?: string | undefined;
  /** PostgreSQL pool size (default 10). */
  readonly poolMax?: number | undefined;
  /**
   * SQLite: checkpoint the WAL on a worker thread (`startCheckpointer`, decision 1417) instead of
   * inside the commits of this connection. For the server; ignored for `:memory:` and PostgreSQL.
   */
  readonly backgroundCheckpoints?: boolean | undefined;
  /**
   * SQLite: commit with `synchronous=NORMAL` and fsync the log on libuv's thread pool, so the
   * server's thread goes on while a commit reaches the disk; `withTransaction` still returns
   * only once its commit is on disk (`WalSync`, decision 1419). For the server; ignored for
   * `:memory:` and PostgreSQL. Tests may give the fsync to use.
   */
  readonly syncOffThread?: boolean | { readonly sync: (fd: number) => Promise<void> } | undefined;
  /**
   * SQLite: when another process holds the write lock, `begin immediate` waits by trying again
   * on later event-loop turns instead of in SQLite's busy handler, which sleeps on the thread
   * (decision 1421). For `serve`, whose processes share one file; ignored for PostgreSQL.
   */
  readonly waitForWriteLockAsync?: boolean | undefined;
  /** With `waitForWriteLockAsync`: how long to wait (default `SQLITE_BUSY_WAIT_MS`; tests). */
  readonly writeLockWaitMs?: number | undefined;
  /** A background checkpoint failed (the writer's own checkpoint still bounds the log). */
  readonly onCheckpointError?: ((message: string) => void) | undefined;
  /**
   * Errors of PostgreSQL connections, idle or in use (server restart, failover, network). Every
   * connection gets a listener the moment it is made, so a lost one never crashes the process:
   * the query on it fails, the pool drops it, and the shell only logs (decision 0800).
   */
  readonly onPoolError?: ((error: Error) => void) | undefined;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Open the database: PostgreSQL when `databaseUrl` is set, else SQLite on a file.
 * SQLite runs in WAL with `synchronous=FULL` (or NORMAL with the fsync off the thread,
 * `syncOffThread`) so an acknowledged write survives power loss,
 * `foreign_keys=ON` and a 5 s busy timeout for a second process (CLI, backup) on the file.
 * On PostgreSQL, int8 (counts, identities) is parsed to `number` so both dialects return
 * the same JS types.
 */
export function createDb(config: DbConfig): Db {
  const databaseUrl = config.databaseUrl;
  if (databaseUrl) {
    const prepared = new PreparedStatements();
    return new Kysely<Database>({
      // `pg` is loaded when the first connection is wanted, not with the module: a server on
      // SQLite never needs it, and loading it took ~4% of such a server's start (decision
      // 1465).
      dialect: new PostgresDialect({
        pool: async () => preparingPool(await openPool(databaseUrl, config), prepared),
      }),
      plugins: [new PreparedStatementsCarrier(prepared)],
    });
  }
  return openSqlite(config);
}

/**
 * Each connection's backend hands the data pages it writes out to the disk every 256 kB
 * (`backend_flush_after`, decision 1489), where PostgreSQL's default on Linux leaves them in the
 * kernel's cache until its writeback sends them out 30 s later in one burst, and a commit's WAL
 * flush then waits behind that burst (15–70 ms stalls measured). Set only where the server
 * still has the built-in default (an operator's own value, 0 included, is kept) and where it
 * can take the value at all (its maximum is 0 where the platform has no `sync_file_range`).
 */
export const WRITEBACK_AS_YOU_GO = `select set_config('backend_flush_after', '256kB', false)
  from pg_settings where name = 'backend_flush_after' and source = 'default'
    and max_val::integer >= 32`;

/** The PostgreSQL pool, with `pg` loaded now (its own chunk in the command's bundle). */
async function openPool(databaseUrl: string, config: DbConfig): Promise<pg.Pool> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: config.poolMax ?? 10,
    // A statement may be written before the answer to the one before it: only
    // `preparingPool` does so, within one transaction (decision 1433).
    pipeline: true,
    // A database behind a dead network path would hold a new connection until the OS gives
    // up (minutes); fail it after 10 s (waiting for a free pooled connection included) so
    // the request answers 503 (decision 0800). TCP keep-alive finds connections whose peer
    // vanished without a reset (failover).
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
        return format === 'binary'
          ? pg.types.getTypeParser(oid, 'binary')
          : pg.types.getTypeParser(oid, 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  const onPoolError = config.onPoolError;
  // `pg` emits 'error' on the client (checked out or idle); without a listener that is an
  // unhandled 'error' event. The pool's own 'error' repeats it for idle clients: the
  // client listener has logged it already.
  pool.on('connect', (client) => {
    client.on('error', (error) => onPoolError?.(error));
    // Queued before anything the pool's caller sends on this connection. A failure here fails
    // nothing else; the connection's own errors reach the listener above.
    client.query(WRITEBACK_AS_YOU_GO).catch(() => undefined);
  });
  pool.on('error', () => {});
  return pool;
}

/** SQLite on `config.sqlitePath` (see `createDb`). */
function openSqlite(config: DbConfig): Db {
  const path = config.sqlitePath;
  if (path === undefined) throw new Error('createDb: give databaseUrl or sqlitePath');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const { Sqlite, module } = loadSqlite();
  const offThread = config.syncOffThread;
  const wal =
    offThread === undefined || offThread === false || path === ':memory:'
      ? undefined
      : new WalSync(`${path}-wal`, offThread === true ? undefined : offThread.sync);
  const checkpoints = config.backgroundCheckpoints === true && path !== ':memory:';
  const pragmas = [
    'journal_mode = WAL',
    wal === undefined ? 'synchronous = FULL' : 'synchronous = NORMAL',
    'foreign_keys = ON',
    `busy_timeout = ${SQLITE_BUSY_WAIT_MS}`,
    ...(path === ':memory:' ? [] : [`cache_size = -${SQLITE_CACHE_KIB}`]),
    ...(checkpoints ? [`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`] : []),
    // A statement's own undo record in memory, not in a file of its own (decision 1478).
    'temp_store = MEMORY',
  ];
  const sqlite = new Sqlite(path);
  for (const pragma of pragmas) sqlite.pragma(pragma);
  // Started once the file is in WAL mode.
  const checkpointer: Checkpointer | undefined = checkpoints
    ? startCheckpointer({ path, module, onError: config.onCheckpointError })
    : undefined;
  const onClose = () => {
    checkpointer?.stop();
    wal?.close();
  };
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect(
      { database: withStatementCache(sqlite, wal, onClose) },
      config.waitForWriteLockAsync === true
        ? (config.writeLockWaitMs ?? SQLITE_BUSY_WAIT_MS)
        : undefined,
    ),
  });
  if (wal !== undefined) attachWalSync(db, wal);
  return db;
}

/**
 * SQLite transactions that begin `IMMEDIATE`: the write lock is taken at `begin`, where
 * `busy_timeout` waits for another process (a separate worker) to finish. A deferred
 * transaction reads first and fails at once with SQLITE_BUSY(_SNAPSHOT) when it later tries to
 * write after the other process committed (decision 0801). Within this process Kysely already
 * runs one transaction at a time on the single connection.
 */
type SqliteConfig = ConstructorParameters<typeof SqliteDialect>[0];

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #sqliteConfig: SqliteConfig;
  readonly #busyWaitMs: number | undefined;

  constructor(config: SqliteConfig, busyWaitMs?: number) {
    super(config);
    this.#sqliteConfig = config;
    this.#busyWaitMs = busyWaitMs;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#sqliteConfig, this.#busyWaitMs);
  }
}

/**
 * SQLite's page cache per connection, in KiB (its default is 2,000). A clinic's alert queue
 * and its live list read ~1,000 pages of alerts, check-ins and assessments; with the default
 * they were read from the operating system again on every view (a system call and a copy
 * each), about half the queue page's time on the scale seed (decision 1453). Bounded memory:
 * at most this much per process, however large the file.
 */
export const SQLITE_CACHE_KIB = 32 * 1024;

/** How long `begin immediate` waits for another process's write lock (as `busy_timeout`). */
export const SQLITE_BUSY_WAIT_MS = 5000;

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #busyWaitMs: number | undefined;

  constructor(config: SqliteConfig, busyWaitMs: number | undefined) {
    super(config);
    this.#busyWaitMs = busyWaitMs;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#busyWaitMs === undefined) {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      return;
    }
    // Waiting without blocking the thread (`waitForWriteLockAsync`, decision 1421): SQLite's own
    // busy handler sleeps on it, so a server process stopped answering while another held the
    // lock. `begin immediate` is tried with no busy timeout and again on the next turns.
    await connection.executeQuery(CompiledQuery.raw('pragma busy_timeout = 0'));
    try {
      const deadline = performance.now() + this.#busyWaitMs;
      for (let attempt = 0; ; attempt += 1) {
        try {
          await connection.executeQuery(CompiledQuery.raw('begin immediate'));
          return;
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
          if (performance.now() >= deadline) throw error;
        }
        // The other process's group takes a few milliseconds: look again at once a few times,
        // then every millisecond.
        await new Promise((resolve) =>
          attempt < 3 ? setImmediate(resolve) : setTimeout(resolve, 1),
        );
      }
    } finally {
      await connection.executeQuery(
        CompiledQuery.raw(`pragma busy_timeout = ${SQLITE_BUSY_WAIT_MS}`),
      );
    }
  }
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing was
 * ~13% of a check-in's CPU time (bench/http.bench.ts, profiled). Keep the statements of the
 * (few hundred) distinct query texts the app issues; each binds its values one argument each
 * (`positionalStatement`, decision 1487).
 */
function withStatementCache(
  sqlite: SQLite.Database,
  wal: WalSync | undefined,
  onClose: () => void,
  max = 500,
): { close(): void; prepare(sql: string): SQLite.Statement } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      onClose();
      cache.clear();
      sqlite.close();
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = positionalStatement(sqlite.prepare(sql));
        if (wal !== undefined) statement = watchedStatement(sqlite, statement, sql, wal);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Which dialect a handle (or transaction) talks to. Kysely exposes no public name, so this
 * looks at the adapter; both dialects are created only by `createDb`.
 */
export function dialectOf(db: Kysely<Database> | Kysely<unknown>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * `column in (values)` as a condition. On PostgreSQL it is `column = any($1)` with one array
 * parameter, so the statement's text is the same for any number of values and is prepared once
 * per connection (decision 1414); SQLite takes the list.
 */
export function isOneOf(db: Db, column: string, values: readonly string[]): RawBuilder<SqlBool> {
  return dialectOf(db) === 'postgres'
    ? sql<SqlBool>`${sql.ref(column)} = any(${[...values]})`
    : sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})`;
}

/**
 * Run `fn` in a transaction, or inside the caller's transaction when `db` already is one
 * (Kysely has no nested transactions), so repositories can compose. Returns once the commit is
 * durable: on a handle that syncs off the thread, after the log's fsync (decision 1419). With
 * `durable: false` it returns at the commit, and the caller waits (`untilDurable`) before
 * anything it wrote is acknowledged (the group commit, decision 1484).
 */
export async function withTransaction<T>(
  db: Db,
  fn: (trx: Db) => Promise<T>,
  options?: { readonly durable?: boolean },
): Promise<T> {
  if (db.isTransaction) return fn(db);
  let value: T;
  try {
    value = await db.transaction().execute((trx) => fn(trx));
  } catch (error) {
    // A PostgreSQL connection lost before commit rolled the transaction back: run it once more
    // on a fresh connection from the pool (decision 0800). A loss during COMMIT itself is
    // ambiguous; idempotency keys and unique keys make the second run harmless.
    if (dialectOf(db) !== 'postgres' || !isConnectionLost(error)) throw error;
    value = await db.transaction().execute((trx) => fn(trx));
  }
  if (options?.durable !== false) await untilDurable(db);
  return value;
}
