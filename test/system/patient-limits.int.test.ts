import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/api/logger.ts';
import { testConfig } from '../../src/api/test-support.ts';
import { RED_FLAG_SYMPTOMS } from '../../src/clinical/types.ts';
import { seedSessionWithReminders, testClock } from '../../src/jobs/test-support.ts';
import { PATIENT_LIMITS } from '../../src/services/patient-limits.ts';
import { patientPagesPlugin } from '../../src/web/patient/patient-pages.plugin.ts';
import { describeEachDialect } from '../dialects.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Issue 12, finding 7: the patient-link POSTs are limited, never the emergency button. */
describeEachDialect('patient pages: POST limits', (ctx) => {
  let app: FastifyInstance;
  let token = '';

  beforeEach(async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: '2026-11-25T10:00:00.000Z',
      thoracic: false,
      language: 'es',
      clinic: { languages: ['en', 'es'] },
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

  const postCheckIn = (payload: string, ip = '10.0.0.1') =>
    app.inject({
      method: 'POST',
      url: `/p/${token}/check-in`,
      headers: FORM,
      payload,
      remoteAddress: ip,
    });

  it('per link: past the limit a 429 page with Retry-After; emergency and red flags still pass', async () => {
    for (let i = 0; i < PATIENT_LIMITS.perLink; i += 1) {
      expect((await postCheckIn('note=x', `10.0.1.${i}`)).statusCode).toBe(400);
    }
    const refused = await postCheckIn('note=x', '10.0.2.1');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.body).toContain('<html lang="es">');
    expect(refused.body).toContain('href="tel:112"');
    expect(refused.body).not.toContain(token);

    const emergency = await app.inject({
      method: 'POST',
      url: `/p/${token}/emergency`,
      headers: FORM,
      payload: '',
      remoteAddress: '10.0.2.2',
    });
    expect(emergency.statusCode).toBeLessThan(400);
    const redFlag = await postCheckIn(`soreness=5&symptoms=${RED_FLAG_SYMPTOMS[0]}`, '10.0.2.3');
    expect(redFlag.statusCode).toBeLessThan(400);
    // A red flag ticked after an ordinary symptom (the field then holds a list) counts too.
    const listed = await postCheckIn(
      `soreness=5&symptoms=bruising&symptoms=${RED_FLAG_SYMPTOMS[1]}`,
      '10.0.2.4',
    );
    expect(listed.statusCode).toBeLessThan(400);
    const alerts = await ctx.db.selectFrom('alerts').select('id').execute();
    expect(alerts.length).toBeGreaterThan(0);
  });

  it('per IP: one address is refused past its limit, another is not', async () => {
    for (let i = 0; i < PATIENT_LIMITS.perIp; i += 1) {
      const res = await app.inject({
        method: 'POST',
        url: `/p/unknown-${i}/stop`,
        remoteAddress: '10.9.9.9',
      });
      expect(res.statusCode).toBe(404);
    }
    const refused = await app.inject({
      method: 'POST',
      url: '/p/unknown-x/stop',
      remoteAddress: '10.9.9.9',
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    const other = await app.inject({
      method: 'POST',
      url: '/p/unknown-x/stop',
      remoteAddress: '10.9.9.10',
    });
    expect(other.statusCode).toBe(404);
  });
});
