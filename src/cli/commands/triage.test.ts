import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../../../test/cli-harness.ts';
import { readVignettes } from '../../../test/vignettes.ts';

const vignettes = readVignettes();
const one = {
  session: { sites: [{ muscle: 'upper-trapezius' }] },
  reports: [{ hoursAfter: 30, soreness: 8, symptoms: [] }],
};
const chest = {
  session: { sites: [{ muscle: 'rhomboid-major' }] },
  reports: [{ hoursAfter: 20, soreness: 3, symptoms: ['chest_pain'] }],
};

describe('needlecare triage', () => {
  it('answers one case with one assessment object', async () => {
    const r = await runCli(['triage'], JSON.stringify(one));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      disposition: 'contact_practitioner',
      rules: ['severe_soreness'],
      rulebookVersion: '1.1.0',
      thoracic: true,
      hoursAfter: 30,
      phase: 'peak',
      expectedBand: { min: 0, max: 6 },
    });
  });

  it('answers a batch in the same order (every vignette)', async () => {
    const input = vignettes.map(({ session, reports }) => ({ session, reports }));
    const r = await runCli(['triage'], JSON.stringify(input));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { disposition: string; rules: string[] }[];
    expect(out.map((a) => [a.disposition, a.rules])).toEqual(
      vignettes.map((v) => [v.expected.disposition, v.expected.rules]),
    );
  });

  it('explains in English and in Spanish', async () => {
    const en = await runCli(['triage', '--explain'], JSON.stringify(chest));
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/Result: Call the emergency number now \(emergency\)/);
    expect(en.stdout).toMatch(/collapsed lung/);
    expect(en.stdout).toMatch(/Rulebook: 1\.1\.0/);
    const es = await runCli(['triage', '--explain', '--lang', 'es'], JSON.stringify([chest, one]));
    expect(es.code).toBe(0);
    expect(es.stdout).toMatch(/# case 0\nResultado: Llame ahora al número de emergencias/);
    expect(es.stdout).toMatch(/# case 1\nResultado: Avise a su fisioterapeuta/);
    expect(es.stdout).toMatch(/pulmón colapsado/);
  });

  const bad = (patch: object) => JSON.stringify([one, { ...one, ...patch }]);
  it.each([
    ['not JSON', '{"session":', [], /stdin is not valid JSON/],
    ['empty input', '', [], /stdin is not valid JSON/],
    ['an empty batch', '[]', [], /array of cases is empty/],
    ['a bare number', '7', [], /case 0: \(case\): must be an object/],
    [
      'soreness out of range',
      bad({ reports: [{ hoursAfter: 1, soreness: 11, symptoms: [] }] }),
      [],
      /^needlecare triage: case 1: reports\[0\]\.soreness: must be a whole number from 0 to 10 \(got 11\)$/,
    ],
    [
      'unknown symptom',
      bad({ reports: [{ hoursAfter: 1, soreness: 1, symptoms: ['itch'] }] }),
      [],
      /case 1: reports\[0\]\.symptoms\[0\]: unknown symptom "itch"; allowed: chest_pain/,
    ],
    [
      'unknown muscle',
      bad({ session: { sites: [{ muscle: 'heart' }] } }),
      [],
      /case 1: session\.sites\[0\]\.muscle: unknown muscle "heart"/,
    ],
    [
      'reports out of order',
      bad({
        reports: [
          { hoursAfter: 5, soreness: 1, symptoms: [] },
          { hoursAfter: 2, soreness: 1, symptoms: [] },
        ],
      }),
      [],
      /case 1: reports\[1\]\.hoursAfter: reports must be in time order/,
    ],
    [
      'missing hoursAfter',
      bad({ reports: [{ soreness: 1, symptoms: [] }] }),
      [],
      /case 1: reports\[0\]\.hoursAfter/,
    ],
    ['unknown field', bad({ extra: 1 }), [], /case 1: extra: unknown field/],
    [
      'a bad language',
      JSON.stringify(one),
      ['--explain', '--lang', 'fr'],
      /--lang must be one of en, es/,
    ],
    ['an unknown option', JSON.stringify(one), ['--fast'], /unknown option "--fast"/],
  ])(
    'rejects %s: exit 2, nothing on stdout, one line on stderr',
    async (_name, stdin, extra, message) => {
      const r = await runCli(['triage', ...extra], stdin);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
    },
  );

  it('runs as the real binary: 2,000 cases in, 2,000 assessments out', async () => {
    const input = Array.from({ length: 2000 }, (_, i) => vignettes[i % vignettes.length]).map(
      (v) => ({ session: v?.session, reports: v?.reports }),
    );
    const r = await spawnCli(['triage'], JSON.stringify(input));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { disposition: string }[];
    expect(out).toHaveLength(2000);
    expect(out[37]?.disposition).toBe(vignettes[37 % vignettes.length]?.expected.disposition);
  }, 30_000);

  it('exits 2 on bad input as the real binary too', async () => {
    const r = await spawnCli(['triage'], '{"nope": 1}');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  }, 30_000);
});

describe('needlecare rules', () => {
  it('prints the rulebook as Markdown, and docs/clinical-rules.md is up to date', async () => {
    const r = await runCli(['rules']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Needlecare triage rulebook 1\.1\.0/);
    expect(r.stdout).toContain(
      '| `breathing_or_chest` | emergency | any of `chest_pain`, `shortness_of_breath`, `pain_on_breathing` | no |',
    );
    const onDisk = readFileSync(
      new URL('../../../docs/clinical-rules.md', import.meta.url),
      'utf8',
    );
    expect(onDisk, 'docs/clinical-rules.md is stale: run `npm run docs:rules`').toBe(r.stdout);
  });

  it('prints usage and exits 2 for an unknown command', async () => {
    const r = await runCli(['nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "nope"/);
  });

  it('treats names of Object.prototype as unknown commands, not a crash', async () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const r = await runCli([name]);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toContain(`unknown command "${name}"`);
    }
  });
});
