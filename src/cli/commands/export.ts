import { writeFileSync } from 'node:fs';
import { systemClock } from '../../services/clock.ts';
import { AppError } from '../../services/errors.ts';
import { exportClinic } from '../../services/patient-records.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK, EXIT_USAGE } from '../io.ts';
import { withDatabaseFromEnv } from '../with-db.ts';

const USAGE =
  'usage: needlecare export --clinic ID --out FILE.zip   (database from DATABASE_URL or NEEDLECARE_DB)\n';

/** `needlecare export --clinic ID --out F`: a clinic's whole data as a ZIP (audited). */
export async function exportCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      name: 'export',
      usage: USAGE,
      options: { clinic: { type: 'string' }, out: { type: 'string' } },
    },
    args,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { clinic, out } = parsed.values;
  if (clinic === undefined || out === undefined || out.trim() === '') {
    io.stderr.write('needlecare export: --clinic ID and --out FILE are both required\n');
    return EXIT_USAGE;
  }
  return withDatabaseFromEnv('export', io, async (db) => {
    try {
      const result = await exportClinic(
        { db, clock: systemClock() },
        { kind: 'system', name: 'cli', clinicId: clinic, ip: '127.0.0.1', requestId: 'cli-export' },
        { clinicId: clinic },
      );
      writeFileSync(out, result.zip, { flag: 'wx' });
      const summary = Object.entries(result.counts)
        .map(([table, n]) => `${table} ${n}`)
        .join(', ');
      io.stdout.write(`needlecare export: wrote ${out} (${summary})\n`);
      return EXIT_OK;
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') {
        io.stderr.write(`needlecare export: no clinic with id "${clinic}"\n`);
        return EXIT_USAGE;
      }
      if (error instanceof Error && 'code' in error && error.code === 'EEXIST') {
        io.stderr.write(`needlecare export: ${out} already exists; choose a new file\n`);
        return EXIT_USAGE;
      }
      throw error;
    }
  });
}
