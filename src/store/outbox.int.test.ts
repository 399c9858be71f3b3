import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  claimDueOutbox,
  deleteFinishedOutboxBefore,
  enqueueOutbox,
  findOutboxMessage,
  markOutboxFailed,
  markOutboxSent,
  renewOutboxClaims,
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

    // w1's lease on `earlier` ran out and w2 took it: w1 can no longer finish it.
    expect(await markOutboxSent(ctx.db, { id: earlier, workerId: 'w1' }, NOW)).toBe(false);
    expect(
      await markOutboxSent(ctx.db, { id: earlier, workerId: 'w2' }, '2026-11-25T14:01:05Z'),
    ).toBe(true);
    expect(
      await markOutboxSent(ctx.db, { id: earlier, workerId: 'w2' }, '2026-11-25T14:01:06Z'),
    ).toBe(false);
    expect(await findOutboxMessage(ctx.db, earlier)).toMatchObject({
      status: 'sent',
      sentAt: '2026-11-25T14:01:05.000Z',
    });

    expect(
      await markOutboxFailed(
        ctx.db,
        { id: later, workerId: 'w1' },
        'SMTP 451',
        '2026-11-25T14:10:00Z',
        false,
      ),
    ).toBe(true);
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
    // Released: nobody holds it, so nobody may finish it until it is claimed again.
    expect(
      await markOutboxFailed(
        ctx.db,
        { id: later, workerId: 'w1' },
        'x',
        '2026-11-25T14:10:00Z',
        true,
      ),
    ).toBe(false);
    const again = await claimDueOutbox(ctx.db, {
      now: '2026-11-25T14:10:00Z',
      workerId: 'w1',
      limit: 10,
      leaseMs: 60_000,
    });
    expect(again.map((m) => m.id)).toEqual([later]);
    expect(
      await markOutboxFailed(
        ctx.db,
        { id: later, workerId: 'w1' },
        'SMTP 550',
        '2026-11-25T14:10:00Z',
        true,
      ),
    ).toBe(true);
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

  it('renews only the claims the worker still holds', async () => {
    const a = await enqueue('2026-11-25T13:00:00Z');
    const b = await enqueue('2026-11-25T13:01:00Z');
    await claimDueOutbox(ctx.db, { now: NOW, workerId: 'w1', limit: 2, leaseMs: 30_000 });
    // Both leases lapse and w2 takes a; w1's renewal then extends b only (the one it holds).
    const taken = await claimDueOutbox(ctx.db, {
      now: '2026-11-25T14:00:30Z',
      workerId: 'w2',
      limit: 1,
      leaseMs: 30_000,
    });
    expect(taken.map((m) => m.id)).toEqual([a]);
    expect(await renewOutboxClaims(ctx.db, 'w1', [a, b], '2026-11-25T14:01:00Z')).toBe(1);
    expect(await findOutboxMessage(ctx.db, a)).toMatchObject({
      claimedBy: 'w2',
      claimedUntil: '2026-11-25T14:01:00.000Z',
    });
    expect(await findOutboxMessage(ctx.db, b)).toMatchObject({
      claimedBy: 'w1',
      claimedUntil: '2026-11-25T14:01:00.000Z',
    });
    expect(await renewOutboxClaims(ctx.db, 'w1', [], NOW)).toBe(0);
    await drain();
  });

  it('prunes finished messages older than the cut-off, never pending or dead ones', async () => {
    const old = await enqueue('2026-10-01T00:00:00Z');
    const recent = await enqueue('2026-11-20T00:00:00Z');
    const pending = await enqueue('2026-10-01T00:00:00Z');
    const dead = await enqueue('2026-10-01T00:00:00Z');
    await ctx.db.updateTable('outbox').set({ created_at: '2026-10-01T00:00:00.000Z' }).execute();
    const claimed = await claimDueOutbox(ctx.db, {
      now: NOW,
      workerId: 'w1',
      limit: 10,
      leaseMs: 60_000,
    });
    expect(claimed).toHaveLength(4);
    await markOutboxSent(ctx.db, { id: old, workerId: 'w1' }, '2026-10-01T00:05:00Z');
    await markOutboxSent(ctx.db, { id: recent, workerId: 'w1' }, '2026-11-20T00:05:00Z');
    await markOutboxFailed(ctx.db, { id: dead, workerId: 'w1' }, 'SMTP 550', NOW, true);
    // A cancelled reminder: finished, never sent (`sent_at` null), judged by its creation time.
    const cancelled = await enqueue('2026-10-02T00:00:00Z');
    await ctx.db
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: null, created_at: '2026-10-02T00:00:00.000Z' })
      .where('id', '=', cancelled)
      .execute();
    expect(await deleteFinishedOutboxBefore(ctx.db, '2026-10-26T00:00:00Z')).toBe(2);
    const left = await ctx.db.selectFrom('outbox').select('id').execute();
    expect(left.map((r) => r.id).sort()).toEqual([recent, pending, dead].sort());
    await drain();
  });
});
