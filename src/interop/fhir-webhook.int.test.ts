/**
 * The FHIR form of webhooks, end to end (docs/decisions/0910): an admin sets an endpoint's
 * format through the API, a patient's check-in raises an alert, the worker (wired as the CLI
 * wires it) builds a FHIR R4 message Bundle from the stored record and POSTs it, signed like
 * the native event, to a real local HTTP receiver; the Bundle passes both validators.
 * Loopback is allowed only because NEEDLECARE_WEBHOOK_ALLOW_HOSTS names it (decision 1102).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Flag, MessageHeader, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { errorsOf, validateWithFhirJs, validateWithMedplum } from '../../test/fhir-validators.ts';
import { buildApp } from '../api/app.ts';
import { createLogger } from '../api/logger.ts';
import {
  auditActions,
  type Browser,
  createSession,
  json,
  type SeededClinic,
  seedClinic,
  signIn,
  T0,
  testConfig,
} from '../api/test-support.ts';
import { outboxEvents } from '../cli/commands/serve.ts';
import { parseKeyEnv } from '../config/keys.ts';
import { createSenders } from '../jobs/senders.ts';
import { type Receiver, recordingLogger, startReceiver } from '../jobs/test-support.ts';
import { verifyWebhookSignature } from '../jobs/webhooks.ts';
import { createWorker } from '../jobs/worker.ts';
import { manualClock } from '../services/clock.ts';
import { TEST_KEY_ENV } from '../store/test-keys.ts';
import { alertWebhookBuilder, WEBHOOK_EVENT_SYSTEM } from './fhir/webhook.ts';
import { FHIR_PREFIX } from './fhir.routes.ts';

const PUBLIC_URL = 'https://care.example.test';
const FHIR_SECRET = 'fhir-hook-secret-0123456789';
const NATIVE_SECRET = 'native-hook-secret-0123456789';

describeEachDialect('webhooks in FHIR form', (ctx) => {
  let fhirHook: Receiver;
  let nativeHook: Receiver;
  let dir: string;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let admin: Browser;
  let practitioner: Browser;
  let clinic: SeededClinic;
  const clock = manualClock(T0);
  // The operator variable, parsed as `serve` and `worker` parse it.
  const keys = parseKeyEnv({ ...TEST_KEY_ENV, NEEDLECARE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }).value;
  const config = testConfig({ publicUrl: PUBLIC_URL, keys });

  beforeAll(async () => {
    fhirHook = await startReceiver('/fhir-hook');
    nativeHook = await startReceiver('/native-hook');
    dir = mkdtempSync(join(tmpdir(), 'nc-fhir-hook-'));
    app = await buildApp({
      config,
      db: ctx.db,
      clock,
      logger: createLogger('silent'),
      events: outboxEvents(config),
    });
    await app.ready();
    clinic = await seedClinic(ctx.db, 'Hook Clinic');
    admin = await signIn(app, clinic.adminEmail);
    practitioner = await signIn(app, clinic.practitionerEmail);
  });
  afterAll(async () => {
    await app.close();
    await fhirHook.close();
    await nativeHook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function putHook(id: string, body: object) {
    return app.inject({
      method: 'PUT',
      url: `/api/v1/admin/webhooks/${id}`,
      headers: admin.headers(),
      payload: body,
    });
  }

  function worker() {
    const senders = createSenders({ ...config.worker, webhookAllowHosts: keys.webhookAllowHosts });
    return createWorker({
      db: ctx.db,
      clock,
      logger: recordingLogger(),
      ...senders,
      fhirWebhook: alertWebhookBuilder({
        fhirBase: `${PUBLIC_URL}${FHIR_PREFIX}`,
        publicUrl: PUBLIC_URL,
      }),
      workerId: 'fhir-hook-test',
      config: { publicUrl: PUBLIC_URL, maxAttempts: 3, random: () => 0.5 },
    });
  }

  it('an admin sets the format per endpoint; FHIR over plain http only to an allowed host', async () => {
    const refused = await putHook('ehr', {
      url: 'http://hooks.example.com/nc',
      secret: FHIR_SECRET,
      format: 'fhir',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(refused.json())).toContain('https');

    const badFormat = await putHook('ehr', {
      url: fhirHook.url,
      secret: FHIR_SECRET,
      format: 'hl7v2',
    });
    expect(badFormat.statusCode).toBe(400);

    const saved = await putHook('ehr', { url: fhirHook.url, secret: FHIR_SECRET, format: 'fhir' });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ id: 'ehr', url: fhirHook.url, format: 'fhir' });
    expect((await putHook('chat', { url: nativeHook.url, secret: NATIVE_SECRET })).statusCode).toBe(
      200,
    );
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/webhooks',
      headers: admin.headers(false),
    });
    expect(list.json()).toEqual({
      items: [
        { id: 'ehr', url: fhirHook.url, format: 'fhir' },
        { id: 'chat', url: nativeHook.url, format: 'native' },
      ],
    });
    expect(list.body).not.toContain(FHIR_SECRET);
    // Changing the format keeps the stored secret when none is sent.
    const toggled = await putHook('ehr', { url: fhirHook.url, format: 'native' });
    expect(toggled.json()).toMatchObject({ format: 'native' });
    expect((await putHook('ehr', { url: fhirHook.url, format: 'fhir' })).statusCode).toBe(200);
  });

  it('delivers the alert as a signed FHIR message Bundle that both validators accept, and the native event to the other endpoint', async () => {
    const session = await createSession(app, practitioner, { performedAt: T0 });
    clock.set('2026-11-25T13:00:00.000Z');
    const checkIn = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${session.token}/check-ins`,
      payload: { soreness: 4, symptoms: ['fever'], note: 'Hot and red around the site' },
    });
    expect(checkIn.statusCode).toBe(201);
    const alertId = json<{ openAlert: { id: string } }>(checkIn).openAlert.id;

    const summary = await worker().runOnce();
    expect(summary.dead).toBe(0);
    expect(fhirHook.requests).toHaveLength(1);
    expect(nativeHook.requests).toHaveLength(1);

    const req = fhirHook.requests[0];
    if (req === undefined) throw new Error('no FHIR delivery');
    expect(req.headers['content-type']).toBe('application/fhir+json');
    const verified = verifyWebhookSignature({
      secret: FHIR_SECRET,
      body: req.body,
      timestamp: req.headers['needlecare-timestamp'] as string,
      signature: req.headers['needlecare-signature'] as string,
      now: clock.now(),
    });
    expect(verified).toEqual({ ok: true });
    const native = nativeHook.requests[0];
    expect(req.headers['needlecare-event-id']).toBe(native?.headers['needlecare-event-id']);
    expect(native?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(native?.body ?? '{}')).toMatchObject({ type: 'alert.created' });

    const bundle = JSON.parse(req.body) as Bundle;
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('message');
    const resources = (bundle.entry ?? []).map((e) => e.resource);
    expect(resources.map((r) => r?.resourceType)).toEqual([
      'MessageHeader',
      'Flag',
      'RiskAssessment',
      'QuestionnaireResponse',
      'Patient',
    ]);
    const header = resources[0] as MessageHeader;
    expect(header.eventCoding).toMatchObject({
      system: WEBHOOK_EVENT_SYSTEM,
      code: 'alert.created',
    });
    expect(header.focus).toEqual([{ reference: `Flag/${alertId}` }]);
    expect((resources[1] as Flag).id).toBe(alertId);
    expect(bundle.entry?.[1]?.fullUrl).toBe(`${PUBLIC_URL}/fhir/R4/Flag/${alertId}`);
    const patient = resources[4] as Patient;
    expect(patient.id).toBe(session.patientId);
    expect(patient.telecom).toEqual([{ system: 'email', value: 'p@example.test' }]);
    expect(req.body).toContain('Hot and red around the site');

    // Audited as a disclosure of this patient's data by the worker.
    const audits = await auditActions(ctx.db, 'webhook.fhir');
    expect(audits[0]).toMatchObject({ actorType: 'system', actorId: 'worker:fhir-hook-test' });

    // Both validators: the Bundle, and each resource in it on its own.
    const file = join(dir, `bundle-${ctx.dialect}.ndjson`);
    writeFileSync(file, [bundle, ...resources].map((r) => JSON.stringify(r)).join('\n'));
    const medplum = validateWithMedplum([file]);
    expect(medplum.checked).toBe(1 + resources.length);
    expect(errorsOf(medplum.issues)).toEqual([]);
    const fhirJs = validateWithFhirJs([file]);
    expect(fhirJs.checked).toBe(1 + resources.length);
    expect(errorsOf(fhirJs.issues)).toEqual([]);
  }, 60_000);

  it('a worker without the FHIR builder dead-letters the FHIR delivery (never sends the native form instead)', async () => {
    fhirHook.requests.length = 0;
    nativeHook.requests.length = 0;
    const fresh = await signIn(app, clinic.practitionerEmail);
    const session = await createSession(app, fresh, { performedAt: T0 });
    const checkIn = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${session.token}/check-ins`,
      payload: { soreness: 3, symptoms: ['fever'] },
    });
    expect(checkIn.statusCode).toBe(201);
    const senders = createSenders({ ...config.worker, webhookAllowHosts: keys.webhookAllowHosts });
    const bare = createWorker({
      db: ctx.db,
      clock,
      logger: recordingLogger(),
      ...senders,
      workerId: 'no-fhir',
      config: { publicUrl: PUBLIC_URL, maxAttempts: 3, random: () => 0.5 },
    });
    const summary = await bare.runOnce();
    expect(summary.dead).toBe(1);
    expect(fhirHook.requests).toHaveLength(0);
    expect(nativeHook.requests).toHaveLength(1);
  });

  it('a FHIR endpoint is refused plain http at send time when the host is not allowed', async () => {
    const senders = createSenders({ ...config.worker, webhookAllowHosts: [] });
    await expect(
      senders.webhooks.deliver({
        url: 'http://hooks.example.com/nc',
        secret: FHIR_SECRET,
        eventId: 'evt_x',
        body: '{}',
        contentType: 'application/fhir+json',
        now: clock.now(),
      }),
    ).rejects.toThrow(/https/);
  });
});
