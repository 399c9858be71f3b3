/**
 * Arbitrary JSON at the write routes never yields a 5xx: every answer is 201 (valid input) or a
 * 4xx problem naming at least one field or the body.
 */
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { type CreatedSession, createSession, makeWorld, type World } from './test-support.ts';

const nearlyValidCheckIn = fc.record(
  {
    soreness: fc.oneof(
      fc.integer({ min: -2, max: 12 }),
      fc.double(),
      fc.string(),
      fc.constant(null),
    ),
    symptoms: fc.oneof(
      fc.array(fc.constantFrom('fever', 'chest_pain', 'bruising', 'headache', ''), {
        maxLength: 4,
      }),
      fc.string(),
      fc.constant(null),
    ),
    note: fc.oneof(fc.string({ maxLength: 50 }), fc.integer()),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

const nearlyValidSession = fc.record(
  {
    patient: fc.oneof(fc.record({ displayName: fc.string({ maxLength: 10 }) }), fc.anything()),
    patientId: fc.oneof(fc.uuid(), fc.string()),
    performedAt: fc.oneof(fc.constant('2026-11-25T08:30:00.000Z'), fc.string(), fc.integer()),
    sites: fc.oneof(
      fc.array(
        fc.record(
          {
            muscle: fc.constantFrom('quadriceps', 'upper-trapezius', 'brain', ''),
            side: fc.constantFrom('left', 'right', 'midline', 'up'),
            needleCount: fc.oneof(fc.integer({ min: -1, max: 200 }), fc.string()),
          },
          { requiredKeys: ['muscle'] },
        ),
        { maxLength: 3 },
      ),
      fc.anything(),
    ),
  },
  { requiredKeys: [] },
);

describeEachDialect('fuzzed bodies', (ctx) => {
  let w: World;
  let s: CreatedSession;
  beforeAll(async () => {
    w = await makeWorld(ctx.db, { sessionIdleMinutes: 60 * 24, sessionTtlHours: 24 });
    s = await createSession(w.app, w.pracA);
  });

  function expectProblemOrCreated(status: number, body: string): void {
    expect(status, body).toBeLessThan(500);
    if (status >= 400) {
      const problem = JSON.parse(body) as { errors: { field: string }[]; status: number };
      expect(problem.status).toBe(status);
      if (status === 400) expect(problem.errors.length, body).toBeGreaterThan(0);
    }
  }

  it('check-ins', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearlyValidCheckIn, fc.anything()), async (payload) => {
        const res = await w.app.inject({
          method: 'POST',
          url: `/api/v1/p/${s.token}/check-ins`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(payload) ?? 'null',
        });
        expectProblemOrCreated(res.statusCode, res.body);
      }),
      { numRuns: 150 },
    );
  });

  it('sessions', async () => {
    await fc.assert(
      fc.asyncProperty(nearlyValidSession, async (payload) => {
        const res = await w.app.inject({
          method: 'POST',
          url: '/api/v1/sessions',
          headers: { ...w.pracA.headers(), 'content-type': 'application/json' },
          payload: JSON.stringify(payload) ?? 'null',
        });
        expectProblemOrCreated(res.statusCode, res.body);
      }),
      { numRuns: 150 },
    );
  });
});
