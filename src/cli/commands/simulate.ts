import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Rulebook } from '../../clinical/rulebook.ts';
import { RULEBOOK_V1 } from '../../clinical/rulebook-v1.ts';
import type { Result } from '../../clinical/types.ts';
import { planFromJson, rulebookFromOverrides } from '../../simulation/inputs.ts';
import { MODEL_V1 } from '../../simulation/model-v1.ts';
import { renderBurdenTable } from '../../simulation/report.ts';
import { simulate } from '../../simulation/simulate.ts';
import type { CliIo } from '../io.ts';
import { EXIT_OK, EXIT_USAGE } from '../io.ts';

const USAGE =
  'usage: needlecare simulate [--sessions N] [--seed N] [--rulebook FILE] [--compare FILE] [--plan FILE] [--thoracic-share 0..1] [--response-rate 0..1] [--jitter-hours H] [--json]';

const MAX_SESSIONS = 10_000_000;

/**
 * `needlecare simulate`: a simulated cohort answers the check-in plan and every answer goes
 * through the real triage; prints the alert burden per disposition and rule, and the recall of
 * the simulated red-flag events (docs/alert-burden.md). The same seed prints the same numbers.
 */
export async function simulateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`needlecare simulate: ${message}\n`);
    return EXIT_USAGE;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        sessions: { type: 'string', default: '100000' },
        seed: { type: 'string', default: '1' },
        rulebook: { type: 'string' },
        compare: { type: 'string' },
        plan: { type: 'string' },
        'thoracic-share': { type: 'string' },
        'response-rate': { type: 'string' },
        'jitter-hours': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'bad arguments';
    return fail(`${reason}; ${USAGE}`);
  }
  const str = (name: string) => values[name] as string | undefined;

  const sessions = wholeNumber(str('sessions') ?? '', 1, MAX_SESSIONS);
  if (sessions === undefined)
    return fail(
      `--sessions must be a whole number from 1 to ${MAX_SESSIONS.toLocaleString('en-GB')}`,
    );
  const seed = wholeNumber(str('seed') ?? '', 0, 4_294_967_295);
  if (seed === undefined) return fail('--seed must be a whole number from 0 to 4294967295');
  const model = MODEL_V1;
  const share = fraction(str('thoracic-share'), model.cohort.thoracicShare.value);
  if (share === undefined) return fail('--thoracic-share must be a number from 0 to 1');
  const response = fraction(str('response-rate'), model.patients.responseRate.value);
  if (response === undefined) return fail('--response-rate must be a number from 0 to 1');
  const jitterText = str('jitter-hours');
  const jitter =
    jitterText === undefined ? model.patients.answerDelayMeanH.value : Number(jitterText);
  if (jitterText === '' || !Number.isFinite(jitter) || jitter < 0 || jitter > 48)
    return fail('--jitter-hours must be a number of hours from 0 to 48');

  const base = await loadJson(str('rulebook'), '--rulebook', (v) =>
    rulebookFromOverrides(v, RULEBOOK_V1),
  );
  if (!base.ok) return fail(base.error);
  const compare = await loadJson(str('compare'), '--compare', (v) =>
    rulebookFromOverrides(v, RULEBOOK_V1),
  );
  if (!compare.ok) return fail(compare.error);
  const plan = await loadJson(str('plan'), '--plan', planFromJson);
  if (!plan.ok) return fail(plan.error);

  const rulebooks: Rulebook[] = [base.value ?? RULEBOOK_V1];
  if (compare.value !== undefined) rulebooks.push(compare.value);
  const json = values.json === true;
  const progress =
    !json && (io.stderr as { isTTY?: boolean }).isTTY === true ? progressBar(io.stderr) : undefined;

  const result = simulate(
    model,
    {
      sessions,
      seed,
      thoracicShare: share,
      responseRate: response,
      answerDelayMeanH: jitter,
      mayOmitSoreness: true,
      ...(plan.value?.planHours === undefined ? {} : { planHours: plan.value.planHours }),
      ...(plan.value?.thoracicPlanHours === undefined
        ? {}
        : { thoracicPlanHours: plan.value.thoracicPlanHours }),
    },
    rulebooks,
    progress,
  );
  if (progress !== undefined) io.stderr.write('\n');
  io.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : renderBurdenTable(result));
  return EXIT_OK;
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.replaceAll('_', ''))) return undefined;
  const n = Number(text.replaceAll('_', ''));
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

function fraction(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}

async function loadJson<T>(
  path: string | undefined,
  flag: string,
  parse: (value: unknown) => Result<T, string>,
): Promise<Result<T | undefined, string>> {
  if (path === undefined) return { ok: true, value: undefined };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { ok: false, error: `${flag} ${path}: cannot read the file (${code})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: `${flag} ${path}: not valid JSON` };
  }
  const parsed = parse(value);
  return parsed.ok ? parsed : { ok: false, error: `${flag} ${path}: ${parsed.error}` };
}

/** A one-line bar on a terminal's stderr, redrawn at each whole per cent. */
function progressBar(stream: NodeJS.WritableStream): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    const percent = Math.floor((done * 100) / total);
    if (percent === last) return;
    last = percent;
    const filled = Math.round(percent / 5);
    stream.write(
      `\r  simulating [${'#'.repeat(filled)}${' '.repeat(20 - filled)}] ${percent}% ${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')}`,
    );
  };
}
