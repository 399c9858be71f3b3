import Fastify from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { listAuditEvents } from '../store/audit.repository.ts';
import { remindersStopRoute } from './reminders-stop.route.ts';
import { stopReminders } from './reminders.ts';
import {
  PUBLIC_URL,
  recordingLogger,
  recordingMailer,
  recordingSms,
  recordingWebhooks,
  seedSessionWithReminders,
  testClock,
} from './test-support.ts';
import { createWorker } from './worker.ts';

const T0 = '2026-11-25T10:00:00.000Z';

describeEachDialect('jobs: the stop link', (ctx) => {
  afterEach(async () => {
    await ctx.db.deleteFrom('outbox').execute();
  });

  async function statuses(sessionId: string) {
    const rows = await ctx.db
      .selectFrom('outbox')
      .select(['kind', 'status', 'sent_at', 'last_error', 'payload_json'])
      .where('dedupe_key', 'like', `%:${sessionId}:%`)
      .execute();
    return rows;
  }

  it('GET asks, POST stops the session reminders (not the thoracic follow-up), idempotently', async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: true,
      language: 'es',
      phone: '+34 600 000 002',
    });
    const clock = testClock('2026-11-25T13:00:00.000Z');
    const app = Fastify();
    await app.register(remindersStopRoute, { db: ctx.db, clock });

    const get = await app.inject({ method: 'GET', url: `/p/${s.token}/stop` });
    expect(get.statusCode).toBe(200);
    expect(get.headers['cache-control']).toBe('no-store');
    expect(get.headers['referrer-policy']).toBe('no-referrer');
    expect(get.headers['content-security-policy']).toContain("default-src 'none'");
    expect(get.body).not.toContain('<script');
    expect(get.body).toContain('<form method="post">');
    expect(get.body).toContain('lang="es"');
    // Looking is not stopping.
    expect((await statuses(s.session.id)).every((r) => r.status === 'pending')).toBe(true);

    const post = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/stop`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(post.statusCode).toBe(200);
    expect(post.body).toContain('no le enviaremos más recordatorios');

    const rows = await statuses(s.session.id);
    const reminders = rows.filter((r) => r.kind.startsWith('reminder.'));
    expect(reminders).toHaveLength(12); // 6 planned × e-mail and SMS
    for (const r of reminders) {
      expect(r).toMatchObject({ status: 'sent', sent_at: null });
      expect(r.last_error).toMatch(/^cancelled:/);
      expect(r.payload_json).not.toContain('/p/');
    }
    const followUps = rows.filter((r) => r.kind === 'missed-checkin.check');
    expect(followUps).toHaveLength(4);
    expect(followUps.every((r) => r.status === 'pending')).toBe(true);

    const audit = await listAuditEvents(ctx.db, { clinicId: s.clinic.id, subjectId: s.session.id });
    expect(audit.map((e) => e.action)).toContain('reminders.stop');
    expect(audit.find((e) => e.action === 'reminders.stop')?.details).toEqual({ cancelled: 12 });

    const again = await app.inject({ method: 'POST', url: `/p/${s.token}/stop` });
    expect(again.statusCode).toBe(200);
    expect(await stopReminders(ctx.db, s.token, clock.now())).toMatchObject({
      found: true,
      cancelled: 0,
    });

    // Nothing is sent for the session afterwards but the follow-up check.
    const mailer = recordingMailer();
    const sms = recordingSms();
    const worker = createWorker({
      db: ctx.db,
      clock: testClock('2026-12-10T00:00:00.000Z'),
      logger: recordingLogger(),
      mailer,
      sms,
      webhooks: recordingWebhooks(),
      workerId: 'stop-test',
      config: { publicUrl: PUBLIC_URL },
    });
    while ((await worker.runOnce()).claimed > 0) {}
    expect(mailer.sent.filter((m) => m.to === 'rosa@example.test')).toEqual([]);
    expect(sms.sent).toEqual([]);
    await app.close();
  });

  it('an unknown token is a 404 and changes nothing', async () => {
    const app = Fastify();
    await app.register(remindersStopRoute, { db: ctx.db, clock: testClock(T0) });
    const res = await app.inject({ method: 'POST', url: '/p/not-a-token/stop' });
    expect(res.statusCode).toBe(404);
    expect(await stopReminders(ctx.db, 'not-a-token', new Date(T0))).toEqual({
      found: false,
      cancelled: 0,
    });
    await app.close();
  });
});
