import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { PRODUCTION_PLUGINS } from '../cli/commands/serve.ts';
import { seedSessionWithReminders } from '../jobs/test-support.ts';
import { manualClock } from '../services/clock.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';
import { CONTENT_POLICIES } from './security-headers.ts';
import { testConfig } from './test-support.ts';

/**
 * Issue 12, finding 5: the errors Fastify itself raises (bad URL encoding, 414, 413, 415, an
 * unknown path) answer through the one handler with the security headers, never echo the
 * address, and answer HTML under the patient pages (`/p/`) and the dashboard (`/app`).
 */
describeEachDialect('framework errors answer in the right shape', (ctx) => {
  let app: FastifyInstance;
  let token = '';
  const LONG = 'Z'.repeat(3000);
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

  beforeAll(async () => {
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
      clock: manualClock('2026-11-25T12:00:00.000Z'),
      logger: createLogger('silent'),
      plugins: PRODUCTION_PLUGINS,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  function expectHeaders(res: LightMyRequestResponse, csp: string) {
    expect(res.headers['content-security-policy']).toBe(csp);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toBeTruthy();
  }

  function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({ status, code });
    expectHeaders(res, CONTENT_POLICIES.api.csp);
  }

  function expectPatientPage(res: LightMyRequestResponse, status: number, lang: string) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(`<html lang="${lang}">`);
    expectHeaders(res, CONTENT_POLICIES.patient.csp);
    expect(res.headers['x-robots-tag']).toBe('noindex, nofollow');
  }

  it('API: bad URL encoding is a 400 problem without the address', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/p/secret%E0%A4%A' });
    expectProblem(res, 400, 'bad_request');
    expect(res.body).not.toContain('secret');
  });

  it('API: an address too long is a 414 problem without the address', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/p/${LONG}` });
    expectProblem(res, 414, 'uri_too_long');
    expect(res.body).not.toContain('ZZZZ');
  });

  it('API: 413 and 415 are problems with the headers', async () => {
    const big = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(2_000_000) }),
    });
    expectProblem(big, 413, 'payload_too_large');
    const xml = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    });
    expectProblem(xml, 415, 'unsupported_media_type');
  });

  it('patient pages: bad encoding and 414 answer a page in the browser language, no token', async () => {
    const bad = await app.inject({
      method: 'GET',
      url: `/p/${token}%E0%A4%A`,
      headers: { 'accept-language': 'es-ES,es;q=0.9' },
    });
    expectPatientPage(bad, 400, 'es');
    expect(bad.body).not.toContain(token);
    expect(bad.body).toContain('href="tel:112"');

    const long = await app.inject({ method: 'GET', url: `/p/${LONG}/stop` });
    expectPatientPage(long, 414, 'en');
    expect(long.body).not.toContain('ZZZZ');

    const none = await app.inject({ method: 'GET', url: '/p/a/b/c/d' });
    expectPatientPage(none, 404, 'en');
  });

  it('patient pages: 413 and 415 answer a page in the patient’s language with the emergency number', async () => {
    const big = await app.inject({
      method: 'POST',
      url: `/p/${token}/check-in`,
      headers: { ...FORM, 'accept-language': 'en' },
      payload: `notes=${'a'.repeat(20_000)}`,
    });
    expectPatientPage(big, 413, 'es');
    expect(big.body).toContain('href="tel:112"');
    expect(big.body).not.toContain(token);

    const xml = await app.inject({
      method: 'POST',
      url: `/p/${token}/emergency`,
      headers: { 'content-type': 'text/xml', 'accept-language': 'en' },
      payload: '<a/>',
    });
    expectPatientPage(xml, 415, 'es');
    expect(xml.body).toContain('href="tel:112"');
  });

  it('dashboard: bad encoding and 414 answer a dashboard page', async () => {
    for (const [url, status] of [
      ['/app/patients/%E0%A4%A', 400],
      [`/app/patients/${LONG}`, 414],
    ] as const) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expectHeaders(res, CONTENT_POLICIES.dashboard.csp);
      expect(res.body).not.toContain('ZZZZ');
    }
  });
});
