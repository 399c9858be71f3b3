import { afterEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { withTransaction } from '../store/db.ts';
import { listLinksForSession, revokeLink } from '../store/links.repository.ts';
import { listPatientMessages } from '../store/patient-data.repository.ts';
import { cancelPendingReminders } from './outbox-queries.ts';
import { cancelRemindersStoppedByPatient, enqueueSessionReminders } from './reminders.ts';
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

describeEachDialect('jobs: reminders', (ctx) => {
  afterEach(async () => {
    await ctx.db.deleteFrom('outbox').execute();
  });

  async function keys(sessionId: string): Promise<string[]> {
    const rows = await ctx.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'due_at'])
      .where('dedupe_key', 'like', `%:${sessionId}:%`)
      .orderBy('due_at')
      .orderBy('dedupe_key')
      .execute();
    return rows.map((r) => `${r.due_at} ${r.dedupe_key.replace(sessionId, 'S')}`);
  }

  it('queues e-mail and SMS per planned check-in, quiet hours moving all but the early thoracic ones', async () => {
    // Wednesday 20:00 in Madrid; quiet 21:00–08:00.
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: '2026-11-25T19:00:00.000Z',
      thoracic: true,
      phone: '+34 600 000 003',
      clinic: { quietHours: { start: '21:00', end: '08:00' } },
    });
    expect(await keys(s.session.id)).toEqual([
      '2026-11-25T21:00:00.000Z reminder:S:2:email', // 22:00 local: early, not moved
      '2026-11-25T21:00:00.000Z reminder:S:2:sms',
      '2026-11-25T22:30:00.000Z missed-checkin:S:2',
      '2026-11-26T01:00:00.000Z reminder:S:6:email', // 02:00 local: early, not moved
      '2026-11-26T01:00:00.000Z reminder:S:6:sms',
      '2026-11-26T02:30:00.000Z missed-checkin:S:6',
      '2026-11-26T19:00:00.000Z reminder:S:24:email',
      '2026-11-26T19:00:00.000Z reminder:S:24:sms',
      '2026-11-26T20:30:00.000Z missed-checkin:S:24',
      '2026-11-27T19:00:00.000Z reminder:S:48:email',
      '2026-11-27T19:00:00.000Z reminder:S:48:sms',
      '2026-11-27T20:30:00.000Z missed-checkin:S:48',
      // 72 h and 168 h are not early: 20:00 local is before quiet hours, so unchanged.
      '2026-11-28T19:00:00.000Z reminder:S:72:email',
      '2026-11-28T19:00:00.000Z reminder:S:72:sms',
      '2026-12-02T19:00:00.000Z reminder:S:168:email',
      '2026-12-02T19:00:00.000Z reminder:S:168:sms',
    ]);
  });

  it('a session recorded late skips check-ins whose window has passed (no false missed alarms)', async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      recordedAt: '2026-11-25T15:00:00.000Z', // 5 h later: the 2 h window (to 3.5 h) is over
      thoracic: true,
    });
    const k = await keys(s.session.id);
    expect(k.some((x) => x.includes(':2:') || x.endsWith(':2'))).toBe(false);
    expect(k[0]).toBe('2026-11-25T16:00:00.000Z reminder:S:6:email');
  });

  it('no reminder goes out on a revoked link', async () => {
    const s = await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    const [link] = await listLinksForSession(ctx.db, s.clinic.id, s.session.id);
    await revokeLink(ctx.db, s.clinic.id, link?.id ?? '', '2026-11-25T11:00:00.000Z');
    const mailer = recordingMailer();
    const worker = createWorker({
      db: ctx.db,
      clock: testClock('2026-11-25T14:00:00.000Z'),
      logger: recordingLogger(),
      mailer,
      sms: recordingSms(),
      webhooks: recordingWebhooks(),
      workerId: 'revoked',
      config: { publicUrl: PUBLIC_URL },
    });
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, sent: 0, skipped: 1 });
    expect(mailer.sent).toEqual([]);
    // The pages say it did not go: finished, not needed, and not a failure (decision 0503).
    const finished = (await listPatientMessages(ctx.db, s.clinic.id, [s.session.id])).filter(
      (m) => m.status === 'sent',
    );
    expect(finished).toEqual([
      expect.objectContaining({ skipped: true, cancelled: false, failed: false }),
    ]);
  });

  function reissue(
    s: Awaited<ReturnType<typeof seedSessionWithReminders>>,
    url: string,
    now: string,
  ) {
    return withTransaction(ctx.db, async (trx) => {
      await cancelPendingReminders(trx, s.session.id, 'patient link re-issued');
      return enqueueSessionReminders(trx, {
        clinic: s.clinic,
        session: s.session,
        patient: s.patient,
        link: { url },
        plan: s.plan,
        now,
      });
    });
  }

  it('a re-issued link gets the remaining reminders with the new link, never a delivered one again', async () => {
    const s = await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    const mailer = recordingMailer();
    const clock = testClock('2026-11-25T15:00:00.000Z');
    const worker = createWorker({
      db: ctx.db,
      clock,
      logger: recordingLogger(),
      mailer,
      sms: recordingSms(),
      webhooks: recordingWebhooks(),
      workerId: 'reissue',
      config: { publicUrl: PUBLIC_URL },
    });
    await worker.runOnce(); // the 4 h reminder, with the first link
    expect(mailer.sent.map((m) => m.text.includes(s.linkUrl))).toEqual([true]);

    const newUrl = `${PUBLIC_URL}/p/second-token`;
    const queued = await reissue(s, newUrl, '2026-11-26T16:00:00.000Z'); // +30 h
    // 4 h delivered, 24 h's window is over: 48, 72 and 168 h, with the new link's tag.
    expect(queued.map((q) => q.dedupeKey.replace(s.session.id, 'S'))).toEqual([
      expect.stringMatching(/^reminder:S:48:email:[0-9a-f]{12}$/),
      expect.stringMatching(/^reminder:S:72:email:[0-9a-f]{12}$/),
      expect.stringMatching(/^reminder:S:168:email:[0-9a-f]{12}$/),
    ]);
    // The same call again (a retried transaction) adds nothing.
    const again = await withTransaction(ctx.db, (trx) =>
      enqueueSessionReminders(trx, {
        clinic: s.clinic,
        session: s.session,
        patient: s.patient,
        link: { url: newUrl },
        plan: s.plan,
        now: '2026-11-26T16:00:00.000Z',
      }),
    );
    expect(again).toEqual([]);

    clock.set('2026-12-03T12:00:00.000Z');
    while ((await worker.runOnce()).claimed > 0) {}
    expect(mailer.sent).toHaveLength(4);
    // The first link's 24, 48, 72 and 168 h reminders were cancelled, never sent: the pages
    // say so instead of "Sent" (decision 0503).
    const shown = await listPatientMessages(ctx.db, s.clinic.id, [s.session.id]);
    const state = (m: (typeof shown)[number]) =>
      m.cancelled ? 'cancelled' : m.skipped ? 'skipped' : m.status;
    expect(shown.map(state).sort()).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
      'sent',
      'sent',
      'sent',
      'sent',
    ]);
    for (const m of mailer.sent.slice(1)) {
      expect(m.text).toContain(newUrl);
      expect(m.text).not.toContain(s.linkUrl);
    }
  });

  it('after the patient stopped reminders, a re-issued link queues none', async () => {
    const s = await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: true });
    await cancelRemindersStoppedByPatient(ctx.db, {
      sessionId: s.session.id,
      linkId: 'current',
      scope: 'session',
    });
    const queued = await reissue(s, `${PUBLIC_URL}/p/other`, '2026-11-25T12:00:00.000Z');
    expect(queued).toEqual([]);
  });
});
