import { createDb, type Db } from '../store/db.ts';
import { type KeyRing, withKeys } from '../store/keyring.ts';
import { readConfig } from './config.ts';
import type { CliIo } from './io.ts';
import { EXIT_FAILURE, EXIT_USAGE } from './io.ts';
import { KeySetupError, resolveKeyRing } from './keys.ts';

/**
 * Open the database the environment names (DATABASE_URL or NEEDLECARE_DB) with its keys
 * (keys.ts), run `fn`, close it.
 * A bad environment exits 2 naming the variables; an error while running exits 1 in one line.
 */
export async function withDatabaseFromEnv(
  command: string,
  io: CliIo,
  fn: (db: Db) => Promise<number>,
): Promise<number> {
  const config = readConfig(command, io);
  if (typeof config === 'number') return config;
  const { databaseUrl, sqlitePath } = config;
  let ring: KeyRing;
  try {
    ring = resolveKeyRing(config.keys, { databaseUrl, sqlitePath });
  } catch (error) {
    if (!(error instanceof KeySetupError)) throw error;
    io.stderr.write(`needlecare ${command}: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const db = withKeys(createDb({ databaseUrl, sqlitePath }), ring);
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
