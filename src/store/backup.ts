/**
 * SQLite backup and restore (decision 1314). The copy is made with SQLite's online backup API
 * (better-sqlite3 `.backup()`), which copies a consistent snapshot page by page while the server
 * keeps writing: a check-in committed before the copy finished is in it, one after is not, none
 * is half there. PostgreSQL uses its own tools (`pg_dump`/`pg_restore`, README).
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { loadSqlite } from './db.ts';

/**
 * The better-sqlite3 build `createDb` uses (12 or 13 by Node version, decision 0007): 12 aborts
 * on Node 24 when a statement is collected, and two copies of SQLite in one process would not
 * see each other's locks.
 */
const Database = loadSqlite().Sqlite;

/** Copy the live database at `source` to `out` (which must not exist). Returns pages copied. */
export async function backupSqlite(source: string, out: string): Promise<number> {
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  if (existsSync(out)) throw new Error(`${out} already exists; choose a new file`);
  const db = new Database(source, { fileMustExist: true });
  try {
    const progress = await db.backup(out);
    return progress.totalPages;
  } finally {
    db.close();
  }
}

/** Whether another process has the database open: WAL databases keep `-wal`/`-shm` files then. */
export function sqliteInUse(path: string): boolean {
  return existsSync(`${path}-wal`) || existsSync(`${path}-shm`);
}

/** Whether `path` holds a database with any clinic in it (an empty file or none is empty). */
export function sqliteHasData(path: string): boolean {
  if (!existsSync(path) || statSync(path).size === 0) return false;
  // Read-write on purpose: a read-only handle on a WAL database may leave its -shm file behind,
  // which would then read as "in use".
  const db = new Database(path, { fileMustExist: true });
  try {
    const table = db
      .prepare("select name from sqlite_master where type = 'table' and name = 'clinics'")
      .get();
    if (table === undefined) return false;
    return db.prepare('select 1 from clinics limit 1').get() !== undefined;
  } finally {
    db.close();
  }
}

/**
 * Replace the database at `target` with the backup at `from`. The backup is checked (a SQLite
 * file that passes `quick_check` and has the schema's migration table) and copied beside the
 * target first, then renamed over it, so a failure leaves the target as it was.
 */
export async function restoreSqlite(from: string, target: string): Promise<void> {
  if (!existsSync(from)) throw new Error(`no backup at ${from}`);
  const backup = new Database(from, { readonly: true, fileMustExist: true });
  const temp = `${target}.restoring`;
  rmSync(temp, { force: true });
  try {
    const check = backup.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`${from} is damaged (${String(check)})`);
    const migrations = backup
      .prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'")
      .get();
    if (migrations === undefined) throw new Error(`${from} is not a Needlecare database`);
    await backup.backup(temp);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error instanceof Error && /not a database|file is encrypted/i.test(error.message)
      ? new Error(`${from} is not a SQLite database`)
      : error;
  } finally {
    backup.close();
  }
  renameSync(temp, target);
}
