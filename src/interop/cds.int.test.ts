import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { buildInteropWorld, type InteropWorld, NOW, PUBLIC_URL } from '../../test/interop-world.ts';
import { RULEBOOK_V1 } from '../clinical/rulebook-v1.ts';
import type { SystemActor } from '../services/actors.ts';
import { manualClock } from '../services/clock.ts';
import { linkPatientIdentifier, registerCdsClient } from '../services/interop-setup.ts';
import { listAlerts } from '../store/alerts.repository.ts';
import { insertPatient } from '../store/patients.repository.ts';
import { SUMMARY_MAX } from './cds/cards.ts';

const MRN = 'urn:oid:2.16.840.1.113883.19.5';
const SERVICE = `${PUBLIC_URL}/cds-services/needlecare-patient-view`;
const NOW_S = Math.floor(Date.parse(NOW) / 1000);

interface CardJson {
  summary: string;
  indicator: string;
  source: { label: string; url?: string };
  links?: { url: string; type: string }[];
}

describeEachDialect('CDS Hooks patient-view (the test plays the EHR)', (ctx) => {
  let w: InteropWorld;
  let ehrKey: CryptoKey;
  let strangerKey: CryptoKey;
  const issuer = `https://ehr.example.test/${randomUUID()}`;
  const otherIssuer = `https://other-ehr.example.test/${randomUUID()}`;

  beforeAll(async () => {
    w = await buildInteropWorld(ctx.db);
    const pair = await generateKeyPair('ES384');
    ehrKey = pair.privateKey;
    strangerKey = (await generateKeyPair('ES384')).privateKey;
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'ehr-1', alg: 'ES384' };
    const deps = { db: ctx.db, clock: manualClock(NOW) };
    const operator: SystemActor = {
      kind: 'system',
      name: 'test',
      clinicId: null,
      ip: '127.0.0.1',
      requestId: 't',
    };
    await registerCdsClient(deps, operator, {
      clinicId: w.demoClinicId,
      issuer,
      jwksUrl: null,
      jwks: { keys: [publicJwk] },
      identifierSystem: MRN,
    });
    // The other clinic's EHR uses the same identifier system and calls with the same key.
    await registerCdsClient(deps, operator, {
      clinicId: w.otherClinicId,
      issuer: otherIssuer,
      jwksUrl: null,
      jwks: { keys: [publicJwk] },
      identifierSystem: MRN,
    });
    for (const [name, mrn] of Object.entries({
      'Jordan Lee': 'MRN-1',
      'Sam Okafor': 'MRN-2',
      'Riley Demo': 'MRN-3',
      'Lucía Fernández': 'MRN-4',
    })) {
      const patientId = w.patients[name];
      if (patientId === undefined) throw new Error(name);
      await linkPatientIdentifier(deps, operator, {
        clinicId: w.demoClinicId,
        patientId,
        system: MRN,
        value: mrn,
      });
    }
    const stranger = await insertPatient(ctx.db, {
      clinicId: w.otherClinicId,
      displayName: 'Other Clinic Patient',
      language: 'en',
      createdAt: NOW,
    });
    await linkPatientIdentifier(deps, operator, {
      clinicId: w.otherClinicId,
      patientId: stranger.id,
      system: MRN,
      value: 'MRN-9',
    });
  }, 60_000);
  afterAll(async () => {
    await w.app.close();
  });

  async function jwt(
    options: { key?: CryptoKey; iss?: string; aud?: string; exp?: number; alg?: string } = {},
  ): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: options.alg ?? 'ES384', typ: 'JWT', kid: 'ehr-1' })
      .setIssuer(options.iss ?? issuer)
      .setAudience(options.aud ?? SERVICE)
      .setIssuedAt(NOW_S)
      .setExpirationTime(options.exp ?? NOW_S + 300)
      .setJti(randomUUID())
      .sign(options.key ?? ehrKey);
  }

  async function patientView(mrn: string | null, token: string | null) {
    const res = await w.app.inject({
      method: 'POST',
      url: '/cds-services/needlecare-patient-view',
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      payload: {
        hook: 'patient-view',
        hookInstance: randomUUID(),
        context: { userId: 'Practitioner/ehr-doc-1', patientId: 'ehr-patient-1' },
        prefetch: {
          patient: {
            resourceType: 'Patient',
            id: 'ehr-patient-1',
            identifier:
              mrn === null
                ? []
                : [
                    { system: MRN, value: mrn },
                    { system: 'urn:other', value: 'x' },
                  ],
          },
        },
      },
    });
    if (res.statusCode === 200) expect(res.headers['cache-control']).toBe('no-store');
    return { status: res.statusCode, body: res.json() as { cards: CardJson[] } };
  }

  it('discovery lists the patient-view service with its prefetch', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/cds-services' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { services: Record<string, unknown>[] };
    expect(body.services).toEqual([
      expect.objectContaining({
        hook: 'patient-view',
        id: 'needlecare-patient-view',
        title: expect.any(String),
        description: expect.any(String),
        prefetch: { patient: 'Patient/{{context.patientId}}' },
      }),
    ]);
  });

  it('an open emergency alert is a critical card linking to the alert, naming the rulebook', async () => {
    const res = await patientView('MRN-1', await jwt());
    expect(res.status).toBe(200);
    const critical = res.body.cards.filter((c) => c.indicator === 'critical');
    expect(critical).toHaveLength(1);
    const card = critical[0] as CardJson;
    expect(card.summary.length).toBeLessThan(140);
    expect(card.source.label).toContain('Needlecare');
    expect(card.source.label).toContain(RULEBOOK_V1.version);
    const alerts = await listAlerts(ctx.db, w.demoClinicId, { severity: 'emergency' });
    const alert = alerts.find((a) => a.patientId === w.patients['Jordan Lee']);
    expect(card.links).toEqual([
      expect.objectContaining({ url: `${PUBLIC_URL}/app/#alert-${alert?.id}`, type: 'absolute' }),
    ]);
  });

  it('an open urgent alert is a warning card', async () => {
    const res = await patientView('MRN-2', await jwt());
    expect(res.body.cards.map((c) => c.indicator)).toContain('warning');
    expect(res.body.cards.every((c) => c.summary.length <= SUMMARY_MAX)).toBe(true);
  });

  it('a thoracic session in the last 48 h is an info card: ask about breathlessness', async () => {
    const res = await patientView('MRN-3', await jwt());
    expect(res.body.cards).toEqual([
      expect.objectContaining({
        indicator: 'info',
        summary: expect.stringMatching(/ask about breathlessness/),
      }),
    ]);
  });

  it('a routine alert and no recent chest-area session give no card', async () => {
    const res = await patientView('MRN-4', await jwt());
    expect(res.status).toBe(200);
    expect(res.body.cards).toEqual([]);
  });

  it('an unknown patient, or none of the clinic’s identifiers, gives no cards (not an error)', async () => {
    expect(await patientView('MRN-404', await jwt())).toEqual({ status: 200, body: { cards: [] } });
    expect(await patientView(null, await jwt())).toEqual({ status: 200, body: { cards: [] } });
  });

  it('another clinic’s patient gives no cards, whichever EHR asks', async () => {
    expect((await patientView('MRN-9', await jwt())).body.cards).toEqual([]);
    expect((await patientView('MRN-1', await jwt({ iss: otherIssuer }))).body.cards).toEqual([]);
  });

  it('refuses a missing or bad JWT with 401', async () => {
    const bad = [
      null,
      'not.a.jwt',
      await jwt({ key: strangerKey }),
      await jwt({ aud: `${PUBLIC_URL}/cds-services/another` }),
      await jwt({ exp: NOW_S - 120 }),
      await jwt({ exp: NOW_S + 3600 }),
      await jwt({ iss: 'https://unknown-ehr.example.test' }),
    ];
    for (const token of bad) {
      const res = await patientView('MRN-1', token);
      expect(res.status, String(token)).toBe(401);
    }
  });
});
