import { renderRulebookMarkdown } from '../../clinical/render.ts';
import { RULEBOOK_V1 } from '../../clinical/rulebook-v1.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK } from '../io.ts';

const USAGE = `usage: needlecare rules

Prints the rulebook in force as Markdown (docs/clinical-rules.md is this output).
`;

/** `needlecare rules`: the rulebook as Markdown (docs/clinical-rules.md is this output). */
export async function rulesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs({ name: 'rules', usage: USAGE, options: {} }, args, io);
  if (typeof parsed === 'number') return parsed;
  io.stdout.write(renderRulebookMarkdown(RULEBOOK_V1));
  return EXIT_OK;
}
