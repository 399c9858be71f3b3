import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { withTransaction } from './db.ts';
import {
  deleteIdempotencyKeysBefore,
  findIdempotentResponse,
  saveIdempotentResponse,
} from './idempotency.repository.ts';

describeEachDialect('idempotency keys', (ctx) => {
  const entry = (key: string, statusCode: number) => ({
    scope: 'checkin:link-1',
    key,
    requestHash: 'sha256-of-body',
    statusCode,
    response: { id: 'c1', disposition: 'self_care', nested: { ok: true } },
    createdAt: '2026-11-25T14:03:00Z',
  });

  it('stores once and replays the response', async () => {
    expect(await saveIdempotentResponse(ctx.db, entry('k1', 201))).toBe(true);
    expect(await saveIdempotentResponse(ctx.db, entry('k1', 500))).toBe(false);
    expect(await findIdempotentResponse(ctx.db, 'checkin:link-1', 'k1')).toEqual({
      scope: 'checkin:link-1',
      key: 'k1',
      requestHash: 'sha256-of-body',
      statusCode: 201,
      response: { id: 'c1', disposition: 'self_care', nested: { ok: true } },
      createdAt: '2026-11-25T14:03:00.000Z',
    });
    expect(await findIdempotentResponse(ctx.db, 'other-scope', 'k1')).toBeUndefined();
  });

  it('keeps exactly one of many racing saves of the same key', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        withTransaction(ctx.db, (trx) => saveIdempotentResponse(trx, entry('race', 200 + i))),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await findIdempotentResponse(ctx.db, 'checkin:link-1', 'race'))?.statusCode).toBe(
      200 + winner,
    );
  });

  it('forgets old keys', async () => {
    await saveIdempotentResponse(ctx.db, {
      ...entry('old', 200),
      createdAt: '2026-01-01T00:00:00Z',
    });
    expect(await deleteIdempotencyKeysBefore(ctx.db, '2026-06-01T00:00:00Z')).toBe(1);
    expect(await findIdempotentResponse(ctx.db, 'checkin:link-1', 'old')).toBeUndefined();
  });
});
