import { verifyAuditChain } from '../../store/audit.repository.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';
import { withDatabaseFromEnv } from '../with-db.ts';

const USAGE = 'usage: needlecare audit verify   (database from DATABASE_URL or NEEDLECARE_DB)\n';

/**
 * `needlecare audit verify`: recompute the audit log's hash chain. Exit 0 when intact; exit 1
 * naming the first bad `seq` when an event was edited, removed, inserted or the tail cut.
 */
export async function auditCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    { name: 'audit', usage: USAGE, options: {}, positionals: 1 },
    args,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const sub = parsed.positionals[0];
  if (sub !== 'verify') {
    io.stderr.write(
      `needlecare audit: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}; see needlecare audit --help\n`,
    );
    return EXIT_USAGE;
  }
  return withDatabaseFromEnv('audit', io, async (db) => {
    const report = await verifyAuditChain(db);
    if (report.ok) {
      io.stdout.write(`audit chain OK: ${report.checked} events verified\n`);
      return EXIT_OK;
    }
    io.stdout.write(
      `audit chain BROKEN at seq ${report.firstBadSeq ?? '?'}: ${report.reason ?? 'unknown reason'} (${report.checked} events verified before it)\n`,
    );
    return EXIT_FAILURE;
  });
}
