/**
 * Test helpers for the interop doors (never imported by production code): the demo clinic
 * seeded through the API, a second clinic, an API token for each, and an app with the FHIR
 * and CDS Hooks doors mounted.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import { seedClinic, testConfig } from '../src/api/test-support.ts';
import { seedDemo } from '../src/cli/demo-seed.ts';
import { cdsHooksRoutes } from '../src/interop/cds.routes.ts';
import { fhirRoutes } from '../src/interop/fhir.routes.ts';
import { type ManualClock, manualClock } from '../src/services/clock.ts';
import { sha256Hex } from '../src/services/secrets.ts';
import { insertApiToken } from '../src/store/api-tokens.repository.ts';
import { listClinics } from '../src/store/clinics.repository.ts';
import type { Db } from '../src/store/db.ts';
import { searchPatients } from '../src/store/patients.repository.ts';

export const NOW = '2026-11-25T12:00:00.000Z';
export const PUBLIC_URL = 'https://care.example.test';

export interface InteropWorld {
  readonly app: FastifyInstance;
  readonly clock: ManualClock;
  readonly demoClinicId: string;
  readonly otherClinicId: string;
  /** Bearer tokens. */
  readonly demoToken: string;
  readonly otherToken: string;
  /** Demo patient ids by display name. */
  readonly patients: Readonly<Record<string, string>>;
}

let counter = 0;

export async function buildInteropWorld(db: Db): Promise<InteropWorld> {
  const config = testConfig({ publicUrl: PUBLIC_URL });
  await seedDemo(db, config, new Date(NOW));
  const demo = (await listClinics(db)).find((c) => c.name.includes('Demo'));
  if (demo === undefined) throw new Error('demo clinic missing');
  const other = await seedClinic(db, 'Other Clinic');
  counter += 1;
  const demoToken = `demo-token-${counter}-${Math.random().toString(36).slice(2)}`;
  const otherToken = `other-token-${counter}-${Math.random().toString(36).slice(2)}`;
  for (const [clinicId, token] of [
    [demo.id, demoToken],
    [other.clinicId, otherToken],
  ] as const) {
    await insertApiToken(db, {
      clinicId,
      name: 'EHR',
      tokenHash: sha256Hex(token),
      createdBy: null,
      createdAt: NOW,
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
  }
  const patients = Object.fromEntries(
    (await searchPatients(db, demo.id, '', 100)).map((p) => [p.displayName, p.id]),
  );
  const clock = manualClock(NOW);
  const app = await buildApp({
    config,
    db,
    clock,
    logger: createLogger('silent'),
    plugins: [fhirRoutes, cdsHooksRoutes],
  });
  await app.ready();
  return {
    app,
    clock,
    demoClinicId: demo.id,
    otherClinicId: other.clinicId,
    demoToken,
    otherToken,
    patients,
  };
}
