import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { manualClock } from '../../services/clock.ts';
import { PATIENT_LIMITS } from '../../services/patient-limits.ts';
import { buildApp } from '../app.ts';
import { createLogger } from '../logger.ts';
import { PASSWORD, type SeededClinic, seedClinic, T0, testConfig } from '../test-support.ts';

/**
 * Decision 1121: what holds when `serve` runs several processes. Each app here stands for one
 * process: its own in-memory counters, its own database handle.
 * The account lock-out is counted in the database, so N processes cannot multiply password
 * guesses; the per-IP sign-in limit and the patient-link limits are per process (N × each).
 */
describeEachDialect('limits across several processes', (ctx) => {
  const apps: FastifyInstance[] = [];
  let clinic: SeededClinic;
  const config = testConfig({
    signIn: { maxFailures: 5, lockMinutes: 15, perIpMax: 3, perIpWindowMinutes: 15 },
  });

  beforeAll(async () => {
    clinic = await seedClinic(ctx.db, 'Cluster Clinic');
    // A second process: its own database handle (pool, SQLite connection) on the same database.
    const second = ctx.openAnother();
    for (const db of [ctx.db, second]) {
      apps.push(
        await buildApp({ config, db, clock: manualClock(T0), logger: createLogger('silent') }),
      );
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  const attempt = (app: FastifyInstance | undefined, password: string, ip: string) =>
    (app as FastifyInstance).inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: clinic.practitionerEmail, password },
      remoteAddress: ip,
    });

  it('the account lock-out holds across processes: five wrong passwords spread over two lock it in both', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i += 1)
      codes.push((await attempt(apps[i % 2], 'wrong-password', `10.3.0.${i}`)).statusCode);
    expect(codes.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(codes[4]).toBe(429);
    // The right password is refused by both processes while the lock lasts.
    for (const app of apps) {
      const res = await attempt(app, PASSWORD, '10.3.1.1');
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
    }
    const row = await ctx.db
      .selectFrom('staff_users')
      .select(['failed_logins', 'locked_until'])
      .where('email', '=', clinic.practitionerEmail)
      .executeTakeFirstOrThrow();
    expect(row.failed_logins).toBe(5);
    expect(row.locked_until).not.toBeNull();
  });

  it('the per-IP sign-in limit and the patient-link limits count per process (documented as N ×)', async () => {
    const first = apps[0] as FastifyInstance;
    const other = apps[1] as FastifyInstance;
    for (let i = 0; i < 3; i += 1) {
      const res = await first.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: 'nobody@example.test', password: 'x' },
        remoteAddress: '10.4.0.1',
      });
      expect(res.statusCode).toBe(401);
    }
    expect(
      (
        await first.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: { email: 'nobody@example.test', password: 'x' },
          remoteAddress: '10.4.0.1',
        })
      ).statusCode,
    ).toBe(429);
    expect(
      (
        await other.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: { email: 'nobody@example.test', password: 'x' },
          remoteAddress: '10.4.0.1',
        })
      ).statusCode,
    ).toBe(401);
    // A patient link past its limit in one process is still answered by the other.
    const linkPost = (app: FastifyInstance, i: number) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/p/unknown-link-z/check-ins',
        payload: { soreness: 1 },
        remoteAddress: `10.5.0.${i}`,
      });
    for (let i = 0; i < PATIENT_LIMITS.perLink; i += 1)
      expect((await linkPost(first, i)).statusCode).toBe(404);
    expect((await linkPost(first, 200)).statusCode).toBe(429);
    expect((await linkPost(other, 201)).statusCode).toBe(404);
  });
});
