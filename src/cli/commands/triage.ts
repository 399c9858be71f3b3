import { formatIssues, validateCase } from '../../clinical/case-schema.ts';
import { explainAssessment } from '../../clinical/render.ts';
import { RULEBOOK_V1 } from '../../clinical/rulebook-v1.ts';
import type { Assessment } from '../../clinical/triage.ts';
import { triage } from '../../clinical/triage.ts';
import type { Locale, TriageCase } from '../../clinical/types.ts';
import { LOCALES } from '../../clinical/types.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK, EXIT_USAGE, readAll } from '../io.ts';

const USAGE = `usage: needlecare triage [--explain] [--lang en|es] < case.json

Triages one case (a JSON object) or many (an array) read on stdin, with the rulebook in force,
and writes the assessments as JSON on stdout in the same order.
  --explain     write a readable explanation instead of JSON
  --lang en|es  the language of the explanation (default en)
Invalid input: exit 2, nothing on stdout, one line on stderr naming the case and the field.
`;

/**
 * `needlecare triage`: one case (an object) or many (an array) as JSON on stdin; the
 * assessments as JSON on stdout in the same order. Any invalid case rejects the whole input
 * (exit 2, nothing on stdout), so a batch is never half-answered.
 */
export async function triageCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      name: 'triage',
      usage: USAGE,
      options: { explain: { type: 'boolean' }, lang: { type: 'string' } },
    },
    args,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const explain = parsed.values.explain === true;
  const lang = parsed.values.lang ?? 'en';
  if (!LOCALES.includes(lang as Locale)) {
    io.stderr.write(`needlecare triage: --lang must be one of ${LOCALES.join(', ')}\n`);
    return EXIT_USAGE;
  }
  const locale = lang as Locale;

  const text = await readAll(io.stdin);
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'not JSON';
    io.stderr.write(`needlecare triage: stdin is not valid JSON (${reason.split('\n')[0]})\n`);
    return EXIT_USAGE;
  }
  const batch = Array.isArray(input);
  const inputs: unknown[] = batch ? (input as unknown[]) : [input];
  if (batch && inputs.length === 0) {
    io.stderr.write('needlecare triage: the array of cases is empty\n');
    return EXIT_USAGE;
  }

  const cases: TriageCase[] = [];
  for (const [index, item] of inputs.entries()) {
    const result = validateCase(item);
    if (!result.ok) {
      io.stderr.write(`needlecare triage: case ${index}: ${formatIssues(result.error)}\n`);
      return EXIT_USAGE;
    }
    cases.push(result.value);
  }

  const assessments = cases.map((c) => triage(c, RULEBOOK_V1));
  if (explain) {
    io.stdout.write(
      assessments
        .map((a, i) =>
          batch ? `# case ${i}\n${explainAssessment(a, locale)}` : explainAssessment(a, locale),
        )
        .join('\n'),
    );
  } else {
    const out = assessments.map(toJson);
    io.stdout.write(`${JSON.stringify(batch ? out : out[0], null, batch ? undefined : 2)}\n`);
  }
  return EXIT_OK;
}

function toJson(a: Assessment): Record<string, unknown> {
  return {
    disposition: a.disposition,
    rules: a.ruleIds,
    rulebookVersion: a.rulebookVersion,
    thoracic: a.thoracic,
    hoursAfter: a.hoursAfter,
    phase: a.phase,
    expectedBand: { min: a.expectedBand.min, max: a.expectedBand.max },
  };
}
