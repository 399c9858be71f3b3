import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/dialects.ts';
import type { Db } from '../../../store/db.ts';
import { auditActions, json, makeWorld, type World } from '../../test-support.ts';

async function deadLetter(db: Db, clinicId: string, dueAt: string, lastError: string) {
  const id = randomUUID();
  await db
    .insertInto('outbox')
    .values({
      id,
      clinic_id: clinicId,
      kind: 'alert.email',
      dedupe_key: `dl:${id}`,
      payload_json: '{}',
      due_at: dueAt,
      status: 'dead',
      attempts: 10,
      claimed_by: null,
      claimed_until: null,
      last_error: lastError,
      created_at: '2026-11-25T07:00:00.000Z',
      sent_at: null,
    })
    .execute();
  return id;
}

describeEachDialect('api: dead letters', (ctx) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(ctx.db);
  });

  it('admins see what, why, attempts and when; requeue one, then all; each audited', async () => {
    const older = await deadLetter(
      ctx.db,
      w.a.clinicId,
      '2026-11-25T08:00:00.000Z',
      'connect ECONNREFUSED 127.0.0.1:2525 (ESOCKET)',
    );
    const newer = await deadLetter(ctx.db, w.a.clinicId, '2026-11-25T08:30:00.000Z', 'SMTP 550');
    await deadLetter(ctx.db, w.b.clinicId, '2026-11-25T08:30:00.000Z', 'B only');

    const list = await w.app.inject({
      method: 'GET',
      url: '/api/v1/admin/dead-letters',
      headers: w.adminA.headers(false),
    });
    expect(list.statusCode).toBe(200);
    const body = json<{ total: number; items: Array<Record<string, unknown>> }>(list);
    expect(body.total).toBe(2);
    expect(body.items.map((i) => i.id)).toEqual([newer, older]);
    expect(body.items[1]).toEqual({
      id: older,
      kind: 'alert.email',
      dedupeKey: `dl:${older}`,
      attempts: 10,
      lastError: 'connect ECONNREFUSED 127.0.0.1:2525 (ESOCKET)',
      lastAttemptAt: '2026-11-25T08:00:00.000Z',
      createdAt: '2026-11-25T07:00:00.000Z',
    });

    const one = await w.app.inject({
      method: 'POST',
      url: `/api/v1/admin/dead-letters/${older}/requeue`,
      headers: w.adminA.headers(),
    });
    expect(one.statusCode).toBe(200);
    expect(json(one)).toEqual({ requeued: [older] });
    const row = await ctx.db
      .selectFrom('outbox')
      .select(['status', 'attempts', 'due_at'])
      .where('id', '=', older)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 0,
      due_at: w.clock.now().toISOString(),
    });

    // Already requeued: no longer a dead letter.
    const again = await w.app.inject({
      method: 'POST',
      url: `/api/v1/admin/dead-letters/${older}/requeue`,
      headers: w.adminA.headers(),
    });
    expect(again.statusCode).toBe(404);

    const all = await w.app.inject({
      method: 'POST',
      url: '/api/v1/admin/dead-letters/requeue',
      headers: w.adminA.headers(),
    });
    expect(json(all)).toEqual({ requeued: [newer] });
    const after = await w.app.inject({
      method: 'GET',
      url: '/api/v1/admin/dead-letters',
      headers: w.adminA.headers(false),
    });
    expect(json(after)).toEqual({ total: 0, items: [] });
    // Clinic B's dead letter is untouched.
    const b = await w.app.inject({
      method: 'GET',
      url: '/api/v1/admin/dead-letters',
      headers: w.adminB.headers(false),
    });
    expect(json<{ total: number }>(b).total).toBe(1);

    const requeued = await auditActions(ctx.db, 'dead_letters.requeue');
    expect(requeued[0]).toMatchObject({ subjectId: older, actorType: 'staff' });
    expect((await auditActions(ctx.db, 'dead_letters.requeue_all'))[0]?.details).toContain(
      '"count":1',
    );
    expect((await auditActions(ctx.db, 'dead_letters.list')).length).toBeGreaterThanOrEqual(3);
  });

  it('refuses practitioners and bad ids', async () => {
    const res = await w.app.inject({
      method: 'GET',
      url: '/api/v1/admin/dead-letters',
      headers: w.pracA.headers(false),
    });
    expect(res.statusCode).toBe(403);
    const bad = await w.app.inject({
      method: 'POST',
      url: '/api/v1/admin/dead-letters/not-a-uuid/requeue',
      headers: w.adminA.headers(),
    });
    expect(bad.statusCode).toBe(400);
    expect(json<{ errors: Array<{ field: string }> }>(bad).errors[0]?.field).toBe('params.id');
  });
});
