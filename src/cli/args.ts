import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CliIo } from './io.ts';
import { EXIT_OK, EXIT_USAGE } from './io.ts';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type ParseArgsOptionsConfig = Readonly<
  Record<string, { readonly type: 'boolean' | 'string'; readonly short?: string }>
>;

export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** `needlecare <name>` in messages. */
  readonly name: string;
  /** Printed on stdout for `--help` / `-h` (exit 0). */
  readonly usage: string;
  readonly options: O;
  /** Positional arguments accepted (default none). */
  readonly positionals?: number;
}

export interface ParsedArgs<O extends ParseArgsOptionsConfig> {
  readonly values: { readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  readonly positionals: readonly string[];
}

/**
 * Every command's arguments go through `node:util` `parseArgs` in strict mode, here: `--help`
 * prints the usage and gives 0; an unknown option, a missing value or a stray argument writes
 * one line on stderr and gives exit code 2. The caller gets either the values or the exit code.
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(
  spec: CommandSpec<O>,
  args: readonly string[],
  io: CliIo,
): ParsedArgs<O> | number {
  const options: OptionsConfig = { ...spec.options, help: { type: 'boolean', short: 'h' } };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    io.stderr.write(
      `needlecare ${spec.name}: ${describe(error)}; see needlecare ${spec.name} --help\n`,
    );
    return EXIT_USAGE;
  }
  if (parsed.values.help === true) {
    io.stdout.write(spec.usage.endsWith('\n') ? spec.usage : `${spec.usage}\n`);
    return EXIT_OK;
  }
  const allowed = spec.positionals ?? 0;
  const extra = parsed.positionals[allowed];
  if (extra !== undefined) {
    io.stderr.write(
      `needlecare ${spec.name}: unexpected argument "${extra}"; see needlecare ${spec.name} --help\n`,
    );
    return EXIT_USAGE;
  }
  return parsed as unknown as ParsedArgs<O>;
}

/** `parseArgs`'s error as a short clause naming the option. */
function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option "${quoted ?? message}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(message))
        return `option "${(quoted ?? message).split(' ')[0]}" needs a value`;
      if (/does not take/.test(message)) return `option "${quoted ?? message}" takes no value`;
      return (message.split('.')[0] ?? message).replace(/'/g, '"');
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted ?? message}"`;
    default:
      return message.split('\n')[0] ?? message;
  }
}
