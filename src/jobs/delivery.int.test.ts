import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { productUrls } from '../services/urls.ts';
import { insertAlert } from '../store/alerts.repository.ts';
import { updateClinicSettings } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { listDeadLetters, requeueDeadLetters } from '../store/dead-letters.repository.ts';
import { enqueueOutbox, findOutboxMessage } from '../store/outbox.repository.ts';
import { enqueueAlertDelivery } from './alerts.ts';
import { createHttpSmsGateway } from './sms-gateway.ts';
import {
  PUBLIC_URL,
  type Receiver,
  recordingLogger,
  recordingMailer,
  type Seeded,
  seedSessionWithReminders,
  startReceiver,
  type TestClock,
  testClock,
} from './test-support.ts';
import { createWebhookSender, verifyWebhookSignature } from './webhooks.ts';
import { createWorker, type Worker } from './worker.ts';

const SECRET = 'whsec_0123456789abcdef';
const T0 = '2026-11-25T10:00:00.000Z'; // Wednesday, 11:00 in Madrid

describeEachDialect('jobs: webhooks and SMS over HTTP', (ctx) => {
  let hook: Receiver;
  let gateway: Receiver;

  beforeAll(async () => {
    hook = await startReceiver('/hooks/needlecare');
    gateway = await startReceiver('/sms');
  });
  afterAll(async () => {
    await hook.close();
    await gateway.close();
  });
  afterEach(async () => {
    hook.requests.length = 0;
    gateway.requests.length = 0;
    hook.respond = () => 200;
    gateway.respond = () => 200;
    await ctx.db.deleteFrom('outbox').execute();
  });

  function makeWorker(clock: TestClock, maxAttempts = 8): Worker {
    return createWorker({
      db: ctx.db,
      clock,
      logger: recordingLogger(),
      mailer: recordingMailer(),
      sms: createHttpSmsGateway({ url: gateway.url, token: 'sms-token-1' }),
      webhooks: createWebhookSender({ allowHosts: ['127.0.0.1'] }),
      workerId: 'http-test',
      config: { publicUrl: PUBLIC_URL, maxAttempts, backoffBaseMs: 60_000, random: () => 0.5 },
    });
  }

  async function alertFor(s: Seeded, createdAt: string): Promise<string> {
    return withTransaction(ctx.db, async (trx) => {
      const alert = await insertAlert(trx, {
        clinicId: s.clinic.id,
        sessionId: s.session.id,
        patientId: s.patient.id,
        assessmentId: null,
        severity: 'urgent',
        createdAt,
      });
      await enqueueAlertDelivery(trx, {
        clinic: s.clinic,
        alert,
        patient: s.patient,
        session: s.session,
        practitioner: s.practitioner,
        dashboardUrl: productUrls(PUBLIC_URL).dashboardAlert(alert.id),
      });
      return alert.id;
    });
  }

  function seedWithHook(): Promise<Seeded> {
    return seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: null,
      clinic: { escalation: { webhooks: [{ id: 'ehr', url: hook.url, secret: SECRET }] } },
    });
  }

  it('signs webhooks so a receiver can verify them', async () => {
    const s = await seedWithHook();
    const alertId = await alertFor(s, T0);
    const clock = testClock(T0);
    const summary = await makeWorker(clock).runOnce();
    expect(summary.sent).toBeGreaterThanOrEqual(2); // e-mail + webhook
    expect(hook.requests).toHaveLength(1);
    const req = hook.requests[0];
    const check = verifyWebhookSignature({
      secret: SECRET,
      body: req?.body ?? '',
      timestamp: req?.headers['needlecare-timestamp'] as string,
      signature: req?.headers['needlecare-signature'] as string,
      now: clock.now(),
    });
    expect(check).toEqual({ ok: true });
    expect(req?.headers['needlecare-timestamp']).toBe(String(Date.parse(T0) / 1000));
    const event = JSON.parse(req?.body ?? '{}');
    expect(event.type).toBe('alert.created');
    expect(event.id).toBe(req?.headers['needlecare-event-id']);
    expect(req?.headers['idempotency-key']).toBe(event.id);
    expect(event.data.alert).toMatchObject({ id: alertId, severity: 'urgent', status: 'open' });
    expect(req?.body).not.toMatch(/Rosa|Quintana|@/);
    // A wrong secret or a tampered body does not verify.
    expect(
      verifyWebhookSignature({
        secret: 'another-secret-000000',
        body: req?.body ?? '',
        timestamp: req?.headers['needlecare-timestamp'] as string,
        signature: req?.headers['needlecare-signature'] as string,
        now: clock.now(),
      }).ok,
    ).toBe(false);
  });

  it("carries the patient's phone (with its tel: link) and e-mail on an urgent alert's webhook; switched off, neither (decision 1221)", async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: 'rosa@example.test',
      phone: '+34 600 123 456',
      clinic: { escalation: { webhooks: [{ id: 'ehr', url: hook.url, secret: SECRET }] } },
    });
    const alertId = await alertFor(s, T0);
    const clock = testClock(T0);
    await makeWorker(clock).runOnce();
    expect(hook.requests).toHaveLength(1);
    const req = hook.requests[0];
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        body: req?.body ?? '',
        timestamp: req?.headers['needlecare-timestamp'] as string,
        signature: req?.headers['needlecare-signature'] as string,
        now: clock.now(),
      }),
    ).toEqual({ ok: true });
    const event = JSON.parse(req?.body ?? '{}');
    expect(event.data.alert).toMatchObject({ id: alertId, severity: 'urgent' });
    expect(event.data.patientContact).toEqual({
      phone: '+34 600 123 456',
      phoneUri: 'tel:+34600123456',
      email: 'rosa@example.test',
      noContactGiven: false,
    });
    expect(req?.body).not.toMatch(/Rosa|Quintana/);
    // Read at send time: the outbox row never held it; the disclosure is audited.
    const rows = await ctx.db
      .selectFrom('outbox')
      .select('payload_json')
      .where('kind', 'in', ['alert.email', 'alert.webhook'])
      .execute();
    expect(rows.length).toBe(2);
    for (const row of rows) expect(row.payload_json).not.toContain('600 123 456');
    const audit = await ctx.db
      .selectFrom('audit_events')
      .select(['action', 'subject_id'])
      .where('action', '=', 'alert.contact.disclose')
      .where('subject_id', '=', s.patient.id)
      .execute();
    expect(audit.length).toBe(2); // the e-mail to the practitioner and the webhook

    hook.requests.length = 0;
    await updateClinicSettings(ctx.db, s.clinic.id, { patientContactInAlerts: false });
    await ctx.db.deleteFrom('outbox').execute();
    await ctx.db
      .updateTable('alerts')
      .set({ status: 'resolved' })
      .where('id', '=', alertId)
      .execute();
    await alertFor(s, T0);
    await makeWorker(clock).runOnce();
    expect(hook.requests).toHaveLength(1);
    const off = JSON.parse(hook.requests[0]?.body ?? '{}');
    expect(off.data.patientContact).toBeUndefined();
    // The phone's digits in either form, not a bare "600" (random ids contain that).
    expect(hook.requests[0]?.body).not.toMatch(/600 123 456|600123456|rosa@|tel:/);
  });

  it('retries a 500 with backoff, then succeeds with the same event id', async () => {
    const s = await seedWithHook();
    await alertFor(s, T0);
    hook.respond = (n) => (n === 0 ? 500 : 204);
    const clock = testClock(T0);
    const worker = makeWorker(clock);
    const first = await worker.runOnce();
    expect(first.retried).toBe(1);
    const row = await ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('kind', '=', 'alert.webhook')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    expect(row.last_error).toBe('webhook answered 500');
    // attempt 1 failed: 60 s base, equal jitter with random 0.5 → 45 s.
    expect(row.due_at).toBe(new Date(Date.parse(T0) + 45_000).toISOString());

    clock.advance(44_000);
    expect((await worker.runOnce()).claimed).toBe(0);
    clock.advance(1_000);
    const second = await worker.runOnce();
    expect(second.sent).toBe(1);
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests[1]?.headers['needlecare-event-id']).toBe(
      hook.requests[0]?.headers['needlecare-event-id'],
    );
    expect((await findOutboxMessage(ctx.db, row.id))?.status).toBe('sent');
  });

  it('dead-letters a permanent failure after the limit and lists it for admins', async () => {
    const s = await seedWithHook();
    await alertFor(s, T0);
    hook.respond = () => 503;
    const clock = testClock(T0);
    const worker = makeWorker(clock, 3);
    for (let i = 0; i < 3; i += 1) {
      await worker.runOnce();
      clock.advance(10 * 60_000);
    }
    expect(hook.requests).toHaveLength(3);
    const dead = await listDeadLetters(ctx.db, s.clinic.id);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      kind: 'alert.webhook',
      attempts: 3,
      lastError: 'webhook answered 503',
    });
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    expect(hook.requests).toHaveLength(3);

    // Another clinic's admin sees nothing; requeueing gives it a fresh start.
    const other = await seedWithHook();
    expect(await listDeadLetters(ctx.db, other.clinic.id)).toEqual([]);
    hook.respond = () => 200;
    expect(await requeueDeadLetters(ctx.db, s.clinic.id, clock.now(), dead[0]?.id ?? '')).toEqual([
      dead[0]?.id,
    ]);
    expect((await worker.runOnce()).sent).toBe(1);
    expect(await listDeadLetters(ctx.db, s.clinic.id)).toEqual([]);
  });

  it('sends SMS reminders through the HTTP gateway with bearer token and idempotency key', async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: null,
      phone: '+34 600 111 222',
      language: 'es',
    });
    gateway.respond = (n) => (n === 0 ? 502 : 202);
    const clock = testClock('2026-11-25T14:00:00.000Z');
    const worker = makeWorker(clock);
    expect((await worker.runOnce()).retried).toBe(1);
    clock.advance(60_000);
    expect((await worker.runOnce()).sent).toBe(1);
    expect(gateway.requests).toHaveLength(2);
    const req = gateway.requests[1];
    expect(req?.method).toBe('POST');
    expect(req?.headers.authorization).toBe('Bearer sms-token-1');
    expect(req?.headers['content-type']).toBe('application/json');
    const key = `reminder:${s.session.id}:4:sms`;
    expect(req?.headers['idempotency-key']).toBe(key);
    const body = JSON.parse(req?.body ?? '{}');
    expect(Object.keys(body).sort()).toEqual(['body', 'idempotencyKey', 'to']);
    expect(body).toMatchObject({ to: '+34 600 111 222', idempotencyKey: key });
    expect(body.body).toContain(s.linkUrl);
    expect(body.body).toContain(`${s.linkUrl}/stop`);
    expect(body.body).toContain('seguimiento');
    expect(gateway.requests[0]?.body).toBe(req?.body);
  });

  it('an unknown kind is dead-lettered at once', async () => {
    const s = await seedWithHook();
    await enqueueOutbox(ctx.db, {
      clinicId: s.clinic.id,
      kind: 'carrier.pigeon',
      dedupeKey: `pigeon:${s.session.id}`,
      payload: {},
      dueAt: T0,
      createdAt: T0,
    });
    expect(await makeWorker(testClock(T0)).runOnce()).toMatchObject({ claimed: 1, dead: 1 });
    expect(await listDeadLetters(ctx.db, s.clinic.id)).toEqual([
      expect.objectContaining({
        kind: 'carrier.pigeon',
        attempts: 1,
        lastError: 'unknown outbox kind "carrier.pigeon"',
      }),
    ]);
  });
});
