import { readFileSync } from 'node:fs';
import {
  type AuditCheckpoint,
  parseAuditCheckpoint,
  takeAuditCheckpoints,
  verifyAuditLog,
} from '../../services/audit-checkpoint.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';
import { withDatabaseFromEnv } from '../with-db.ts';

const USAGE = `usage: needlecare audit verify [--checkpoint <file>]
       needlecare audit checkpoint
  verify       recompute the audit log's keyed chain; with --checkpoint, also check it still
               holds every signed checkpoint in <file> (one JSON line each)
  checkpoint   print the head of each lane of the chain, signed, one JSON line each: append
               them to a file or log the database's writers cannot change
Database from DATABASE_URL or NEEDLECARE_DB; the audit key from NEEDLECARE_AUDIT_KEY (older keys
in NEEDLECARE_AUDIT_KEYS_OLD).
`;

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`needlecare audit: ${message}; see needlecare audit --help\n`);
  return EXIT_USAGE;
}

/** Checkpoints from a JSON-lines file; a bad line is a usage error naming it. */
function readCheckpoints(path: string): AuditCheckpoint[] | string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return `--checkpoint: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  const found: AuditCheckpoint[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const parsed = parseAuditCheckpoint(line);
    if (!parsed.ok) return `--checkpoint: ${path} line ${i + 1}: ${parsed.error}`;
    found.push(parsed.value);
  }
  if (found.length === 0) return `--checkpoint: ${path} holds no checkpoint`;
  return found;
}

/**
 * `needlecare audit verify`: exit 0 when the chain (and every checkpoint given) holds; exit 1
 * naming the first bad `seq` and the guarantee that failed (edited row, deleted row, order,
 * keyed chain, truncation or re-chaining after a checkpoint, checkpoint signature).
 * `needlecare audit checkpoint`: print the signed head (docs/decisions/1101-keyed-audit-chain.md).
 */
export async function auditCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    { name: 'audit', usage: USAGE, options: { checkpoint: { type: 'string' } }, positionals: 1 },
    args,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const sub = parsed.positionals[0];
  if (sub === undefined) return usageError(io, 'missing subcommand');
  if (sub !== 'verify' && sub !== 'checkpoint') {
    return usageError(io, `unknown subcommand "${sub}"`);
  }
  if (sub === 'checkpoint') {
    if (parsed.values.checkpoint !== undefined) {
      return usageError(io, '--checkpoint belongs to verify');
    }
    return withDatabaseFromEnv('audit', io, async (db) => {
      const checkpoints = await takeAuditCheckpoints(db, new Date());
      io.stdout.write(checkpoints.map((c) => `${JSON.stringify(c)}\n`).join(''));
      return EXIT_OK;
    });
  }
  let checkpoints: AuditCheckpoint[] = [];
  if (parsed.values.checkpoint !== undefined) {
    const read = readCheckpoints(parsed.values.checkpoint);
    if (typeof read === 'string') return usageError(io, read);
    checkpoints = read;
  }
  return withDatabaseFromEnv('audit', io, async (db) => {
    const report = await verifyAuditLog(db, checkpoints);
    const unkeyed =
      report.unkeyed !== undefined && report.unkeyed > 0
        ? `; the first ${report.unkeyed} predate the keyed chain (plain SHA-256 links)`
        : '';
    if (report.ok) {
      const against = checkpoints.length > 0 ? `, ${report.checkpoints} checkpoint(s) hold` : '';
      const lanes =
        report.lanes !== undefined && report.lanes > 1 ? ` in ${report.lanes} lanes` : '';
      io.stdout.write(
        `audit chain OK: ${report.checked} events verified${lanes}${against}${unkeyed}\n`,
      );
      return EXIT_OK;
    }
    io.stdout.write(
      `audit chain BROKEN at seq ${report.firstBadSeq ?? '?'}: ${report.guarantee ?? 'unknown'}: ${report.reason ?? 'unknown reason'} (${report.checked} events verified${unkeyed})\n`,
    );
    return EXIT_FAILURE;
  });
}
