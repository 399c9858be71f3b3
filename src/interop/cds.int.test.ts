import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { buildInteropWorld, type InteropWorld, NOW, PUBLIC_URL } from '../../test/interop-world.ts';
import { buildApp } from '../api/app.ts';
import { createLogger } from '../api/logger.ts';
import { testConfig } from '../api/test-support.ts';
import { RULEBOOK_V1 } from '../clinical/rulebook-v1.ts';
import { pruneExpired } from '../jobs/housekeeping.ts';
import type { SystemActor } from '../services/actors.ts';
import { manualClock } from '../services/clock.ts';
import { linkPatientIdentifier, registerCdsClient } from '../services/interop-setup.ts';
import { listAlerts } from '../store/alerts.repository.ts';
import { insertPatient } from '../store/patients.repository.ts';
import { SUMMARY_MAX } from './cds/cards.ts';
import { cdsHooksRoutes } from './cds.routes.ts';

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
    options: {
      key?: CryptoKey;
      iss?: string;
      aud?: string;
      exp?: number;
      alg?: string;
      jti?: string;
    } = {},
  ): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: options.alg ?? 'ES384', typ: 'JWT', kid: 'ehr-1' })
      .setIssuer(options.iss ?? issuer)
      .setAudience(options.aud ?? SERVICE)
      .setIssuedAt(NOW_S)
      .setExpirationTime(options.exp ?? NOW_S + 300)
      .setJti(options.jti ?? randomUUID())
      .sign(options.key ?? ehrKey);
  }

  async function patientView(mrn: string | null, token: string | null, app = w.app) {
    const res = await app.inject({
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

  it('refuses a replayed JWT (same jti from the same EHR) with 401, and audits the attempt', async () => {
    const token = await jwt();
    const first = await patientView('MRN-1', token);
    expect(first.status).toBe(200);
    expect(first.body.cards.length).toBeGreaterThan(0);
    const again = await patientView('MRN-1', token);
    expect(again.status).toBe(401);
    expect(JSON.stringify(again.body)).not.toContain('cards');
    const replays = await ctx.db
      .selectFrom('audit_events')
      .select(['action', 'actor_type', 'clinic_id'])
      .where('action', '=', 'cds.jwt_replay')
      .execute();
    expect(replays).toEqual([
      { action: 'cds.jwt_replay', actor_type: 'system', clinic_id: w.demoClinicId },
    ]);
    // A fresh token (new jti) from the same EHR still works.
    expect((await patientView('MRN-1', await jwt())).status).toBe(200);
  });

  it('tracks jti per issuer: another EHR may use the same jti', async () => {
    const jti = `shared-${randomUUID()}`;
    expect((await patientView('MRN-1', await jwt({ jti }))).status).toBe(200);
    expect((await patientView('MRN-9', await jwt({ jti, iss: otherIssuer }))).status).toBe(200);
    expect((await patientView('MRN-1', await jwt({ jti }))).status).toBe(401);
  });

  it('two servers on one database: of the same token sent to both at once, exactly one is accepted', async () => {
    const second = await buildApp({
      config: testConfig({ publicUrl: PUBLIC_URL }),
      db: ctx.openAnother(),
      clock: w.clock,
      logger: createLogger('silent'),
      plugins: [cdsHooksRoutes],
    });
    await second.ready();
    try {
      for (let round = 0; round < 3; round += 1) {
        const token = await jwt();
        const answers = await Promise.all([
          patientView('MRN-2', token),
          patientView('MRN-2', token, second),
        ]);
        expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
      }
    } finally {
      await second.close();
    }
  });

  it('forgets a jti once its token has expired: on the next insert and in housekeeping', async () => {
    const count = async () =>
      (
        await ctx.db
          .withTables<{ cds_jwt_ids: { issuer: string } }>()
          .selectFrom('cds_jwt_ids')
          .select('issuer')
          .execute()
      ).length;
    expect(await count()).toBeGreaterThan(0);
    const started = w.clock.now();
    try {
      // Past every token's exp (+5 min) and the tolerance (30 s).
      w.clock.set(new Date(Date.parse(NOW) + 10 * 60_000));
      const pruned = await pruneExpired(ctx.db, w.clock.now());
      expect(pruned.cdsJwtIds).toBeGreaterThan(0);
      expect(await count()).toBe(0);
      // Inserting for an issuer drops that issuer's expired entries first.
      const nowS = Math.floor(w.clock.now().getTime() / 1000);
      const late = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'ehr-1' })
        .setIssuer(issuer)
        .setAudience(SERVICE)
        .setIssuedAt(nowS)
        .setExpirationTime(nowS + 60)
        .setJti(randomUUID())
        .sign(ehrKey);
      expect((await patientView('MRN-1', late)).status).toBe(200);
      expect(await count()).toBe(1);
      w.clock.set(new Date(Date.parse(NOW) + 20 * 60_000));
      const later = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'ehr-1' })
        .setIssuer(issuer)
        .setAudience(SERVICE)
        .setIssuedAt(nowS + 600)
        .setExpirationTime(nowS + 660)
        .setJti(randomUUID())
        .sign(ehrKey);
      expect((await patientView('MRN-1', later)).status).toBe(200);
      expect(await count()).toBe(1);
    } finally {
      w.clock.set(started);
    }
  });
});
