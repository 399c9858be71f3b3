import { formatIssues, validateCase } from '../../clinical/case-schema.ts';
import { explainAssessment } from '../../clinical/render.ts';
import { RULEBOOK_V1 } from '../../clinical/rulebook-v1.ts';
import type { Assessment } from '../../clinical/triage.ts';
import { triage } from '../../clinical/triage.ts';
import type { Locale, TriageCase } from '../../clinical/types.ts';
import { LOCALES } from '../../clinical/types.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK, EXIT_USAGE, readAll } from '../io.ts';

const USAGE = 'usage: needlecare triage [--explain] [--lang en|es] < case.json';

/**
 * `needlecare triage`: one case (an object) or many (an array) as JSON on stdin; the
 * assessments as JSON on stdout in the same order. Any invalid case rejects the whole input
 * (exit 2, nothing on stdout), so a batch is never half-answered.
 */
export async function triageCommand(args: readonly string[], io: CliIo): Promise<number> {
  let explain = false;
  let locale: Locale = 'en';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--explain') explain = true;
    else if (arg === '--lang' || arg?.startsWith('--lang=')) {
      const value = arg === '--lang' ? args[++i] : arg.slice('--lang='.length);
      if (value === undefined || !LOCALES.includes(value as Locale)) {
        io.stderr.write(`needlecare triage: --lang must be one of ${LOCALES.join(', ')}\n`);
        return EXIT_USAGE;
      }
      locale = value as Locale;
    } else {
      io.stderr.write(`needlecare triage: unknown option "${arg}"; ${USAGE}\n`);
      return EXIT_USAGE;
    }
  }

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
