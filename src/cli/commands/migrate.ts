import { migrateToLatest } from '../../store/migrations.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK, EXIT_USAGE } from '../io.ts';
import { withDatabaseFromEnv } from '../with-db.ts';

const USAGE = 'usage: needlecare migrate   (database from DATABASE_URL or NEEDLECARE_DB)\n';

/** `needlecare migrate`: bring the database schema to the latest migration. Idempotent. */
export async function migrateCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (args.length > 0) {
    io.stderr.write(`needlecare migrate: unexpected argument "${args[0]}"\n${USAGE}`);
    return EXIT_USAGE;
  }
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
