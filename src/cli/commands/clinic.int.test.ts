import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { listClinics } from '../../store/clinics.repository.ts';
import { TEST_KEY_ENV } from '../../store/test-keys.ts';
import type { CliIo } from '../io.ts';
import { clinicCommand } from './clinic.ts';

function captureIo(env: NodeJS.ProcessEnv): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return { io: { stdin: new PassThrough(), stdout, stderr, env }, out: () => out, err: () => err };
}

const CREATE = [
  'create',
  '--name',
  'Fisio Centro',
  '--time-zone',
  'Europe/Madrid',
  '--country',
  'ES',
  '--admin-email',
  'admin@centro.test',
  '--language',
  'es',
];

describe('needlecare clinic: usage', () => {
  it.each([
    [[], 'missing subcommand'],
    [['open'], 'unknown subcommand "open"'],
    [['create', '--name', 'X'], 'missing --time-zone, --country, --admin-email'],
    [['suspend'], 'needs a clinic id'],
    [['list', '--name', 'x'], 'takes no option --name'],
    [['create', '--colour', 'red'], 'unknown option'],
  ])('%j exits 2 with one line', async (args, message) => {
    const c = captureIo({});
    expect(await clinicCommand(args, c.io)).toBe(2);
    expect(c.err()).toContain(message);
    expect(c.err().trim().split('\n')).toHaveLength(1);
  });
});

describeEachDialect('needlecare clinic', (ctx) => {
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    env =
      ctx.config.databaseUrl === undefined
        ? {
            ...TEST_KEY_ENV,
            NEEDLECARE_DB: ctx.config.sqlitePath,
            PUBLIC_URL: 'https://care.example.test',
          }
        : {
            ...TEST_KEY_ENV,
            DATABASE_URL: ctx.config.databaseUrl,
            PUBLIC_URL: 'https://care.example.test',
          };
  });

  it('creates a clinic and prints one line with the set-password URL', async () => {
    const c = captureIo(env);
    expect(await clinicCommand(CREATE, c.io)).toBe(0);
    const lines = c.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^clinic [0-9a-f-]{36} created; admin@centro\.test sets a password at https:\/\/care\.example\.test\/set-password\/\S+ \(single use, until \S+\)$/,
    );
    expect(c.err()).toBe('');
  });

  it.each([
    [['--time-zone', 'Europe/Atlantis'], '--time-zone is not a known IANA time zone'],
    [['--admin-email', 'nobody'], '--admin-email is not an e-mail address'],
    [['--country', 'Spain'], '--country must be a two-letter'],
    [['--language', 'fr'], '--language must be one of en, es'],
    [['--name', '   '], '--name must not be empty or only spaces'],
    [['--name', 'Fisio\r\nCentro'], '--name must be on one line'],
    [['--name', 'Fisio\u202eCentro'], '--name must not contain text-direction override'],
    [[], 'A clinic named "Fisio Centro" already exists.'],
  ])('refuses %j with exit 2 and stores nothing', async (override, message) => {
    const args = [...CREATE];
    for (let i = 0; i < override.length; i += 2) {
      const at = args.indexOf(override[i] ?? '');
      args[at + 1] = override[i + 1] ?? '';
    }
    const before = (await listClinics(ctx.db)).length;
    const c = captureIo(env);
    expect(await clinicCommand(args, c.io)).toBe(2);
    expect(c.err()).toContain(message);
    expect(c.err().trim().split('\n')).toHaveLength(1);
    expect((await listClinics(ctx.db)).length).toBe(before);
  });

  it('lists, suspends and resumes', async () => {
    const [clinic] = await listClinics(ctx.db);
    const id = clinic?.id ?? '';
    const list = captureIo(env);
    expect(await clinicCommand(['list'], list.io)).toBe(0);
    expect(list.out()).toMatch(new RegExp(`^${id}  active +ES  Europe/Madrid +Fisio Centro$`, 'm'));
    const s = captureIo(env);
    expect(await clinicCommand(['suspend', id], s.io)).toBe(0);
    expect(s.out()).toContain('is suspended');
    const l2 = captureIo(env);
    await clinicCommand(['list'], l2.io);
    expect(l2.out()).toContain('suspended');
    const r = captureIo(env);
    expect(await clinicCommand(['resume', id], r.io)).toBe(0);
    expect(r.out()).toContain('is active');
    const bad = captureIo(env);
    expect(await clinicCommand(['suspend', 'nope'], bad.io)).toBe(2);
    expect(bad.err()).toContain('No such clinic.');
  });
});
