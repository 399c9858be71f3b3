import type { CliIo, Command } from './io.ts';
import { EXIT_USAGE } from './io.ts';

/**
 * The `needlecare` command. Each subcommand lives in its own file under commands/ and is
 * loaded only when asked for, so `needlecare triage` never pays for the server's imports.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  triage: {
    summary: 'triage case(s) read as JSON on stdin (--explain, --lang en|es)',
    load: async () => (await import('./commands/triage.ts')).triageCommand,
  },
  rules: {
    summary: 'print the rulebook as Markdown',
    load: async () => (await import('./commands/rules.ts')).rulesCommand,
  },
};

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const entry = COMMANDS[name];
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
