import { createDb, type Db } from '../store/db.ts';
import { readConfig } from './config.ts';
import type { CliIo } from './io.ts';
import { EXIT_FAILURE } from './io.ts';

/**
 * Open the database the environment names (DATABASE_URL or NEEDLECARE_DB), run `fn`, close it.
 * A bad environment exits 2 naming the variables; an error while running exits 1 in one line.
 */
export async function withDatabaseFromEnv(
  command: string,
  io: CliIo,
  fn: (db: Db) => Promise<number>,
): Promise<number> {
  const config = readConfig(command, io);
  if (typeof config === 'number') return config;
  const db = createDb({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  try {
    return await fn(db);
  } catch (error) {
    io.stderr.write(
      `needlecare ${command}: failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILURE;
  } finally {
    await db.destroy();
  }
}
