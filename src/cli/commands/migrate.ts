import { migrateToLatest } from '../../store/migrations.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK } from '../io.ts';
import { withDatabaseFromEnv } from '../with-db.ts';

const USAGE = 'usage: needlecare migrate   (database from DATABASE_URL or NEEDLECARE_DB)\n';

/** `needlecare migrate`: bring the database schema to the latest migration. Idempotent. */
export async function migrateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs({ name: 'migrate', usage: USAGE, options: {} }, args, io);
  if (typeof parsed === 'number') return parsed;
  return withDatabaseFromEnv('migrate', io, async (db) => {
    const applied = await migrateToLatest(db);
    io.stdout.write(
      applied.length === 0
        ? 'needlecare migrate: already up to date\n'
        : `needlecare migrate: applied ${applied.join(', ')}\n`,
    );
    return EXIT_OK;
  });
}
