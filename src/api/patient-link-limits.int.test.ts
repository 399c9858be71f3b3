import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { seedSessionWithReminders, testClock } from '../jobs/test-support.ts';
import { PATIENT_LIMITS } from '../services/patient-limits.ts';
import { patientPagesPlugin } from '../web/patient/patient-pages.plugin.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';
import { testConfig } from './test-support.ts';

/**
 * Issue 12, finding 7 (decision 1121): the JSON API's patient-link POSTs are limited like the
 * patient pages, by the same counter, and never block the emergency button or a red flag.
 */
describeEachDialect('JSON API: patient-link POST limits', (ctx) => {
  let app: FastifyInstance;
  let token = '';

  beforeEach(async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: '2026-11-25T10:00:00.000Z',
      thoracic: false,
      language: 'en',
    });
    token = s.token;
    app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock: testClock('2026-11-25T12:00:00.000Z'),
      logger: createLogger('silent'),
      plugins: [patientPagesPlugin],
    });
  });
  afterEach(async () => {
    await app.close();
  });

  const apiCheckIn = (payload: unknown, ip: string) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/p/${token}/check-ins`,
      payload: payload as Record<string, unknown>,
      remoteAddress: ip,
    });

  it('per link: past the limit a 429 problem+json with Retry-After; the emergency button and red flags still pass', async () => {
    for (let i = 0; i < PATIENT_LIMITS.perLink; i += 1) {
      // Bad bodies count too: they are counted before validation.
      expect((await apiCheckIn({ soreness: 99 }, `10.1.0.${i}`)).statusCode).toBe(400);
    }
    const refused = await apiCheckIn({ soreness: 2 }, '10.1.1.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ status: 429 });
    expect(refused.body).not.toContain(token);

    const emergency = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${token}/emergency`,
      remoteAddress: '10.1.1.2',
    });
    expect(emergency.statusCode).toBe(201);
    const redFlag = await apiCheckIn({ symptoms: ['shortness_of_breath'] }, '10.1.1.3');
    expect(redFlag.statusCode).toBe(201);
  });

  it('per IP: one address is refused past its limit on the API, another is not', async () => {
    for (let i = 0; i < PATIENT_LIMITS.perIp; i += 1) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/p/unknown-${i}/check-ins`,
        payload: { soreness: 1 },
        remoteAddress: '10.8.8.8',
      });
      expect(res.statusCode).toBe(404);
    }
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/p/unknown-x/check-ins',
      payload: { soreness: 1 },
      remoteAddress: '10.8.8.8',
    });
    expect(refused.statusCode).toBe(429);
    const other = await app.inject({
      method: 'POST',
      url: '/api/v1/p/unknown-x/check-ins',
      payload: { soreness: 1 },
      remoteAddress: '10.8.8.9',
    });
    expect(other.statusCode).toBe(404);
  });

  it('a link is counted once across both doors: half on the pages, half on the API, then both refuse', async () => {
    const half = PATIENT_LIMITS.perLink / 2;
    for (let i = 0; i < half; i += 1) {
      const page = await app.inject({
        method: 'POST',
        url: `/p/${token}/check-in`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'note=x',
        remoteAddress: `10.2.0.${i}`,
      });
      expect(page.statusCode).toBe(400);
      expect((await apiCheckIn({ soreness: 99 }, `10.2.1.${i}`)).statusCode).toBe(400);
    }
    expect((await apiCheckIn({ soreness: 2 }, '10.2.2.1')).statusCode).toBe(429);
    const page = await app.inject({
      method: 'POST',
      url: `/p/${token}/check-in`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'soreness=2',
      remoteAddress: '10.2.2.2',
    });
    expect(page.statusCode).toBe(429);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});
