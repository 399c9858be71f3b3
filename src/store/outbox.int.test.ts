import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  claimDueOutbox,
  enqueueOutbox,
  findOutboxMessage,
  markOutboxFailed,
  markOutboxSent,
} from './outbox.repository.ts';

describeEachDialect('outbox', (ctx) => {
  const NOW = '2026-11-25T14:00:00.000Z';

  async function enqueue(dueAt: string, kind = 'reminder') {
    const id = randomUUID();
    const inserted = await enqueueOutbox(ctx.db, {
      id,
      clinicId: null,
      kind,
      dedupeKey: `${kind}:${id}`,
      payload: { sessionId: 's1', hours: 24 },
      dueAt,
      createdAt: NOW,
    });
    expect(inserted).toBe(true);
    return id;
  }

  async function drain() {
    await ctx.db.deleteFrom('outbox').execute();
  }

  it('dedupes on dedupeKey', async () => {
    const msg = {
      clinicId: null,
      kind: 'alert.email',
      dedupeKey: 'alert:a1:email',
      payload: { alertId: 'a1' },
      dueAt: NOW,
      createdAt: NOW,
    };
    expect(await enqueueOutbox(ctx.db, msg)).toBe(true);
    expect(await enqueueOutbox(ctx.db, { ...msg, payload: { alertId: 'other' } })).toBe(false);
    const rows = await ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('dedupe_key', '=', 'alert:a1:email')
      .execute();
    expect(rows).toHaveLength(1);
    await drain();
  });

  it('claims due messages in due order, honours the lease, then marks them', async () => {
    const later = await enqueue('2026-11-25T13:30:00Z');
    const earlier = await enqueue('2026-11-25T13:00:00Z');
    const future = await enqueue('2026-11-25T15:00:00Z');
    const claimed = await claimDueOutbox(ctx.db, {
      now: NOW,
      workerId: 'w1',
      limit: 10,
      leaseMs: 60_000,
    });
    expect(claimed.map((m) => m.id)).toEqual([earlier, later]);
    expect(claimed[0]).toMatchObject({
      attempts: 1,
      claimedBy: 'w1',
      claimedUntil: '2026-11-25T14:01:00.000Z',
      payload: { sessionId: 's1', hours: 24 },
    });
    // Leased: nobody else gets them until the lease ends.
    expect(
      await claimDueOutbox(ctx.db, { now: NOW, workerId: 'w2', limit: 10, leaseMs: 60_000 }),
    ).toEqual([]);
    const retaken = await claimDueOutbox(ctx.db, {
      now: '2026-11-25T14:01:00Z',
      workerId: 'w2',
      limit: 1,
      leaseMs: 60_000,
    });
    expect(retaken.map((m) => [m.id, m.attempts, m.claimedBy])).toEqual([[earlier, 2, 'w2']]);

    expect(await markOutboxSent(ctx.db, earlier, '2026-11-25T14:01:05Z')).toBe(true);
    expect(await markOutboxSent(ctx.db, earlier, '2026-11-25T14:01:06Z')).toBe(false);
    expect(await findOutboxMessage(ctx.db, earlier)).toMatchObject({
      status: 'sent',
      sentAt: '2026-11-25T14:01:05.000Z',
    });

    expect(await markOutboxFailed(ctx.db, later, 'SMTP 451', '2026-11-25T14:10:00Z', false)).toBe(
      true,
    );
    expect(await findOutboxMessage(ctx.db, later)).toMatchObject({
      status: 'pending',
      lastError: 'SMTP 451',
      dueAt: '2026-11-25T14:10:00.000Z',
      claimedBy: null,
      claimedUntil: null,
    });
    expect(
      await claimDueOutbox(ctx.db, {
        now: '2026-11-25T14:05:00Z',
        workerId: 'w1',
        limit: 10,
        leaseMs: 1,
      }),
    ).toEqual([]);
    expect(await markOutboxFailed(ctx.db, later, 'SMTP 550', '2026-11-25T14:10:00Z', true)).toBe(
      true,
    );
    expect((await findOutboxMessage(ctx.db, later))?.status).toBe('dead');
    expect(
      (
        await claimDueOutbox(ctx.db, {
          now: '2026-11-25T16:00:00Z',
          workerId: 'w1',
          limit: 10,
          leaseMs: 1,
        })
      ).map((m) => m.id),
    ).toEqual([future]);
    await drain();
  });

  it('never hands one message to two concurrent claimers', async () => {
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        enqueue(`2026-11-25T13:${String(i).padStart(2, '0')}:00Z`),
      ),
    );
    const workers = Array.from({ length: 6 }, (_, i) => `w${i}`);
    const claims = await Promise.all(
      workers.flatMap((workerId) =>
        [1, 2, 3].map(() =>
          claimDueOutbox(ctx.db, { now: NOW, workerId, limit: 5, leaseMs: 60_000 }),
        ),
      ),
    );
    const claimedIds = claims.flat().map((m) => m.id);
    expect(new Set(claimedIds).size).toBe(claimedIds.length);
    expect(claimedIds.sort()).toEqual([...ids].sort());
    const attempts = await ctx.db.selectFrom('outbox').select('attempts').execute();
    expect(attempts.every((r) => r.attempts === 1)).toBe(true);
    await drain();
  });
});
