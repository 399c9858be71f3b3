/**
 * Every resource the FHIR mapping can produce passes two independent validators, with no
 * error-level issue: @medplum/core 5's `validateResource` (run under Node 24, one process for
 * all resources: test/fhir-validate-medplum.mjs) and the `fhir` package's validator.
 * The resources: `needlecare fhir export` of the demo clinic (seeded through the API), the
 * synthetic catalogue record (every muscle, side, symptom, disposition, alert state), the
 * CapabilityStatement as `GET /fhir/R4/metadata` answers it, the webhook Bundles of every
 * catalogue alert (decision 0910), and an OperationOutcome.
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withKeys } from '../../../src/store/keyring.ts';
import { TEST_KEY_ENV, TEST_KEYS } from '../../../src/store/test-keys.ts';
import { runCli } from '../../../test/cli-harness.ts';
import {
  errorsOf,
  NODE24,
  validateWithFhirJs,
  validateWithMedplum,
} from '../../../test/fhir-validators.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { testConfig } from '../../api/test-support.ts';
import { seedDemo } from '../../cli/demo-seed.ts';
import { manualClock } from '../../services/clock.ts';
import { AppError } from '../../services/errors.ts';
import { listClinics } from '../../store/clinics.repository.ts';
import { createDb, type Db } from '../../store/db.ts';
import { migrateToLatest } from '../../store/migrations.ts';
import { fhirRoutes } from '../fhir.routes.ts';
import { toFhirResources } from './map.ts';
import { operationOutcomeOf } from './outcome.ts';
import { catalogueRecord } from './test-fixtures.ts';
import { alertWebhookBuilder } from './webhook.ts';

describe('FHIR validation of everything the mapping produces', () => {
  let dir: string;
  let db: Db;
  let files: string[];
  let lines: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nc-fhir-'));
    const dbPath = join(dir, 'demo.db');
    db = withKeys(createDb({ sqlitePath: dbPath }), TEST_KEYS);
    await migrateToLatest(db);
    await seedDemo(db, testConfig(), new Date('2026-11-25T12:00:00.000Z'));
    const clinic = (await listClinics(db))[0];
    if (clinic === undefined) throw new Error('demo clinic missing');
    const exported = await runCli(
      ['fhir', 'export', '--clinic', clinic.id, '--out', join(dir, 'demo')],
      '',
      { ...TEST_KEY_ENV, NEEDLECARE_DB: dbPath },
    );
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);

    // The CapabilityStatement as `GET /fhir/R4/metadata` answers it.
    const app = await buildApp({
      config: testConfig(),
      db,
      clock: manualClock('2026-11-25T12:00:00.000Z'),
      logger: createLogger('silent'),
      plugins: [fhirRoutes],
    });
    const metadata = await app.inject({ method: 'GET', url: '/fhir/R4/metadata' });
    await app.close();
    expect(metadata.statusCode).toBe(200);
    expect(metadata.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const capability = metadata.json() as { resourceType: string };
    expect(capability.resourceType).toBe('CapabilityStatement');

    // The FHIR form of a webhook for every alert of the catalogue record (with and without
    // the check-in behind it), as a Bundle and entry by entry.
    const catalogue = catalogueRecord();
    const build = alertWebhookBuilder({
      fhirBase: 'https://care.example.test/fhir/R4',
      publicUrl: 'https://care.example.test',
    });
    const bundles = catalogue.alerts.map((alert, i) => {
      const built = build(catalogue, {
        id: `evt_${i.toString(16).padStart(32, '0')}`,
        type: ['alert.created', 'alert.raised', 'alert.escalated'][i % 3] ?? 'alert.created',
        createdAt: alert.createdAt,
        data: { alert: { id: alert.id, patientId: alert.patientId } },
      });
      if (built === undefined) throw new Error(`no bundle for alert ${alert.id}`);
      return built.body;
    });
    expect(bundles.some((b) => (b.entry ?? []).length === 3)).toBe(true); // missed check-in
    expect(bundles.some((b) => (b.entry ?? []).length === 5)).toBe(true);

    const extra = [
      ...toFhirResources(catalogue),
      capability,
      ...bundles,
      ...bundles.flatMap((b) => (b.entry ?? []).map((e) => e.resource)),
      operationOutcomeOf(
        new AppError('validation_failed', 'Invalid date', {
          errors: [{ field: 'date', message: 'is not a FHIR date' }],
        }),
        'req-1',
      ),
      operationOutcomeOf(new AppError('not_found', 'No such Patient.'), 'req-2'),
    ];
    writeFileSync(join(dir, 'catalogue.ndjson'), extra.map((r) => JSON.stringify(r)).join('\n'));
    files = [
      ...readdirSync(join(dir, 'demo')).map((f) => join(dir, 'demo', f)),
      join(dir, 'catalogue.ndjson'),
    ];
    lines = files
      .map(
        (f) =>
          readFileSync(f, 'utf8')
            .split('\n')
            .filter((l) => l.trim() !== '').length,
      )
      .reduce((a, b) => a + b, 0);
  }, 60_000);

  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the demo export has one NDJSON file per resource type, each line that type', () => {
    const names = readdirSync(join(dir, 'demo')).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'Flag.ndjson',
        'Observation.ndjson',
        'Organization.ndjson',
        'Patient.ndjson',
        'Practitioner.ndjson',
        'Procedure.ndjson',
        'Provenance.ndjson',
        'Questionnaire.ndjson',
        'QuestionnaireResponse.ndjson',
        'RiskAssessment.ndjson',
        'Task.ndjson',
      ]),
    );
    for (const name of names) {
      const type = name.replace('.ndjson', '');
      for (const line of readFileSync(join(dir, 'demo', name), 'utf8')
        .trim()
        .split('\n')) {
        expect((JSON.parse(line) as { resourceType: string }).resourceType).toBe(type);
      }
    }
  });

  /** A negative control in the same run: proves the validators are really checking. */
  function writeBroken(): string {
    const broken = join(dir, 'broken.ndjson');
    writeFileSync(
      broken,
      [
        {
          resourceType: 'Observation',
          id: 'x',
          status: 'final',
          code: { text: 'x' },
          valueInteger: 'high',
        },
        { resourceType: 'Flag', id: 'y', status: 'bogus', code: { text: 'x' } },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    return broken;
  }

  it('@medplum/core 5 (Node 24) reports no error on any resource', () => {
    expect(existsSync(NODE24), `Node 24 missing at ${NODE24}: run npm install`).toBe(true);
    const broken = writeBroken();
    const result = validateWithMedplum([...files, broken]);
    expect(result.checked).toBe(lines + 2);
    const errors = errorsOf(result.issues);
    expect(errors.filter((i) => i.file !== broken)).toEqual([]);
    expect(errors.filter((i) => i.file === broken).map((i) => i.resourceType)).toContain(
      'Observation',
    );
  }, 60_000);

  it('the fhir package reports no error on any resource', () => {
    const broken = writeBroken();
    const result = validateWithFhirJs([...files, broken]);
    expect(result.checked).toBe(lines + 2);
    const errors = errorsOf(result.issues);
    expect(errors.filter((i) => i.file !== broken)).toEqual([]);
    expect(errors.filter((i) => i.file === broken).map((i) => i.resourceType)).toEqual(
      expect.arrayContaining(['Observation', 'Flag']),
    );
  });
});
