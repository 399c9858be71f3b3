/**
 * The authorization matrix: every /api/v1 route × anonymous, a foreign patient link (bearer or
 * cookie), another clinic's practitioner and admin, an API token of another clinic, the
 * clinic's practitioner, the clinic's admin. Every cross-clinic probe of an id answers 404
 * exactly like an id that does not exist (never 403: that would confirm it exists).
 */
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { type CreatedSession, createSession, json, makeWorld, type World } from './test-support.ts';

type Who = 'anonymous' | 'linkToken' | 'tokenB' | 'pracB' | 'adminB' | 'pracA' | 'adminA';
const WHO: readonly Who[] = [
  'anonymous',
  'linkToken',
  'tokenB',
  'pracB',
  'adminB',
  'pracA',
  'adminA',
];

interface Ids {
  session: CreatedSession;
  other: CreatedSession;
  third: CreatedSession;
  alertId: string;
  tokenIdA: string;
  tokenB: string;
  deadLetterA: string;
}

interface Case {
  /** OpenAPI-style path, to check every documented route is covered. */
  route: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: (ids: Ids) => string;
  payload?: (ids: Ids) => object;
  /** Expected status per caller; `ok` = the route's success status. */
  expect: Partial<Record<Who, number>> & { pracA: number; adminA: number };
}

const STAFF_OWN = (ok: number): Case['expect'] => ({
  anonymous: 401,
  linkToken: 401,
  pracA: ok,
  adminA: ok,
});
const STAFF_FOREIGN_ID = (ok: number): Case['expect'] => ({
  ...STAFF_OWN(ok),
  tokenB: 404,
  pracB: 404,
  adminB: 404,
});
const ADMIN = (ok: number, foreign: number): Case['expect'] => ({
  anonymous: 401,
  linkToken: 401,
  tokenB: 403,
  pracB: 403,
  adminB: foreign,
  pracA: 403,
  adminA: ok,
});

const CASES: Case[] = [
  {
    route: 'GET /api/v1/auth/me',
    method: 'GET',
    url: () => '/api/v1/auth/me',
    expect: { ...STAFF_OWN(200), tokenB: 200, pracB: 200, adminB: 200 },
  },
  {
    // One's own name and language: every signed-in person, never an API token.
    route: 'PATCH /api/v1/auth/me',
    method: 'PATCH',
    url: () => '/api/v1/auth/me',
    payload: () => ({ language: 'en' }),
    expect: { ...STAFF_OWN(200), tokenB: 403, pracB: 200, adminB: 200 },
  },
  {
    route: 'GET /api/v1/patients/{id}',
    method: 'GET',
    url: (i) => `/api/v1/patients/${i.session.patientId}`,
    expect: STAFF_FOREIGN_ID(200),
  },
  {
    route: 'GET /api/v1/patients/{id}/timeline',
    method: 'GET',
    url: (i) => `/api/v1/patients/${i.session.patientId}/timeline`,
    expect: STAFF_FOREIGN_ID(200),
  },
  {
    route: 'GET /api/v1/patients',
    method: 'GET',
    url: () => '/api/v1/patients?q=',
    expect: { ...STAFF_OWN(200), tokenB: 200, pracB: 200, adminB: 200 },
  },
  {
    route: 'POST /api/v1/patients',
    method: 'POST',
    url: () => '/api/v1/patients',
    payload: () => ({ displayName: 'New' }),
    expect: { ...STAFF_OWN(201), tokenB: 201, pracB: 201, adminB: 201 },
  },
  {
    route: 'GET /api/v1/patients/duplicates',
    method: 'GET',
    url: () => '/api/v1/patients/duplicates?displayName=Test%20Patient&email=p%40example.test',
    expect: { ...STAFF_OWN(200), tokenB: 200, pracB: 200, adminB: 200 },
  },
  {
    route: 'PATCH /api/v1/patients/{id}',
    method: 'PATCH',
    url: (i) => `/api/v1/patients/${i.session.patientId}`,
    payload: () => ({ displayName: 'Test Patient', language: 'en', email: 'p@example.test' }),
    expect: STAFF_FOREIGN_ID(200),
  },
  {
    route: 'GET /api/v1/patients/{id}/contacts',
    method: 'GET',
    url: (i) => `/api/v1/patients/${i.session.patientId}/contacts`,
    expect: STAFF_FOREIGN_ID(200),
  },
  {
    route: 'GET /api/v1/patients/{id}/export',
    method: 'GET',
    url: (i) => `/api/v1/patients/${i.session.patientId}/export`,
    expect: STAFF_FOREIGN_ID(200),
  },
  {
    route: 'POST /api/v1/sessions',
    method: 'POST',
    url: () => '/api/v1/sessions',
    payload: (i) => ({
      patientId: i.session.patientId,
      performedAt: '2026-11-25T08:45:00.000Z',
      sites: [{ muscle: 'quadriceps' }],
    }),
    expect: STAFF_FOREIGN_ID(201),
  },
  {
    route: 'GET /api/v1/sessions/{id}',
    method: 'GET',
    url: (i) => `/api/v1/sessions/${i.session.sessionId}`,
    expect: STAFF_FOREIGN_ID(200),
  },
  {
    route: 'POST /api/v1/sessions/{id}/link/revoke',
    method: 'POST',
    url: (i) => `/api/v1/sessions/${i.other.sessionId}/link/revoke`,
    expect: STAFF_FOREIGN_ID(200),
  },
  {
    route: 'POST /api/v1/sessions/{id}/link',
    method: 'POST',
    url: (i) => `/api/v1/sessions/${i.other.sessionId}/link`,
    expect: STAFF_FOREIGN_ID(201),
  },
  {
    route: 'GET /api/v1/alerts',
    method: 'GET',
    url: () => '/api/v1/alerts',
    expect: { ...STAFF_OWN(200), tokenB: 200, pracB: 200, adminB: 200 },
  },
  // Acknowledge, then resolve: pracA does it first, so adminA meets the 409 of a done transition.
  // API tokens may not act as a person: 403 for every id, before any lookup (reveals nothing).
  {
    route: 'POST /api/v1/alerts/{id}/acknowledge',
    method: 'POST',
    url: (i) => `/api/v1/alerts/${i.alertId}/acknowledge`,
    expect: { ...STAFF_FOREIGN_ID(200), tokenB: 403, adminA: 409 },
  },
  {
    route: 'POST /api/v1/alerts/{id}/contact-attempts',
    method: 'POST',
    url: (i) => `/api/v1/alerts/${i.alertId}/contact-attempts`,
    payload: () => ({ note: 'Called, no answer' }),
    expect: { ...STAFF_FOREIGN_ID(201), tokenB: 403, adminA: 201 },
  },
  {
    route: 'POST /api/v1/alerts/{id}/resolve',
    method: 'POST',
    url: (i) => `/api/v1/alerts/${i.alertId}/resolve`,
    payload: () => ({ note: 'Called the patient', outcome: 'false_alarm' }),
    expect: { ...STAFF_FOREIGN_ID(200), tokenB: 403, adminA: 409 },
  },
  {
    route: 'GET /api/v1/admin/clinic',
    method: 'GET',
    url: () => '/api/v1/admin/clinic',
    expect: ADMIN(200, 200),
  },
  {
    route: 'PATCH /api/v1/admin/clinic',
    method: 'PATCH',
    url: () => '/api/v1/admin/clinic',
    payload: () => ({ contactPhone: '+34 611 111 111' }),
    expect: ADMIN(200, 200),
  },
  {
    route: 'GET /api/v1/admin/staff',
    method: 'GET',
    url: () => '/api/v1/admin/staff',
    expect: ADMIN(200, 200),
  },
  {
    route: 'POST /api/v1/admin/staff',
    method: 'POST',
    url: () => '/api/v1/admin/staff',
    payload: () => ({
      email: `${randomUUID()}@example.test`,
      displayName: 'New',
    }),
    expect: ADMIN(201, 201),
  },
  {
    route: 'POST /api/v1/admin/staff/{id}/unlock',
    method: 'POST',
    url: (_i) => `/api/v1/admin/staff/${STAFF_A.practitionerId}/unlock`,
    expect: ADMIN(204, 404),
  },
  {
    route: 'GET /api/v1/admin/api-tokens',
    method: 'GET',
    url: () => '/api/v1/admin/api-tokens',
    expect: ADMIN(200, 200),
  },
  {
    route: 'POST /api/v1/admin/api-tokens',
    method: 'POST',
    url: () => '/api/v1/admin/api-tokens',
    payload: () => ({ name: 'x' }),
    expect: ADMIN(201, 201),
  },
  {
    route: 'POST /api/v1/admin/api-tokens/{id}/revoke',
    method: 'POST',
    url: (i) => `/api/v1/admin/api-tokens/${i.tokenIdA}/revoke`,
    expect: ADMIN(204, 404),
  },
  {
    route: 'GET /api/v1/admin/escalation',
    method: 'GET',
    url: () => '/api/v1/admin/escalation',
    expect: ADMIN(200, 200),
  },
  {
    route: 'PATCH /api/v1/admin/escalation',
    method: 'PATCH',
    url: () => '/api/v1/admin/escalation',
    payload: () => ({ emergencyMinutes: 20 }),
    expect: ADMIN(200, 200),
  },
  {
    route: 'GET /api/v1/admin/webhooks',
    method: 'GET',
    url: () => '/api/v1/admin/webhooks',
    expect: ADMIN(200, 200),
  },
  {
    route: 'PUT /api/v1/admin/webhooks/{id}',
    method: 'PUT',
    url: () => '/api/v1/admin/webhooks/matrix',
    payload: () => ({ url: 'https://hooks.example.com/nc', secret: 'matrix-secret-0123456789' }),
    expect: ADMIN(200, 200),
  },
  {
    // Each admin removes the endpoint their own PUT above added.
    route: 'DELETE /api/v1/admin/webhooks/{id}',
    method: 'DELETE',
    url: () => '/api/v1/admin/webhooks/matrix',
    expect: ADMIN(204, 204),
  },
  {
    route: 'GET /api/v1/admin/dead-letters',
    method: 'GET',
    url: () => '/api/v1/admin/dead-letters',
    expect: ADMIN(200, 200),
  },
  {
    route: 'POST /api/v1/admin/dead-letters/{id}/requeue',
    method: 'POST',
    url: (i) => `/api/v1/admin/dead-letters/${i.deadLetterA}/requeue`,
    expect: ADMIN(200, 404),
  },
  {
    route: 'POST /api/v1/admin/dead-letters/requeue',
    method: 'POST',
    url: () => '/api/v1/admin/dead-letters/requeue',
    expect: ADMIN(200, 200),
  },
  // Last: deactivating A's practitioner ends pracA's session.
  {
    route: 'GET /api/v1/admin/export',
    method: 'GET',
    url: () => '/api/v1/admin/export',
    expect: { ...ADMIN(200, 200), tokenB: 403, pracB: 403 },
  },
  {
    // The first link of `other` was revoked by an earlier case: its own clinic hears 409.
    route: 'POST /api/v1/patients/{id}/links/{linkId}/revoke',
    method: 'POST',
    url: (i) => `/api/v1/patients/${i.other.patientId}/links/${i.other.linkId}/revoke`,
    expect: STAFF_FOREIGN_ID(409),
  },
  {
    route: 'POST /api/v1/patients/{id}/erase',
    method: 'POST',
    url: (i) => `/api/v1/patients/${i.other.patientId}/erase`,
    payload: () => ({ confirmName: 'Test Patient' }),
    expect: ADMIN(200, 404),
  },
  {
    // The practitioner stays a practitioner: the same role changes nothing, so callers can repeat.
    route: 'POST /api/v1/admin/staff/{id}/role',
    method: 'POST',
    url: () => `/api/v1/admin/staff/${STAFF_A.practitionerId}/role`,
    payload: () => ({ role: 'practitioner' }),
    expect: ADMIN(200, 404),
  },
  {
    route: 'POST /api/v1/admin/staff/{id}/deactivate',
    method: 'POST',
    url: () => `/api/v1/admin/staff/${STAFF_A.practitionerId}/deactivate`,
    expect: { ...ADMIN(200, 404), adminA: 200 },
  },
];

/** Routes that are not staff routes, covered by their own tests below or elsewhere. */
const NOT_IN_MATRIX = new Set([
  'POST /api/v1/auth/sign-in',
  'POST /api/v1/auth/sign-out',
  // Anonymous by design, one answer for every address: src/web/dashboard/account.int.test.ts.
  'POST /api/v1/auth/forgot-password',
  // Needs the caller's current password (a wrong one counts toward the lock-out, so not probed
  // by seven callers here): src/web/dashboard/account.int.test.ts, "the JSON API: …".
  'POST /api/v1/auth/me/password',
  'GET /api/v1/p/{token}',
  'POST /api/v1/p/{token}/check-ins',
  'POST /api/v1/p/{token}/emergency',
]);

let STAFF_A = { practitionerId: '' };

describeEachDialect('authorization matrix', (ctx) => {
  let w: World;
  let ids: Ids;

  beforeAll(async () => {
    w = await makeWorld(ctx.db);
    STAFF_A = { practitionerId: w.a.practitionerId };
    w.clock.set('2026-11-25T09:00:00.000Z');
    const session = await createSession(w.app, w.pracA, {
      performedAt: '2026-11-25T08:30:00.000Z',
    });
    const other = await createSession(w.app, w.pracA, { performedAt: '2026-11-25T08:30:00.000Z' });
    const third = await createSession(w.app, w.pracA, { performedAt: '2026-11-25T08:30:00.000Z' });
    const checkIn = await w.app.inject({
      method: 'POST',
      url: `/api/v1/p/${session.token}/check-ins`,
      payload: { soreness: 2, symptoms: ['fever'] },
    });
    const alertId = json<{ openAlert: { id: string } }>(checkIn).openAlert.id;
    const tokA = await w.app.inject({
      method: 'POST',
      url: '/api/v1/admin/api-tokens',
      headers: w.adminA.headers(),
      payload: { name: 'A' },
    });
    const tokB = await w.app.inject({
      method: 'POST',
      url: '/api/v1/admin/api-tokens',
      headers: w.adminB.headers(),
      payload: { name: 'B' },
    });
    const deadLetterA = randomUUID();
    await ctx.db
      .insertInto('outbox')
      .values({
        id: deadLetterA,
        clinic_id: w.a.clinicId,
        kind: 'alert.webhook',
        dedupe_key: `matrix:${deadLetterA}`,
        payload_json: '{}',
        due_at: '2026-11-25T09:00:00.000Z',
        status: 'dead',
        attempts: 10,
        claimed_by: null,
        claimed_until: null,
        last_error: 'webhook answered 503',
        created_at: '2026-11-25T08:00:00.000Z',
        sent_at: null,
      })
      .execute();
    ids = {
      deadLetterA,
      session,
      other,
      third,
      alertId,
      tokenIdA: json<{ id: string }>(tokA).id,
      tokenB: json<{ token: string }>(tokB).token,
    };
  });

  function headersFor(who: Who, unsafe: boolean): Record<string, string> {
    switch (who) {
      case 'anonymous':
        return {};
      case 'linkToken':
        return { authorization: `Bearer ${ids.session.token}` };
      case 'tokenB':
        return { authorization: `Bearer ${ids.tokenB}` };
      case 'pracB':
        return w.pracB.headers(unsafe);
      case 'adminB':
        return w.adminB.headers(unsafe);
      case 'pracA':
        return w.pracA.headers(unsafe);
      case 'adminA':
        return w.adminA.headers(unsafe);
    }
  }

  function call(c: Case, who: Who): Promise<LightMyRequestResponse> {
    return w.app.inject({
      method: c.method,
      url: c.url(ids),
      headers: headersFor(who, c.method !== 'GET'),
      ...(c.payload === undefined ? {} : { payload: c.payload(ids) }),
    });
  }

  it('covers every documented /api/v1 route', async () => {
    const spec = json<{ paths: Record<string, Record<string, unknown>> }>(
      await w.app.inject({ method: 'GET', url: '/api/openapi.json' }),
    );
    const documented = Object.entries(spec.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((r) => r.includes('/api/v1/'));
    const covered = new Set([...CASES.map((c) => c.route), ...NOT_IN_MATRIX]);
    expect(documented.filter((r) => !covered.has(r))).toEqual([]);
    expect([...covered].filter((r) => !documented.includes(r))).toEqual([]);
  });

  it('answers each caller as the matrix says', async () => {
    const failures: string[] = [];
    for (const c of CASES) {
      for (const who of WHO) {
        const expected = c.expect[who];
        if (expected === undefined) continue;
        const res = await call(c, who);
        if (res.statusCode !== expected)
          failures.push(
            `${c.route} as ${who}: ${res.statusCode} (want ${expected}) ${res.body.slice(0, 120)}`,
          );
        if (res.statusCode >= 400)
          expect(res.headers['content-type']).toContain('application/problem+json');
      }
    }
    expect(failures).toEqual([]);
  });

  it('a foreign id reads exactly like an unknown one', async () => {
    const foreign = await w.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${ids.session.patientId}`,
      headers: w.pracB.headers(false),
    });
    const unknown = await w.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${randomUUID()}`,
      headers: w.pracB.headers(false),
    });
    const strip = (r: LightMyRequestResponse) => ({ ...json(r), instance: undefined });
    expect(foreign.statusCode).toBe(404);
    expect(strip(foreign)).toEqual(strip(unknown));
  });

  it("lists never show another clinic's patients or alerts", async () => {
    const patients = await w.app.inject({
      method: 'GET',
      url: '/api/v1/patients?q=',
      headers: w.pracB.headers(false),
    });
    const alerts = await w.app.inject({
      method: 'GET',
      url: '/api/v1/alerts',
      headers: w.pracB.headers(false),
    });
    const search = await w.app.inject({
      method: 'GET',
      url: '/api/v1/patients?q=Test',
      headers: { authorization: `Bearer ${ids.tokenB}` },
    });
    for (const res of [patients, alerts, search]) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(ids.session.patientId);
      expect(res.body).not.toContain(ids.alertId);
    }
  });

  it('a patient link opens its own session only, and is no staff credential', async () => {
    const own = await w.app.inject({ method: 'GET', url: `/api/v1/p/${ids.third.token}` });
    expect(own.statusCode).toBe(200);
    // `third` has no check-ins; `session` has one: the other link must not show it.
    expect(json<{ checkIns: unknown[] }>(own).checkIns).toEqual([]);
    const asCookie = await w.app.inject({
      method: 'GET',
      url: '/api/v1/alerts',
      headers: { cookie: `__Host-needlecare_session=${ids.session.token}` },
    });
    expect(asCookie.statusCode).toBe(401);
    const last = ids.session.token.slice(-1);
    const mangled = await w.app.inject({
      method: 'GET',
      url: `/api/v1/p/${ids.session.token.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`,
    });
    expect(mangled.statusCode).toBe(404);
  });

  it('a staff session gives no access to patient-link routes without the token', async () => {
    const res = await w.app.inject({
      method: 'GET',
      url: `/api/v1/p/${ids.session.sessionId}`,
      headers: w.adminA.headers(false),
    });
    expect(res.statusCode).toBe(404);
  });
});
