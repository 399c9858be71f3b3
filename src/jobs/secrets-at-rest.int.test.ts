/**
 * Issue 12, findings 1 and 8 on both dialects: what a copy of the database holds is no usable
 * link or webhook secret, delivery still works, and webhooks reach only public addresses.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { insertAlert } from '../store/alerts.repository.ts';
import { findClinic } from '../store/clinics.repository.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { type KeyRing, namedKey, withKeys } from '../store/keyring.ts';
import { TEST_KEYS, testKey } from '../store/test-keys.ts';
import { enqueueAlertDelivery } from './alerts.ts';
import {
  PUBLIC_URL,
  type Receiver,
  recordingLogger,
  recordingMailer,
  recordingSms,
  type Seeded,
  seedSessionWithReminders,
  startReceiver,
  testClock,
} from './test-support.ts';
import { createWebhookSender, type WebhookSender } from './webhooks.ts';
import { createWorker } from './worker.ts';

const SECRET = 'whsec_secret-at-rest-0123456789';
const T0 = '2026-11-25T10:00:00.000Z';

describeEachDialect('jobs: secrets at rest and public webhooks', (ctx) => {
  let hook: Receiver;
  beforeAll(async () => {
    hook = await startReceiver('/hooks/at-rest');
  });
  afterAll(async () => {
    await hook.close();
  });
  afterEach(async () => {
    hook.requests.length = 0;
    await ctx.db.deleteFrom('outbox').execute();
  });

  function worker(db: Db, webhooks: WebhookSender, mailer = recordingMailer()) {
    return createWorker({
      db,
      clock: testClock('2026-11-25T14:00:00.000Z'),
      logger: recordingLogger(),
      mailer,
      sms: recordingSms(),
      webhooks,
      workerId: 'at-rest',
      config: { publicUrl: PUBLIC_URL, maxAttempts: 8, random: () => 0.5 },
    });
  }

  async function alertFor(s: Seeded): Promise<void> {
    await withTransaction(ctx.db, async (trx) => {
      const alert = await insertAlert(trx, {
        clinicId: s.clinic.id,
        sessionId: s.session.id,
        patientId: s.patient.id,
        assessmentId: null,
        severity: 'urgent',
        createdAt: T0,
      });
      await enqueueAlertDelivery(trx, {
        clinic: s.clinic,
        alert,
        patient: s.patient,
        session: s.session,
        practitioner: s.practitioner,
        dashboardUrl: `${PUBLIC_URL}/app/#alert-${alert.id}`,
      });
    });
  }

  it('keeps no usable patient link in pending reminder rows, and still sends it', async () => {
    const s = await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    const rows = await ctx.db
      .selectFrom('outbox')
      .select(['kind', 'payload_json'])
      .where('kind', '=', 'reminder.email')
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.payload_json).not.toContain(s.token);
      expect(row.payload_json).not.toContain('/p/');
      expect(JSON.parse(row.payload_json).linkUrl).toMatch(/^nc1\./);
    }
    const mailer = recordingMailer();
    const summary = await worker(ctx.db, recordingWebhooksFail(), mailer).runOnce();
    expect(summary.sent).toBeGreaterThanOrEqual(1);
    expect(mailer.sent[0]?.text).toContain(s.linkUrl);
    expect(mailer.sent[0]?.text).toContain(`${s.linkUrl}/stop`);
  });

  it('opens links sealed under a retired key listed as old, and refuses altered ones', async () => {
    await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    const rotated: KeyRing = {
      ...TEST_KEYS,
      secret: { current: namedKey(testKey('secret-2')), previous: [TEST_KEYS.secret.current] },
    };
    const mailer = recordingMailer();
    expect(
      (await worker(withKeys(ctx.db, rotated), recordingWebhooksFail(), mailer).runOnce()).sent,
    ).toBe(1);

    // Without the old key the row cannot be opened: it is retried, never sent with garbage.
    await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    const newOnly: KeyRing = { ...rotated, secret: { ...rotated.secret, previous: [] } };
    const blind = recordingMailer();
    const summary = await worker(
      withKeys(ctx.db, newOnly),
      recordingWebhooksFail(),
      blind,
    ).runOnce();
    expect(summary).toMatchObject({ sent: 0, retried: 1 });
    expect(blind.sent).toHaveLength(0);
  });

  it('stores webhook secrets sealed; the worker signs with the opened secret', async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: null,
      clinic: { escalation: { webhooks: [{ id: 'ehr', url: hook.url, secret: SECRET }] } },
    });
    const raw = await ctx.db
      .selectFrom('clinics')
      .select('escalation_json')
      .where('id', '=', s.clinic.id)
      .executeTakeFirstOrThrow();
    expect(raw.escalation_json).not.toContain(SECRET);
    expect(raw.escalation_json).toMatch(/"secret":"nc1\./);
    expect((await findClinic(ctx.db, s.clinic.id))?.escalation).toMatchObject({
      webhooks: [{ id: 'ehr', secret: SECRET }],
    });
    await alertFor(s);
    await worker(ctx.db, createWebhookSender({ allowHosts: ['127.0.0.1'] })).runOnce();
    expect(hook.requests).toHaveLength(1);
  });

  it('refuses to call a loopback, private or metadata address, by name or number', async () => {
    const port = new URL(hook.url).port;
    for (const url of [
      hook.url,
      `http://localhost:${port}/hooks/at-rest`,
      `http://[::ffff:127.0.0.1]:${port}/hooks/at-rest`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      const s = await seedSessionWithReminders(ctx.db, {
        performedAt: T0,
        thoracic: false,
        email: null,
        clinic: { escalation: { webhooks: [{ id: 'ehr', url, secret: SECRET }] } },
      });
      await alertFor(s);
      const summary = await worker(ctx.db, createWebhookSender()).runOnce();
      expect(summary.retried, url).toBe(1);
      const row = await ctx.db
        .selectFrom('outbox')
        .select('last_error')
        .where('kind', '=', 'alert.webhook')
        .where('clinic_id', '=', s.clinic.id)
        // The alert's own delivery (an escalation webhook may be queued beside it, not yet tried).
        .where('dedupe_key', 'like', 'alert:%')
        .executeTakeFirstOrThrow();
      expect(row.last_error, url).toMatch(/not a public address/);
      await ctx.db.deleteFrom('outbox').execute();
    }
    expect(hook.requests).toHaveLength(0);
  });

  it('connects by name through the checked lookup when the operator allows the host', async () => {
    const port = new URL(hook.url).port;
    const sender = createWebhookSender({ allowHosts: ['localhost'] });
    await sender.deliver({
      url: `http://localhost:${port}/hooks/at-rest`,
      secret: SECRET,
      eventId: 'evt-1',
      body: '{"ok":true}',
      now: new Date(T0),
    });
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]?.headers['needlecare-event-id']).toBe('evt-1');
    // The same name without the allowance is refused before any byte is sent.
    await expect(
      createWebhookSender().deliver({
        url: `http://localhost:${port}/hooks/at-rest`,
        secret: SECRET,
        eventId: 'evt-2',
        body: '{}',
        now: new Date(T0),
      }),
    ).rejects.toThrow(/resolves to .* not a public address/);
    expect(hook.requests).toHaveLength(1);
  });
});

/** A webhook sender that must not be called by these tests. */
function recordingWebhooksFail(): WebhookSender {
  return {
    deliver: async () => {
      throw new Error('no webhook expected');
    },
  };
}
