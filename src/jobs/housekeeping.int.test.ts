import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { saveIdempotentResponse } from '../store/idempotency.repository.ts';
import {
  claimDueOutbox,
  enqueueOutbox,
  markOutboxFailed,
  markOutboxSent,
} from '../store/outbox.repository.ts';
import { insertStaffSession } from '../store/staff.repository.ts';
import { seedClinic, seedStaff } from '../store/test-fixtures.ts';
import {
  PUBLIC_URL,
  recordingLogger,
  recordingMailer,
  recordingSms,
  recordingWebhooks,
  testClock,
} from './test-support.ts';
import { createWorker } from './worker.ts';

const NOW = '2026-11-25T14:00:00.000Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describeEachDialect('jobs: housekeeping', (ctx) => {
  it('the worker prunes expired staff sessions, old idempotency keys and old delivered messages, hourly', async () => {
    const clinic = await seedClinic(ctx.db);
    const staff = await seedStaff(ctx.db, clinic.id);
    const session = (idHash: string, expiresAt: string) =>
      insertStaffSession(ctx.db, {
        idHash,
        userId: staff.id,
        clinicId: clinic.id,
        csrfToken: `csrf-${idHash}`,
        createdAt: '2026-11-25T01:00:00.000Z',
        expiresAt,
      });
    await session('expired', '2026-11-25T13:00:00.000Z');
    await session('live', '2026-11-25T20:00:00.000Z');
    const key = (k: string, createdAt: Date) =>
      saveIdempotentResponse(ctx.db, {
        scope: 'checkin',
        key: k,
        requestHash: 'h',
        statusCode: 201,
        response: {},
        createdAt,
      });
    await key('old', new Date(Date.parse(NOW) - 8 * DAY));
    await key('fresh', new Date(Date.parse(NOW) - 6 * DAY));
    const message = (id: string, createdAt: Date) =>
      enqueueOutbox(ctx.db, {
        id,
        clinicId: clinic.id,
        kind: 'test.kind',
        dedupeKey: `hk:${id}`,
        payload: {},
        dueAt: createdAt,
        createdAt,
      });
    const longAgo = new Date(Date.parse(NOW) - 40 * DAY);
    const sentOld = '00000000-0000-4000-8000-000000000001';
    const deadOld = '00000000-0000-4000-8000-000000000002';
    const pendingOld = '00000000-0000-4000-8000-000000000003';
    for (const id of [sentOld, deadOld, pendingOld]) await message(id, longAgo);
    await claimDueOutbox(ctx.db, { now: longAgo, workerId: 'old', limit: 2, leaseMs: 1000 });
    await markOutboxSent(ctx.db, { id: sentOld, workerId: 'old' }, longAgo);
    await markOutboxFailed(ctx.db, { id: deadOld, workerId: 'old' }, 'gave up', longAgo, true);
    // The pending one stays due in the future so the worker does not pick it up here.
    await ctx.db
      .updateTable('outbox')
      .set({ due_at: '2026-12-31T00:00:00.000Z' })
      .where('status', '=', 'pending')
      .execute();

    const clock = testClock(NOW);
    const logger = recordingLogger();
    const worker = createWorker({
      db: ctx.db,
      clock,
      logger,
      mailer: recordingMailer(),
      sms: recordingSms(),
      webhooks: recordingWebhooks(),
      workerId: 'hk',
      config: { publicUrl: PUBLIC_URL },
    });
    await worker.runOnce();
    const pruned = logger.records.find((r) => r.msg === 'housekeeping: pruned');
    expect(pruned?.obj).toMatchObject({ staffSessions: 1, idempotencyKeys: 1, outboxMessages: 1 });
    const sessions = await ctx.db.selectFrom('staff_sessions').select('id_hash').execute();
    expect(sessions.map((r) => r.id_hash)).toEqual(['live']);
    const keys = await ctx.db.selectFrom('idempotency_keys').select('key').execute();
    expect(keys.map((r) => r.key)).toEqual(['fresh']);
    const left = await ctx.db.selectFrom('outbox').select(['id', 'status']).orderBy('id').execute();
    expect(left.map((r) => r.status)).toEqual(['dead', 'pending']);

    // Within the hour nothing runs again; after it, the newly expired session goes.
    await session('later', '2026-11-25T14:30:00.000Z');
    clock.advance(45 * 60_000);
    await worker.runOnce();
    expect(await ctx.db.selectFrom('staff_sessions').select('id_hash').execute()).toHaveLength(2);
    clock.advance(20 * 60_000);
    await worker.runOnce();
    const after = await ctx.db.selectFrom('staff_sessions').select('id_hash').execute();
    expect(after.map((r) => r.id_hash)).toEqual(['live']);
  });
});
