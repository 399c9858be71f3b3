import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

const require = createRequire(import.meta.url);

/**
 * better-sqlite3 12 runs on Node 20 but aborts the process on Node 24 when a statement is
 * garbage-collected; 13 fixes that but needs Node 22+ (and crashes on 20). package.json has 12
 * as a dependency and 13 as the optional `better-sqlite3-node22`, which npm installs only where
 * the engine fits; here we load the one that suits the running Node
 * (docs/decisions/0007-better-sqlite3-by-node-version.md).
 */
function loadSqlite(): typeof SQLite {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) {
    try {
      return require('better-sqlite3-node22') as typeof SQLite;
    } catch {
      // Not installed (e.g. node_modules made by Node 20): fall back to 12.
    }
  }
  return require('better-sqlite3') as typeof SQLite;
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
   * Errors of idle PostgreSQL connections (server restart, network). Without a listener `pg`
   * would crash the process; the pool replaces the connection, so the shell only logs them.
   */
  readonly onPoolError?: ((error: Error) => void) | undefined;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Open the database: PostgreSQL when `databaseUrl` is set, else SQLite on a file.
 * SQLite runs in WAL with `synchronous=FULL` so an acknowledged write survives power loss,
 * `foreign_keys=ON` and a 5 s busy timeout for a second process (CLI, backup) on the file.
 * On PostgreSQL, int8 (counts, identities) is parsed to `number` so both dialects return
 * the same JS types.
 */
export function createDb(config: DbConfig): Db {
  if (config.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.poolMax ?? 10,
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
    pool.on('error', (error) => onPoolError?.(error));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const path = config.sqlitePath;
  if (path === undefined) throw new Error('createDb: give databaseUrl or sqlitePath');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const Sqlite = loadSqlite();
  const sqlite = new Sqlite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing was
 * ~13% of a check-in's CPU time (bench/http.bench.ts, profiled). Keep the statements of the
 * (few hundred) distinct query texts the app issues.
 */
function withStatementCache(
  sqlite: SQLite.Database,
  max = 500,
): { close(): void; prepare(sql: string): SQLite.Statement } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
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
 * Run `fn` in a transaction, or inside the caller's transaction when `db` already is one
 * (Kysely has no nested transactions), so repositories can compose.
 */
export async function withTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx) => fn(trx));
}
