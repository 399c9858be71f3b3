import { ConfigError, loadConfig } from '../../config/env.ts';
import { verifyAuditChain } from '../../store/audit.repository.ts';
import { createDb } from '../../store/db.ts';
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';

const USAGE = 'usage: needlecare audit verify   (database from DATABASE_URL or NEEDLECARE_DB)\n';

/**
 * `needlecare audit verify`: recompute the audit log's hash chain. Exit 0 when intact; exit 1
 * naming the first bad `seq` when an event was edited, removed, inserted or the tail cut.
 */
export async function auditCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h') {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (args[0] !== 'verify' || args.length > 1) {
    io.stderr.write(
      `needlecare audit: ${args[0] === undefined ? 'missing subcommand' : `unknown subcommand "${args.join(' ')}"`}\n${USAGE}`,
    );
    return EXIT_USAGE;
  }
  let databaseUrl: string | undefined;
  let sqlitePath: string;
  try {
    ({ databaseUrl, sqlitePath } = loadConfig(io.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`needlecare audit: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const db = createDb({ databaseUrl, sqlitePath });
  try {
    const report = await verifyAuditChain(db);
    if (report.ok) {
      io.stdout.write(`audit chain OK: ${report.checked} events verified\n`);
      return EXIT_OK;
    }
    io.stdout.write(
      `audit chain BROKEN at seq ${report.firstBadSeq ?? '?'}: ${report.reason ?? 'unknown reason'} (${report.checked} events verified before it)\n`,
    );
    return EXIT_FAILURE;
  } catch (error) {
    io.stderr.write(
      `needlecare audit: failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILURE;
  } finally {
    await db.destroy();
  }
}
