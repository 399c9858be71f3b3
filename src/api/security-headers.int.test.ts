import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { PRODUCTION_PLUGINS } from '../cli/commands/serve.ts';
import { manualClock } from '../services/clock.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';
import { CONTENT_POLICIES } from './security-headers.ts';
import { createSession, seedClinic, signIn, T0, testConfig } from './test-support.ts';

/**
 * One security-headers policy for every answer of the app as `serve` mounts it: the JSON API,
 * its docs, the patient pages, the stop link, the dashboard, and the 404s between them.
 */
describeEachDialect('security headers of every route family', (ctx) => {
  let app: FastifyInstance;
  let token = '';

  beforeAll(async () => {
    app = await buildApp({
      config: testConfig({ sessionIdleMinutes: 30 }),
      db: ctx.db,
      clock: manualClock(T0),
      logger: createLogger('silent'),
      plugins: PRODUCTION_PLUGINS,
    });
    await app.ready();
    const clinic = await seedClinic(ctx.db, 'Headers clinic');
    token = (await createSession(app, await signIn(app, clinic.practitionerEmail))).token;
  });
  afterAll(async () => {
    await app.close();
  });

  // [family, path (TOKEN replaced), expected CSP, HTML?]
  const cases: Array<[string, string, string, boolean]> = [
    ['API: problem+json', '/api/v1/patients', CONTENT_POLICIES.api.csp, false],
    ['API: patient link JSON', '/api/v1/p/TOKEN', CONTENT_POLICIES.api.csp, false],
    ['API: health', '/healthz', CONTENT_POLICIES.api.csp, false],
    ['API: OpenAPI document', '/api/openapi.json', CONTENT_POLICIES.api.csp, false],
    ['API docs page', '/api/docs/', CONTENT_POLICIES.docs.csp, true],
    ['patient page', '/p/TOKEN', CONTENT_POLICIES.patient.csp, true],
    ['patient check-in form', '/p/TOKEN/check-in', CONTENT_POLICIES.patient.csp, true],
    ['patient handout', '/p/TOKEN/handout', CONTENT_POLICIES.patient.csp, true],
    ['patient page, unknown link', `/p/${'x'.repeat(43)}`, CONTENT_POLICIES.patient.csp, true],
    ['stop reminders page', '/p/TOKEN/stop', CONTENT_POLICIES.patient.csp, true],
    ['dashboard sign-in', '/app/sign-in', CONTENT_POLICIES.dashboard.csp, true],
    ['dashboard, signed out', '/app', CONTENT_POLICIES.dashboard.csp, false],
    ['dashboard script', '/app/static/dashboard.js', CONTENT_POLICIES.dashboard.csp, false],
    ['no such page', '/nowhere', CONTENT_POLICIES.api.csp, false],
  ];

  it.each(cases)('%s: %s', async (_family, path, csp, isHtml) => {
    const res = await app.inject({ method: 'GET', url: path.replace('TOKEN', token) });
    expect(res.statusCode).toBeLessThan(500);
    if (isHtml) expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe(csp);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(res.headers['x-request-id']).toBeTruthy();
    if (isHtml || path.startsWith('/api/v1')) expect(res.headers['cache-control']).toBe('no-store');
  });

  it('keeps each page family as strict as before', () => {
    // Patient pages: no script at all, nothing from elsewhere.
    expect(CONTENT_POLICIES.patient.csp).toMatch(/^default-src 'none'/);
    expect(CONTENT_POLICIES.patient.csp).not.toContain('script-src');
    // Dashboard: its one script from our origin; nothing inline, no eval.
    expect(CONTENT_POLICIES.dashboard.csp).toContain("script-src 'self'");
    for (const policy of Object.values(CONTENT_POLICIES)) {
      expect(policy.csp).not.toContain('unsafe-inline');
      expect(policy.csp).not.toContain('unsafe-eval');
      expect(policy.csp).toContain("frame-ancestors 'none'");
    }
  });

  it('marks patient pages noindex', async () => {
    const res = await app.inject({ method: 'GET', url: `/p/${token}` });
    expect(res.headers['x-robots-tag']).toBe('noindex, nofollow');
  });
});
