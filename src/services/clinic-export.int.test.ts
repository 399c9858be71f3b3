import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../test/cli-harness.ts';
import { describeEachDialect } from '../../test/dialects.ts';
import { adminOf, practitionerOf, serviceDeps, type TestDeps } from '../../test/service-deps.ts';
import { auditActions, type SeededClinic, seedClinic, T0 } from '../api/test-support.ts';
import { insertPatient } from '../store/patients.repository.ts';
import { TEST_KEY_ENV } from '../store/test-keys.ts';
import type { AppError } from './errors.ts';
import { exportClinic } from './patient-records.ts';
import { toCsv } from './zip.ts';

/** Read a ZIP by its central directory (what unzip tools do), inflating each entry. */
function readZip(zip: Buffer): Map<string, string> {
  const files = new Map<string, string>();
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    files.set(name, inflateRawSync(zip.subarray(dataStart, dataStart + size)).toString('utf8'));
    at += 46 + nameLength;
  }
  return files;
}

describeEachDialect('clinic export', (ctx) => {
  let deps: TestDeps;
  let c: SeededClinic;
  const dir = mkdtempSync(join(tmpdir(), 'nc-export-'));
  beforeAll(async () => {
    deps = serviceDeps(ctx.db);
    c = await seedClinic(ctx.db, 'Export Clinic');
    await insertPatient(ctx.db, {
      clinicId: c.clinicId,
      displayName: 'Núria "Nu", Vidal',
      phone: '+34 600 000 001',
      language: 'es',
      createdAt: T0,
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one JSON and one CSV per table, without secrets, audited', async () => {
    const other = await seedClinic(ctx.db, 'Other Clinic');
    await insertPatient(ctx.db, {
      clinicId: other.clinicId,
      displayName: 'Not Ours',
      language: 'en',
      createdAt: T0,
    });
    const result = await exportClinic(deps, adminOf(c), { clinicId: c.clinicId });
    const files = readZip(result.zip);
    expect([...files.keys()]).toContain('patients.csv');
    expect(JSON.parse(files.get('patients.json') ?? '[]')).toEqual([
      expect.objectContaining({ display_name: 'Núria "Nu", Vidal', phone: '+34 600 000 001' }),
    ]);
    expect(files.get('patients.csv')).toContain('"Núria ""Nu"", Vidal"');
    const all = [...files.values()].join('\n');
    expect(all).not.toContain('Not Ours');
    expect(all).not.toContain('argon2');
    expect(result.counts.staff).toBe(2);
    expect((await auditActions(ctx.db, 'clinic.export'))[0]?.subjectId).toBe(c.clinicId);
  });

  it('is for the clinic admin only; a foreign or unknown clinic is not found', async () => {
    const refuse = async (call: Promise<unknown>) =>
      (
        (await call.then(
          () => undefined,
          (e: unknown) => e,
        )) as AppError
      ).code;
    expect(await refuse(exportClinic(deps, practitionerOf(c), { clinicId: c.clinicId }))).toBe(
      'forbidden',
    );
    const other = await seedClinic(ctx.db, 'Third Clinic');
    expect(await refuse(exportClinic(deps, adminOf(other), { clinicId: c.clinicId }))).toBe(
      'not_found',
    );
  });

  it('needlecare export --clinic ID --out F writes the ZIP; bad input exits 2', async () => {
    const env = {
      ...TEST_KEY_ENV,
      ...(ctx.config.databaseUrl !== undefined
        ? { DATABASE_URL: ctx.config.databaseUrl }
        : { NEEDLECARE_DB: ctx.config.sqlitePath }),
    };
    const out = join(dir, 'clinic.zip');
    const ok = await runCli(['export', '--clinic', c.clinicId, '--out', out], '', env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readZip(readFileSync(out)).get('clinic.json')).toContain('Export Clinic');
    const again = await runCli(['export', '--clinic', c.clinicId, '--out', out], '', env);
    expect(again.code).toBe(2);
    const unknown = await runCli(
      ['export', '--clinic', 'nope', '--out', join(dir, 'n.zip')],
      '',
      env,
    );
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('no clinic');
    expect((await runCli(['export', '--out', join(dir, 'm.zip')], '', env)).code).toBe(2);
  });
});

it('CSV quotes what needs quoting and defuses spreadsheet formulas', () => {
  expect(toCsv([{ a: 'x,y', b: '=SUM(A1)', c: null, d: -3 }])).toBe(
    'a,b,c,d\r\n"x,y",\'=SUM(A1),,-3\r\n',
  );
});
