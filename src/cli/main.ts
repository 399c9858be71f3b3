import type { CliIo, Command } from './io.ts';
import { EXIT_USAGE } from './io.ts';

/**
 * The `needlecare` command. Each subcommand lives in its own file under commands/ and is
 * loaded only when asked for, so `needlecare triage` never pays for the server's imports.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: {
    summary: 'run the product locally on SQLite with a demo clinic (what `npm start` runs)',
    load: async () => (await import('./commands/start.ts')).startCommand,
  },
  serve: {
    summary: 'run the server (production entry; configured by environment variables; --worker)',
    load: async () => (await import('./commands/serve.ts')).serveCommand,
  },
  worker: {
    summary: 'deliver reminders, alerts and escalations from the outbox (--once)',
    load: async () => (await import('./commands/worker.ts')).workerCommand,
  },
  migrate: {
    summary: 'bring the database schema up to date',
    load: async () => (await import('./commands/migrate.ts')).migrateCommand,
  },
  clinic: {
    summary: 'create (with its first admin), list, suspend or resume the clinics on this server',
    load: async () => (await import('./commands/clinic.ts')).clinicCommand,
  },
  audit: {
    summary: 'audit verify | checkpoint: check the keyed audit chain, sign its head',
    load: async () => (await import('./commands/audit.ts')).auditCommand,
  },
  keys: {
    summary: 'keys reseal: re-seal stored secrets with the current NEEDLECARE_SECRET_KEY',
    load: async () => (await import('./commands/keys.ts')).keysCommand,
  },
  export: {
    summary: "export --clinic ID --out FILE: a clinic's whole data as a ZIP of JSON and CSV",
    load: async () => (await import('./commands/export.ts')).exportCommand,
  },
  backup: {
    summary: 'backup --out FILE: a consistent copy of the live SQLite database',
    load: async () => (await import('./commands/backup.ts')).backupCommand,
  },
  restore: {
    summary: 'restore --from FILE [--force]: put a backup in place (server stopped)',
    load: async () => (await import('./commands/backup.ts')).restoreCommand,
  },
  triage: {
    summary: 'triage case(s) read as JSON on stdin (--explain, --lang en|es)',
    load: async () => (await import('./commands/triage.ts')).triageCommand,
  },
  fhir: {
    summary: 'FHIR export of a clinic (NDJSON), EHR patient identifiers, CDS Hooks clients',
    load: async () => (await import('./commands/fhir.ts')).fhirCommand,
  },
  rules: {
    summary: 'print the rulebook as Markdown',
    load: async () => (await import('./commands/rules.ts')).rulesCommand,
  },
  simulate: {
    summary:
      'alert burden of the rulebook on a simulated cohort (--sessions, --seed, --compare, --json)',
    load: async () => (await import('./commands/simulate.ts')).simulateCommand,
  },
};

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  // Own keys only: `constructor` or `toString` are not commands.
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) {
    io.stderr.write(
      `needlecare: unknown command "${name}"; try: ${Object.keys(COMMANDS).join(', ')}\n`,
    );
    return EXIT_USAGE;
  }
  const command = await entry.load();
  return command(rest, io);
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(
    ([n, c]) => `  needlecare ${n.padEnd(10)} ${c.summary}`,
  );
  return `Usage: needlecare <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}
