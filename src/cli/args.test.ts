import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli-harness.ts';

/** Every `needlecare` command: the same --help and the same strict argument errors. */
const COMMANDS = ['start', 'serve', 'worker', 'migrate', 'audit', 'triage', 'rules'] as const;

describe('needlecare <command> arguments (node:util parseArgs, strict)', () => {
  it.each(COMMANDS)('%s --help prints its usage on stdout and exits 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      const r = await runCli([name, flag]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^usage: needlecare ${name}\\b`));
    }
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['start', ['--demo'], /^needlecare start: unknown option "--demo"/],
    ['serve', ['--fast'], /^needlecare serve: unknown option "--fast"/],
    ['serve', ['now'], /^needlecare serve: unexpected argument "now"/],
    ['serve', ['--worker=yes'], /^needlecare serve: option "--worker" takes no value/],
    ['worker', ['--forever'], /^needlecare worker: unknown option "--forever"/],
    ['worker', ['-x'], /^needlecare worker: unknown option "-x"/],
    ['migrate', ['now'], /^needlecare migrate: unexpected argument "now"/],
    ['audit', [], /^needlecare audit: missing subcommand/],
    ['audit', ['repair'], /^needlecare audit: unknown subcommand "repair"/],
    ['audit', ['verify', 'twice'], /^needlecare audit: unexpected argument "twice"/],
    ['audit', ['verify', '--all'], /^needlecare audit: unknown option "--all"/],
    ['triage', ['--fast'], /^needlecare triage: unknown option "--fast"/],
    ['triage', ['--lang'], /^needlecare triage: option "--lang" needs a value/],
    ['triage', ['--lang', 'fr'], /^needlecare triage: --lang must be one of en, es/],
    ['triage', ['--explain=1'], /^needlecare triage: option "--explain" takes no value/],
    ['triage', ['case.json'], /^needlecare triage: unexpected argument "case.json"/],
    ['rules', ['--markdown'], /^needlecare rules: unknown option "--markdown"/],
  ];
  it.each(bad)(
    '%s %j: exit 2, one line on stderr, nothing on stdout',
    async (name, args, message) => {
      const r = await runCli([name, ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    },
  );

  it('accepts --lang=es and --lang es alike', async () => {
    const input = JSON.stringify({
      session: { sites: [{ muscle: 'upper-trapezius' }] },
      reports: [{ hoursAfter: 20, soreness: 3, symptoms: [] }],
    });
    const a = await runCli(['triage', '--explain', '--lang=es'], input);
    const b = await runCli(['triage', '--explain', '--lang', 'es'], input);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('one configuration check for every command that reads the environment', () => {
  const env = { PORT: 'x', SMTP_URL: 'http://mail', WORKER_POLL_MS: 'soon', LOG_LEVEL: 'loud' };
  it.each([
    ['start'],
    ['serve'],
    ['serve', '--worker'],
    ['worker', '--once'],
    ['migrate'],
    ['audit', 'verify'],
  ])('%s: one message naming every bad variable, exit 2, nothing started', async (...args) => {
    const r = await runCli(args, '', env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^needlecare ${args[0]}: invalid configuration:`));
    for (const name of Object.keys(env)) expect(r.stderr).toContain(`${name}:`);
  });
});
