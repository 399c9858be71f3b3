import { afterEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { revokeLink, listLinksForSession } from '../store/links.repository.ts';
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
  });
});
