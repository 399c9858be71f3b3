import { backupSqlite, restoreSqlite, sqliteHasData, sqliteInUse } from '../../store/backup.ts';
import { parseCommandArgs } from '../args.ts';
import { readConfig } from '../config.ts';
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';

const BACKUP_USAGE =
  'usage: needlecare backup --out FILE   (SQLite database from NEEDLECARE_DB; safe while serving)\n';
const RESTORE_USAGE =
  'usage: needlecare restore --from FILE [--force]   (replaces the SQLite database in NEEDLECARE_DB; stop the server first)\n';
const PG_HINT = 'DATABASE_URL names PostgreSQL: use pg_dump / pg_restore (see README, "Backups")';

/** The SQLite path the environment names, or an exit code (PostgreSQL is not ours to copy). */
function sqlitePathOf(command: string, io: CliIo): string | number {
  const config = readConfig(command, io);
  if (typeof config === 'number') return config;
  if (config.databaseUrl !== undefined) {
    io.stderr.write(`needlecare ${command}: ${PG_HINT}\n`);
    return EXIT_USAGE;
  }
  return config.sqlitePath;
}

function failed(command: string, io: CliIo, error: unknown): number {
  io.stderr.write(
    `needlecare ${command}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  return EXIT_FAILURE;
}

/** `needlecare backup --out FILE`: a consistent copy of the live SQLite database. */
export async function backupCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    { name: 'backup', usage: BACKUP_USAGE, options: { out: { type: 'string' } } },
    args,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const out = parsed.values.out;
  if (out === undefined || out.trim() === '') {
    io.stderr.write('needlecare backup: --out FILE is required\n');
    return EXIT_USAGE;
  }
  const source = sqlitePathOf('backup', io);
  if (typeof source === 'number') return source;
  try {
    const pages = await backupSqlite(source, out);
    io.stdout.write(`needlecare backup: wrote ${out} (${pages} pages)\n`);
    return EXIT_OK;
  } catch (error) {
    return failed('backup', io, error);
  }
}

/**
 * `needlecare restore --from FILE [--force]`: put a backup in place of the SQLite database.
 * Refuses while the database is open (its -wal/-shm files exist) and, without --force, when the
 * database already holds a clinic.
 */
export async function restoreCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      name: 'restore',
      usage: RESTORE_USAGE,
      options: { from: { type: 'string' }, force: { type: 'boolean' } },
    },
    args,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const from = parsed.values.from;
  if (from === undefined || from.trim() === '') {
    io.stderr.write('needlecare restore: --from FILE is required\n');
    return EXIT_USAGE;
  }
  const target = sqlitePathOf('restore', io);
  if (typeof target === 'number') return target;
  if (sqliteInUse(target)) {
    io.stderr.write(
      `needlecare restore: ${target} is in use (its -wal/-shm files exist); stop the server and worker first\n`,
    );
    return EXIT_USAGE;
  }
  if (parsed.values.force !== true && sqliteHasData(target)) {
    io.stderr.write(
      `needlecare restore: ${target} already holds data; add --force to replace it\n`,
    );
    return EXIT_USAGE;
  }
  try {
    await restoreSqlite(from, target);
    io.stdout.write(`needlecare restore: ${target} now holds the backup ${from}\n`);
    return EXIT_OK;
  } catch (error) {
    return failed('restore', io, error);
  }
}
