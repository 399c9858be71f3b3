import type { FastifyInstance } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/api/logger.ts';
import { testConfig } from '../../src/api/test-support.ts';
import { outboxEvents } from '../../src/cli/commands/serve.ts';
import { cancelRemindersStoppedByPatient } from '../../src/jobs/reminders.ts';
import {
  PUBLIC_URL,
  recordingLogger,
  recordingMailer,
  recordingSms,
  recordingWebhooks,
  seedSessionWithReminders,
  testClock,
} from '../../src/jobs/test-support.ts';
import { createWorker } from '../../src/jobs/worker.ts';
import type { Clock } from '../../src/services/clock.ts';
import { reissuePatientLink } from '../../src/services/sessions.ts';
import { stopReminders } from '../../src/services/stop-reminders.ts';
import { listAuditEvents } from '../../src/store/audit.repository.ts';
import type { Db } from '../../src/store/db.ts';
import { patientPagesPlugin } from '../../src/web/patient/patient-pages.plugin.ts';
import { describeEachDialect } from '../dialects.ts';

const T0 = '2026-11-25T10:00:00.000Z';

/** The app as `serve` mounts it: the stop page among the patient pages, the outbox wired. */
async function appWith(db: Db, clock: Clock): Promise<FastifyInstance> {
  return buildApp({
    config: testConfig(),
    db,
    clock,
    logger: createLogger('silent'),
    events: {
      remindersStopped: (trx, e) => cancelRemindersStoppedByPatient(trx, e),
    },
    plugins: [patientPagesPlugin],
  });
}

const actor = {
  kind: 'anonymous',
  clinicId: null,
  actorId: null,
  ip: '127.0.0.1',
  requestId: 't',
} as const;

describeEachDialect('patient pages: the reminders stop link', (ctx) => {
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
      clinic: { languages: ['en', 'es'] },
    });
    const clock = testClock('2026-11-25T13:00:00.000Z');
    const app = await appWith(ctx.db, clock);

    const get = await app.inject({ method: 'GET', url: `/p/${s.token}/stop` });
    expect(get.statusCode).toBe(200);
    expect(get.headers['cache-control']).toBe('no-store');
    expect(get.headers['referrer-policy']).toBe('no-referrer');
    expect(get.headers['content-security-policy']).toContain("default-src 'none'");
    expect(get.body).not.toContain('<script');
    expect(get.body).toContain('<form method="post">');
    expect(get.body).toContain('lang="es"');
    expect(get.body).toContain('href="tel:112"');
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
    expect(audit.find((e) => e.action === 'reminders.stop')?.details).toMatchObject({
      cancelled: 12,
      patientId: s.patient.id,
    });

    const again = await app.inject({ method: 'POST', url: `/p/${s.token}/stop` });
    expect(again.statusCode).toBe(200);
    expect(
      await stopReminders({ ...app.deps, db: ctx.db }, actor, { token: s.token }),
    ).toMatchObject({ cancelled: 0, sessionId: s.session.id });

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
    const app = await appWith(ctx.db, testClock(T0));
    const res = await app.inject({ method: 'POST', url: '/p/not-a-token/stop' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    await expect(stopReminders(app.deps, actor, { token: 'not-a-token' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await app.close();
  });

  it('works on a revoked link too (stopping can only reduce what is sent)', async () => {
    const s = await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    await ctx.db
      .updateTable('patient_links')
      .set({ revoked_at: '2026-11-25T11:00:00.000Z' })
      .where('session_id', '=', s.session.id)
      .execute();
    const app = await appWith(ctx.db, testClock('2026-11-25T12:00:00.000Z'));
    const post = await app.inject({ method: 'POST', url: `/p/${s.token}/stop` });
    expect(post.statusCode).toBe(200);
    expect(post.body).toContain('we will not send you more reminders');
    const pending = await ctx.db
      .selectFrom('outbox')
      .select('status')
      .where('kind', 'like', 'reminder.%')
      .where('dedupe_key', 'like', `%:${s.session.id}:%`)
      .where('status', '=', 'pending')
      .execute();
    expect(pending).toEqual([]);
    await app.close();
  });

  it('a withdrawn link cannot stop the reminders of the link that replaced it (issue 12, finding 3)', async () => {
    const s = await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    const clock = testClock('2026-11-25T12:00:00.000Z');
    const app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock,
      logger: createLogger('silent'),
      events: outboxEvents(testConfig()),
      plugins: [patientPagesPlugin],
    });
    const staff = {
      kind: 'staff',
      userId: s.practitioner.id,
      clinicId: s.clinic.id,
      role: 'practitioner',
      ip: '127.0.0.1',
      requestId: 'reissue',
    } as const;
    const reissued = await reissuePatientLink(app.deps, staff, { sessionId: s.session.id });
    const tokenB = new URL(reissued.link.url).pathname.split('/')[2] ?? '';
    const pending = async () =>
      (await statuses(s.session.id)).filter(
        (r) => r.kind.startsWith('reminder.') && r.status === 'pending',
      );
    const before = (await pending()).length;
    expect(before).toBeGreaterThan(0);

    // The old link's stop page answers, but the new link's reminders stay pending.
    const old = await app.inject({ method: 'POST', url: `/p/${s.token}/stop` });
    expect(old.statusCode).toBe(200);
    expect(await pending()).toHaveLength(before);

    // The new link's stop page stops them, and says so in the audit log.
    const current = await app.inject({ method: 'POST', url: `/p/${tokenB}/stop` });
    expect(current.statusCode).toBe(200);
    expect(await pending()).toEqual([]);
    const audit = await listAuditEvents(ctx.db, { clinicId: s.clinic.id, subjectId: s.session.id });
    const stops = audit.filter((e) => e.action === 'reminders.stop');
    expect(stops.map((e) => e.details)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cancelled: 0, scope: 'link' }),
        expect.objectContaining({ cancelled: before, scope: 'session' }),
      ]),
    );
    expect(stops.find((e) => e.details.scope === 'session')?.actorId).toBe(reissued.link.id);
    await app.close();
  });
});
