import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/cli-harness.ts';
import { seedClinic } from '../../api/test-support.ts';
import { listAuditEvents } from '../../store/audit.repository.ts';
import { createDb, type Db } from '../../store/db.ts';
import { withKeys } from '../../store/keyring.ts';
import { migrateToLatest } from '../../store/migrations.ts';
import { TEST_KEY_ENV, TEST_KEYS } from '../../store/test-keys.ts';

describe('needlecare fhir', () => {
  let dir: string;
  let db: Db;
  let env: NodeJS.ProcessEnv;
  let clinicId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nc-fhir-cli-'));
    env = { NEEDLECARE_DB: join(dir, 'cli.db'), ...TEST_KEY_ENV };
    db = withKeys(createDb({ sqlitePath: join(dir, 'cli.db') }), TEST_KEYS);
    await migrateToLatest(db);
    clinicId = (await seedClinic(db, 'CLI Clinic')).clinicId;
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [['fhir', 'export', '--out', 'x'], /--clinic is required/],
    [['fhir', 'export', '--clinic', 'c'], /--out is required/],
    [['fhir', 'export', '--clinic', 'c', '--out', 'x', '--since', 'last week'], /--since/],
    [['fhir', 'export', '--clinic', 'c', '--bogus', '1'], /bogus/],
    [['fhir', 'frobnicate', '--clinic', 'c'], /unknown subcommand/],
  ])('refuses %j with exit 2 and one line', async (args, message) => {
    const res = await runCli(args, '', env);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(message);
  });

  it('an unknown clinic exits 2 and writes nothing', async () => {
    const out = join(dir, 'none');
    const res = await runCli(
      ['fhir', 'export', '--clinic', 'no-such-clinic', '--out', out],
      '',
      env,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('needlecare fhir: No such clinic.\n');
    expect(() => readdirSync(out)).toThrow();
  });

  it('exports a clinic and audits the export', async () => {
    const out = join(dir, 'out');
    const res = await runCli(['fhir', 'export', '--clinic', clinicId, '--out', out], '', env);
    expect(res.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'Organization.ndjson',
      'Practitioner.ndjson',
      'Questionnaire.ndjson',
    ]);
    const events = await listAuditEvents(db, { clinicId, subjectType: 'fhir' });
    expect(events.map((e) => [e.action, e.actorType])).toContainEqual(['fhir.export', 'system']);
  });

  it('link-patient refuses an unknown patient and a bad system URI (exit 2)', async () => {
    const unknown = await runCli(
      [
        'fhir',
        'link-patient',
        '--clinic',
        clinicId,
        '--patient',
        'nope',
        '--system',
        'urn:oid:1.2',
        '--value',
        'A',
      ],
      '',
      env,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No such patient/);
    const badSystem = await runCli(
      [
        'fhir',
        'link-patient',
        '--clinic',
        clinicId,
        '--patient',
        'nope',
        '--system',
        'mrn',
        '--value',
        'A',
      ],
      '',
      env,
    );
    expect(badSystem.code).toBe(2);
    expect(badSystem.stderr).toMatch(/system: must be an absolute URI/);
  });

  it('cds-client refuses a JWKS URL that is not https', async () => {
    const res = await runCli(
      [
        'fhir',
        'cds-client',
        '--clinic',
        clinicId,
        '--issuer',
        'https://ehr.test',
        '--identifier-system',
        'urn:oid:1.2',
        '--jwks-url',
        'http://ehr.test/jwks',
      ],
      '',
      env,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/jwksUrl: must be https/);
  });

  it('cds-client refuses private and symmetric keys (CDS Hooks allows no shared secret)', async () => {
    for (const key of [
      { kty: 'oct', k: 'c2VjcmV0' },
      { kty: 'EC', crv: 'P-384', x: 'a', y: 'b', d: 'c' },
    ]) {
      const file = join(dir, 'keys.json');
      writeFileSync(file, JSON.stringify({ keys: [key] }));
      const res = await runCli(
        [
          'fhir',
          'cds-client',
          '--clinic',
          clinicId,
          '--issuer',
          'https://ehr.test',
          '--identifier-system',
          'urn:oid:1.2',
          '--jwks-file',
          file,
        ],
        '',
        env,
      );
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/public asymmetric keys only/);
    }
  });
});
