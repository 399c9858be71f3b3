import { renderRulebookMarkdown } from '../../clinical/render.ts';
import { RULEBOOK_V1 } from '../../clinical/rulebook-v1.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK, EXIT_USAGE } from '../io.ts';

/** `needlecare rules`: the rulebook as Markdown (docs/clinical-rules.md is this output). */
export async function rulesCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length > 0) {
    io.stderr.write('needlecare rules: takes no options\n');
    return EXIT_USAGE;
  }
  io.stdout.write(renderRulebookMarkdown(RULEBOOK_V1));
  return EXIT_OK;
}
