import { createClinic, listAllClinics, setClinicSuspension } from '../../services/clinics.ts';
import { AppError } from '../../services/errors.ts';
import { createDb } from '../../store/db.ts';
import { type KeyRing, withKeys } from '../../store/keyring.ts';
import { migrateToLatest } from '../../store/migrations.ts';
import { parseCommandArgs } from '../args.ts';
import { readConfig } from '../config.ts';
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../io.ts';
import { KeySetupError, resolveKeyRing } from '../keys.ts';
import { CLI_ACTOR, cliServiceDeps } from '../service-deps.ts';

const USAGE = `usage: needlecare clinic <create|list|suspend|resume> …   (database from DATABASE_URL or NEEDLECARE_DB)

  clinic create --name NAME --time-zone ZONE --country CC --admin-email EMAIL
                [--admin-name NAME] [--language en|es] [--phone PHONE]
      Creates a clinic and its first admin; prints the admin's single-use set-password URL
      (valid 7 days). The emergency number follows the country (change it in the settings).
  clinic list            every clinic: id, status, country, time zone, name
  clinic suspend ID      its staff can no longer sign in; patient links show its phone
  clinic resume ID       undo a suspension
`;

const OPTIONS = {
  name: { type: 'string' },
  'time-zone': { type: 'string' },
  country: { type: 'string' },
  'admin-email': { type: 'string' },
  'admin-name': { type: 'string' },
  language: { type: 'string' },
  phone: { type: 'string' },
} as const;

/** `needlecare clinic …`: the server operator's view of the clinics it hosts (issue 11). */
export async function clinicCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    { name: 'clinic', usage: USAGE, options: OPTIONS, positionals: 2 },
    args,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const [sub, id] = parsed.positionals;
  const v = parsed.values;
  const fail = (message: string): number => {
    io.stderr.write(`needlecare clinic: ${message}\n`);
    return EXIT_USAGE;
  };
  if (sub === undefined)
    return fail('missing subcommand (create, list, suspend, resume); see needlecare clinic --help');
  if (!['create', 'list', 'suspend', 'resume'].includes(sub))
    return fail(`unknown subcommand "${sub}"; see needlecare clinic --help`);
  const creating = sub === 'create';
  const given = Object.keys(v).filter((k) => k !== 'help');
  if (!creating && given.length > 0) return fail(`"clinic ${sub}" takes no option --${given[0]}`);
  if ((sub === 'suspend' || sub === 'resume') && id === undefined)
    return fail(`clinic ${sub} needs a clinic id`);
  if ((sub === 'create' || sub === 'list') && id !== undefined)
    return fail(`unexpected argument "${id}"`);
  if (creating) {
    const missing = (['name', 'time-zone', 'country', 'admin-email'] as const).filter(
      (k) => v[k] === undefined,
    );
    if (missing.length > 0) return fail(`missing ${missing.map((m) => `--${m}`).join(', ')}`);
  }

  const config = readConfig('clinic', io);
  if (typeof config === 'number') return config;
  let ring: KeyRing;
  try {
    ring = resolveKeyRing(config.keys, config);
  } catch (error) {
    if (!(error instanceof KeySetupError)) throw error;
    return fail(error.message);
  }
  const db = withKeys(
    createDb({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath }),
    ring,
  );
  const deps = cliServiceDeps(config, db);
  try {
    await migrateToLatest(db);
    if (sub === 'create') {
      const created = await createClinic(deps, CLI_ACTOR, {
        name: v.name ?? '',
        timeZone: v['time-zone'] ?? '',
        country: v.country ?? '',
        adminEmail: v['admin-email'] ?? '',
        adminName: v['admin-name'],
        language: v.language,
        contactPhone: v.phone,
      });
      io.stdout.write(
        `clinic ${created.clinic.id} created; ${created.admin.email} sets a password at ${created.setPasswordUrl} (single use, until ${created.setPasswordExpiresAt})\n`,
      );
    } else if (sub === 'list') {
      for (const c of await listAllClinics(deps, CLI_ACTOR)) {
        const status = c.suspendedAt === null ? 'active   ' : 'suspended';
        io.stdout.write(
          `${c.id}  ${status}  ${c.country ?? '--'}  ${c.timeZone.padEnd(20)}  ${c.name}\n`,
        );
      }
    } else {
      const clinic = await setClinicSuspension(deps, CLI_ACTOR, {
        clinicId: id ?? '',
        suspended: sub === 'suspend',
      });
      io.stdout.write(
        `clinic ${clinic.id} (${clinic.name}) is ${clinic.suspendedAt === null ? 'active' : 'suspended'}\n`,
      );
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return fail(cliMessage(error));
    io.stderr.write(
      `needlecare clinic: failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILURE;
  } finally {
    await db.destroy();
  }
}

const FLAG: Readonly<Record<string, string>> = {
  name: '--name',
  timeZone: '--time-zone',
  country: '--country',
  adminEmail: '--admin-email',
  adminName: '--admin-name',
  language: '--language',
  contactPhone: '--phone',
};

/** One line naming the options at fault, in the CLI's own words. */
function cliMessage(error: AppError): string {
  if (error.errors.length === 0) return error.detail;
  if (error.code === 'conflict') return error.detail;
  return error.errors.map((e) => `${FLAG[e.field] ?? e.field} ${e.message}`).join('; ');
}
