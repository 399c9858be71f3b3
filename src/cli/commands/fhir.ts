import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { exportRecord } from '../../interop/fhir/export.ts';
import type { SystemActor } from '../../services/actors.ts';
import { systemClock } from '../../services/clock.ts';
import { AppError } from '../../services/errors.ts';
import { discloseClinicRecord } from '../../services/fhir-records.ts';
import { linkPatientIdentifier, registerCdsClient } from '../../services/interop-setup.ts';
import type { Db } from '../../store/db.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK, EXIT_USAGE } from '../io.ts';
import { withDatabaseFromEnv } from '../with-db.ts';

const USAGE = `usage:
  needlecare fhir export --clinic ID --out DIR [--since ISO-INSTANT]
      one NDJSON file per resource type (FHIR Bulk Data layout), e.g. DIR/Patient.ndjson
  needlecare fhir link-patient --clinic ID --patient ID --system URI --value VALUE
      record the identifier the clinic's EHR gives a patient (links CDS Hooks requests)
  needlecare fhir cds-client --clinic ID --issuer ISS --identifier-system URI
                             (--jwks-url https://… | --jwks-file FILE)
      allow an EHR to call the CDS services with JWTs from ISS, verified with its public keys
The database comes from DATABASE_URL or NEEDLECARE_DB. Bad input exits 2.
`;

function cliActor(clinicId: string): SystemActor {
  return { kind: 'system', name: 'cli', clinicId, ip: '127.0.0.1', requestId: 'cli' };
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`needlecare fhir: ${message}\n`);
  return EXIT_USAGE;
}

/** An AppError is the user's mistake (exit 2, one line); anything else propagates (exit 1). */
async function asUsage(io: CliIo, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError) {
      const field = error.errors[0];
      return usageError(
        io,
        field === undefined ? error.detail : `${field.field}: ${field.message}`,
      );
    }
    throw error;
  }
}

export async function fhirCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout.write(USAGE);
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: [...rest],
      options: {
        clinic: { type: 'string' },
        out: { type: 'string' },
        since: { type: 'string' },
        patient: { type: 'string' },
        system: { type: 'string' },
        value: { type: 'string' },
        issuer: { type: 'string' },
        'identifier-system': { type: 'string' },
        'jwks-url': { type: 'string' },
        'jwks-file': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | undefined>;
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const clinic = values.clinic;
  if (clinic === undefined || clinic === '') return usageError(io, '--clinic is required');
  switch (sub) {
    case 'export':
      return exportCommand(io, clinic, values);
    case 'link-patient': {
      const { patient, system, value } = values;
      if (patient === undefined || system === undefined || value === undefined)
        return usageError(io, 'link-patient needs --patient, --system and --value');
      return withDatabaseFromEnv('fhir', io, (db) =>
        asUsage(io, async () => {
          await linkPatientIdentifier({ db, clock: systemClock() }, cliActor(clinic), {
            clinicId: clinic,
            patientId: patient,
            system,
            value,
          });
          io.stdout.write(`patient ${patient} is ${system}|${value}\n`);
          return EXIT_OK;
        }),
      );
    }
    case 'cds-client':
      return cdsClientCommand(io, clinic, values);
    default:
      return usageError(io, `unknown subcommand "${sub}"\n${USAGE}`);
  }
}

async function exportCommand(
  io: CliIo,
  clinic: string,
  values: Record<string, string | undefined>,
): Promise<number> {
  const out = values.out;
  if (out === undefined || out === '') return usageError(io, '--out is required');
  const since = values.since;
  if (
    since !== undefined &&
    (!/^\d{4}-\d{2}-\d{2}T/.test(since) || Number.isNaN(Date.parse(since)))
  )
    return usageError(
      io,
      `--since: expected an ISO instant such as 2026-11-01T00:00:00Z (got "${since}")`,
    );
  return withDatabaseFromEnv('fhir', io, (db: Db) =>
    asUsage(io, async () => {
      const files = await discloseClinicRecord({ db, clock: systemClock() }, cliActor(clinic), {
        action: 'fhir.export',
        subject: '$export (cli)',
        project: (record) => {
          const { files: f, patientIds } = exportRecord(
            record,
            since === undefined ? {} : { since: new Date(since).toISOString() },
          );
          return { result: f, patientIds };
        },
      });
      mkdirSync(out, { recursive: true });
      for (const f of files) {
        writeFileSync(join(out, `${f.type}.ndjson`), f.ndjson);
        io.stdout.write(`${f.type}.ndjson\t${f.count}\n`);
      }
      return EXIT_OK;
    }),
  );
}

async function cdsClientCommand(
  io: CliIo,
  clinic: string,
  values: Record<string, string | undefined>,
): Promise<number> {
  const issuer = values.issuer;
  const identifierSystem = values['identifier-system'];
  if (issuer === undefined || identifierSystem === undefined)
    return usageError(io, 'cds-client needs --issuer and --identifier-system');
  const jwksUrl = values['jwks-url'] ?? null;
  let jwks: { keys: object[] } | null = null;
  const file = values['jwks-file'];
  if (file !== undefined) {
    try {
      jwks = JSON.parse(readFileSync(file, 'utf8')) as { keys: object[] };
    } catch (error) {
      return usageError(
        io,
        `--jwks-file: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return withDatabaseFromEnv('fhir', io, (db) =>
    asUsage(io, async () => {
      const client = await registerCdsClient({ db, clock: systemClock() }, cliActor(clinic), {
        clinicId: clinic,
        issuer,
        jwksUrl,
        jwks,
        identifierSystem,
      });
      io.stdout.write(`CDS client ${client.id}: issuer ${client.issuer} for clinic ${clinic}\n`);
      return EXIT_OK;
    }),
  );
}
