import { resealSecrets } from '../../store/seal-existing.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK, EXIT_USAGE } from '../io.ts';
import { withDatabaseFromEnv } from '../with-db.ts';

const USAGE = `usage: needlecare keys reseal
  Re-seal the stored secrets (webhook secrets, queued reminder links) with the current
  NEEDLECARE_SECRET_KEY, opening old ones with NEEDLECARE_SECRET_KEYS_OLD. Run it after a
  rotation; then the old key can be removed (docs/decisions/1100-keys-at-rest.md).
`;

/** `needlecare keys reseal`: the last step of a secret-key rotation. */
export async function keysCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h') {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (args.length !== 1 || args[0] !== 'reseal') {
    io.stderr.write(
      `needlecare keys: ${args[0] === undefined ? 'missing subcommand' : `unknown subcommand "${args.join(' ')}"`}\n${USAGE}`,
    );
    return EXIT_USAGE;
  }
  return withDatabaseFromEnv('keys', io, async (db) => {
    const count = await resealSecrets(db);
    io.stdout.write(
      `needlecare keys: re-sealed ${count.webhookSecrets} webhook secret(s) and ${count.reminderLinks} reminder link(s) with the current key\n`,
    );
    return EXIT_OK;
  });
}
