import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../../../test/cli-harness.ts';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'nc-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** An override file that adds one rule with this condition. */
function withAddedRule(when: unknown): unknown {
  const text = { en: 'x', es: 'x' };
  const rule = { id: 'extra_one', disposition: 'urgent_same_day', when, source: 'test' };
  return { add: [{ ...rule, texts: { patient: text, clinician: text } }] };
}

describe('needlecare simulate', () => {
  it('prints the burden table per alert level, the rules and the recall', async () => {
    const r = await runCli(['simulate', '--sessions', '3000', '--seed', '5']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Alert burden: model sim-1, seed 5/);
    expect(r.stdout).toMatch(/3,000 sessions/);
    for (const row of [
      'routine +contact_practitioner',
      'urgent +urgent_same_day',
      'emergency +emergency',
      'all +above self_care',
    ])
      expect(r.stdout).toMatch(new RegExp(`^${row} +\\d+\\.\\d +\\d+\\.\\d\\d +\\d+\\.\\d%`, 'm'));
    expect(r.stdout).toMatch(/^lingering_soreness +routine +\d+\.\d\d$/m);
    expect(r.stdout).toMatch(/^fainting +urgent_same_day +\d+ +\d+ +\d+ +(100\.0%|-)$/m);
  });

  it('runs as the real binary, with the same output as in-process', async () => {
    const args = ['simulate', '--sessions', '500', '--seed', '3'];
    const spawned = await spawnCli(args);
    expect(spawned.code).toBe(0);
    expect(spawned.stderr).toBe('');
    expect(spawned.stdout).toBe((await runCli(args)).stdout);
  });

  it('prints the same numbers for the same seed, and JSON with --json', async () => {
    const a = await runCli(['simulate', '--sessions', '2000', '--seed', '9', '--json']);
    const b = await runCli(['simulate', '--sessions=2000', '--seed=9', '--json']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const result = JSON.parse(a.stdout) as {
      sessions: number;
      seed: number;
      rulebooks: { rulebookVersion: string; per1000: Record<string, number> }[];
    };
    expect(result.sessions).toBe(2000);
    expect(result.seed).toBe(9);
    expect(result.rulebooks).toHaveLength(1);
    expect(result.rulebooks[0]?.rulebookVersion).toBe('1.1.0');
    expect(Object.keys(result.rulebooks[0]?.per1000 ?? {})).toEqual([
      'routine',
      'urgent',
      'emergency',
      'total',
    ]);
    const other = await runCli(['simulate', '--sessions', '2000', '--seed', '10', '--json']);
    expect(other.stdout).not.toBe(a.stdout);
  });

  it('--compare runs the same cohort under a clinic override file and shows the change', async () => {
    const stricter = file('stricter.json', {
      clinicId: 'clinic-a',
      revision: 'r2',
      parameters: { severeMin: 6 },
    });
    const r = await runCli(['simulate', '--sessions', '3000', '--compare', stricter]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('base = rulebook 1.1.0; what-if = rulebook 1.1.0+clinic-a.r2');
    expect(r.stdout).toMatch(/per 1,000 \[base\].*per 1,000 \[what-if\].*change/);
    expect(r.stdout).toMatch(
      /^routine +contact_practitioner +[\d.]+ +[\d.]+ +[\d.]+% +[\d.]+ +[\d.]+ +[\d.]+% +\+\d+\.\d$/m,
    );
    const json = JSON.parse(
      (await runCli(['simulate', '--sessions', '3000', '--compare', stricter, '--json'])).stdout,
    ) as { answers: number; rulebooks: { per1000: { routine: number } }[] };
    const [base, strict] = json.rulebooks;
    expect(strict?.per1000.routine).toBeGreaterThan(base?.per1000.routine ?? Infinity);
  });

  it('--rulebook and --plan change what is simulated', async () => {
    const plan = file('plan.json', { planHours: [24, 72], thoracicPlanHours: [2, 24] });
    const r = await runCli(['simulate', '--sessions', '1000', '--plan', plan, '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { plannedCheckIns: number }).plannedCheckIns).toBe(2000);
    const raised = file('raised.json', { raise: { fainting: 'emergency' } });
    const s = await runCli(['simulate', '--sessions', '1000', '--rulebook', raised, '--json']);
    const parsed = JSON.parse(s.stdout) as { rulebooks: { rulebookVersion: string }[] };
    expect(parsed.rulebooks[0]?.rulebookVersion).toBe('1.1.0+what-if.file');
  });

  it.each([
    [['--sessions', '0'], /--sessions must be a whole number from 1/],
    [['--sessions', 'many'], /--sessions must be a whole number/],
    [['--seed=-1'], /--seed must be a whole number/],
    [['--thoracic-share', '1.5'], /--thoracic-share must be a number from 0 to 1/],
    [['--response-rate', 'x'], /--response-rate must be a number from 0 to 1/],
    [['--jitter-hours=-2'], /--jitter-hours must be a number of hours/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['extra'], /positional/i],
    [
      ['--compare', '/nonexistent/x.json'],
      /--compare \/nonexistent\/x\.json: cannot read the file \(ENOENT\)/,
    ],
  ])('rejects %j with exit 2 and one line', async (args, message) => {
    const r = await runCli(['simulate', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    [
      'a loosened threshold',
      { parameters: { severeMin: 8 } },
      /parameters\.severeMin: 8 would loosen/,
    ],
    ['the emergency rule', { raise: { breathing_or_chest: 'emergency' } }, /not configurable/],
    ['an unknown field', { rules: [] }, /rules: unknown field/],
    [
      'an added rule with an unknown comparison',
      withAddedRule({ kind: 'hoursAfter', op: 'eq', value: 3 }),
      /add\[0\]\.when: no comparison "eq"/,
    ],
    [
      'an added rule with an unknown condition inside another',
      withAddedRule({ kind: 'all', of: [{ kind: 'fever' }] }),
      /add\[0\]\.when: no condition "fever"/,
    ],
  ])('rejects an override file with %s', async (_name, content, message) => {
    const r = await runCli([
      'simulate',
      '--sessions',
      '10',
      '--rulebook',
      file('bad.json', content),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('rejects a plan without an early thoracic check-in', async () => {
    const plan = file('late.json', { thoracicPlanHours: [24, 48] });
    const r = await runCli(['simulate', '--sessions', '10', '--plan', plan]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /thoracicPlanHours: a thoracic plan needs its first check-in within 6 hours/,
    );
  });

  it('draws a progress bar on a terminal stderr only, and never with --json', async () => {
    const run = async (args: string[]) => {
      const out = new PassThrough();
      const err = Object.assign(new PassThrough(), { isTTY: true });
      let stderr = '';
      err.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      out.resume();
      const code = await main(['simulate', '--sessions', '2000', ...args], {
        stdin: new PassThrough(),
        stdout: out,
        stderr: err,
        env: {},
      });
      return { code, stderr };
    };
    const tty = await run([]);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/\r {2}simulating \[#{20}\] 100% 2,000\/2,000\n$/);
    expect((await run(['--json'])).stderr).toBe('');
  });
});
