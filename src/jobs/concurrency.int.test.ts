import { afterEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { claimDueOutbox } from '../store/outbox.repository.ts';
import type { Mailer, MailMessage } from './mailer.ts';
import {
  PUBLIC_URL,
  recordingLogger,
  recordingSms,
  recordingWebhooks,
  seedSessionWithReminders,
  type TestClock,
  testClock,
} from './test-support.ts';
import { createWorker, type Worker } from './worker.ts';

const T0 = '2026-11-25T10:00:00.000Z';
const WEEK_LATER = '2026-12-03T12:00:00.000Z';

/** A mailer that yields between messages so two workers interleave. */
function slowMailer(sent: MailMessage[]): Mailer {
  return {
    async send(message) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      sent.push(message);
    },
  };
}

describeEachDialect('jobs: several workers, one delivery each', (ctx) => {
  afterEach(async () => {
    await ctx.db.deleteFrom('outbox').execute();
  });

  function worker(db: typeof ctx.db, clock: TestClock, id: string, mailer: Mailer): Worker {
    return createWorker({
      db,
      clock,
      logger: recordingLogger(),
      mailer,
      sms: recordingSms(),
      webhooks: recordingWebhooks(),
      workerId: id,
      config: { publicUrl: PUBLIC_URL, batchSize: 3, leaseMs: 30_000 },
    });
  }

  it('two workers over the same due messages send each exactly once', async () => {
    for (let i = 0; i < 6; i += 1) {
      await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    }
    const sent: MailMessage[] = [];
    const clock = testClock(WEEK_LATER);
    // Both workers must be in the race: A's first send waits until B has sent one (or 5 s), so
    // a slow first connection for B (a loaded CI machine) cannot let A take every message.
    let bSent = () => {};
    const bHasSent = new Promise<void>((resolve) => {
      bSent = resolve;
      setTimeout(resolve, 5_000).unref();
    });
    const mailerA = slowMailer(sent);
    const mailerB = slowMailer(sent);
    const a = worker(ctx.openAnother(), clock, 'worker-a', {
      async send(message) {
        await bHasSent;
        await mailerA.send(message);
      },
    });
    const b = worker(ctx.openAnother(), clock, 'worker-b', {
      async send(message) {
        await mailerB.send(message);
        bSent();
      },
    });
    const loop = async (w: Worker) => {
      let total = 0;
      for (;;) {
        const s = await w.runOnce();
        if (s.claimed === 0) return total;
        total += s.sent;
      }
    };
    const [byA, byB] = await Promise.all([loop(a), loop(b)]);
    expect(byA + byB).toBe(30); // 6 sessions × 5 planned check-ins × e-mail
    expect(sent).toHaveLength(30);
    expect(new Set(sent.map((m) => m.messageId)).size).toBe(30);
    expect(Math.min(byA, byB)).toBeGreaterThan(0);
    const pending = await ctx.db
      .selectFrom('outbox')
      .select('id')
      .where('status', '!=', 'sent')
      .execute();
    expect(pending).toEqual([]);
  });

  it('a worker killed between claim and send: the other delivers after the lease, once', async () => {
    const s = await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    const clock = testClock('2026-11-25T14:00:00.000Z'); // the +4 h reminder is due
    // The "killed" worker claims with a short lease and never marks anything.
    const claimed = await claimDueOutbox(ctx.openAnother(), {
      now: clock.now(),
      workerId: 'killed',
      limit: 10,
      leaseMs: 30_000,
    });
    expect(claimed.map((m) => m.dedupeKey)).toEqual([`reminder:${s.session.id}:4:email`]);

    const sent: MailMessage[] = [];
    const survivor = worker(ctx.db, clock, 'survivor', slowMailer(sent));
    expect((await survivor.runOnce()).claimed).toBe(0); // still leased
    clock.advance(29_999);
    expect((await survivor.runOnce()).claimed).toBe(0);
    clock.advance(1);
    expect(await survivor.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers['X-Needlecare-Dedupe-Key']).toBe(`reminder:${s.session.id}:4:email`);
    const row = await ctx.db
      .selectFrom('outbox')
      .select(['status', 'attempts', 'claimed_by'])
      .where('id', '=', claimed[0]?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 2, claimed_by: 'survivor' });
    expect((await survivor.runOnce()).claimed).toBe(0);
  });
});
