/**
 * The bad-input matrix: malformed JSON, wrong types, out-of-range values, unknown fields,
 * huge bodies, wrong content types. Each answers 4xx application/problem+json naming the
 * field, never 5xx, and stores nothing (row counts and the clinic row are unchanged).
 */

import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';
import {
  type CreatedSession,
  countRows,
  createSession,
  json,
  makeWorld,
  testConfig,
  type World,
} from './test-support.ts';

interface BadCase {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  url: (s: CreatedSession) => string;
  as: 'patient' | 'practitioner' | 'admin';
  /** A string is sent as is (with content-type application/json unless `contentType`). */
  payload?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  status: number;
  /** A field the problem must name (omit for body-level problems such as 413). */
  field?: string;
}

const CHECK_IN = (s: CreatedSession) => `/api/v1/p/${s.token}/check-ins`;
const SESSIONS = () => '/api/v1/sessions';
const CLINIC = () => '/api/v1/admin/clinic';
const ESCALATION = () => '/api/v1/admin/escalation';
const SITE = { muscle: 'quadriceps', side: 'left' };
const WHEN = '2026-11-25T08:00:00.000Z';

const CASES: BadCase[] = [
  // Patient check-in
  {
    name: 'malformed JSON',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: '{"soreness": 3,',
    status: 400,
    field: '(body)',
  },
  {
    name: 'empty JSON body',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: '',
    status: 400,
    field: '(body)',
  },
  { name: 'JSON null', method: 'POST', url: CHECK_IN, as: 'patient', payload: 'null', status: 400 },
  { name: 'JSON array', method: 'POST', url: CHECK_IN, as: 'patient', payload: '[]', status: 400 },
  {
    name: 'soreness as string',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: '5', symptoms: [] },
    status: 400,
    field: 'soreness',
  },
  {
    name: 'soreness above 10',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: 11, symptoms: [] },
    status: 400,
    field: 'soreness',
  },
  {
    name: 'soreness below 0',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: -1, symptoms: [] },
    status: 400,
    field: 'soreness',
  },
  {
    name: 'soreness fraction',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: 3.5, symptoms: [] },
    status: 400,
    field: 'soreness',
  },
  {
    name: 'soreness missing',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { symptoms: [] },
    status: 400,
    field: 'soreness',
  },
  {
    name: 'unknown symptom',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: 2, symptoms: ['headache'] },
    status: 400,
    field: 'symptoms[0]',
  },
  {
    name: 'duplicate symptom',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: 2, symptoms: ['fever', 'fever'] },
    status: 400,
    field: 'symptoms',
  },
  {
    name: 'symptoms not an array',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: 2, symptoms: 'fever' },
    status: 400,
    field: 'symptoms',
  },
  {
    name: 'unknown field',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: 2, symptoms: [], mood: 'ok' },
    status: 400,
    field: 'mood',
  },
  {
    // A long note is cut, never refused (decision 1201); a note that is not text is refused.
    name: 'note not text',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: 2, symptoms: [], note: ['x'] },
    status: 400,
    field: 'note',
  },
  {
    name: 'huge body',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: 2, symptoms: [], note: 'x'.repeat(200_000) },
    status: 413,
  },
  {
    name: 'text/plain body',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: 'soreness=3',
    contentType: 'text/plain',
    status: 415,
  },
  {
    name: 'bad idempotency key',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: { soreness: 2, symptoms: [] },
    headers: { 'idempotency-key': 'has spaces in it' },
    status: 400,
    field: 'headers.idempotency-key',
  },
  {
    name: 'proto poisoning',
    method: 'POST',
    url: CHECK_IN,
    as: 'patient',
    payload: '{"soreness": 2, "symptoms": [], "__proto__": {"x": 1}}',
    status: 400,
  },
  // Recording a session
  {
    name: 'no sites',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: { patient: { displayName: 'P' }, performedAt: WHEN, sites: [] },
    status: 400,
    field: 'sites',
  },
  {
    name: 'unknown muscle',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: { patient: { displayName: 'P' }, performedAt: WHEN, sites: [{ muscle: 'brain' }] },
    status: 400,
    field: 'sites[0].muscle',
  },
  {
    name: 'bad side',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: {
      patient: { displayName: 'P' },
      performedAt: WHEN,
      sites: [{ muscle: 'quadriceps', side: 'up' }],
    },
    status: 400,
    field: 'sites[0].side',
  },
  {
    name: 'zero needles',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: {
      patient: { displayName: 'P' },
      performedAt: WHEN,
      sites: [{ ...SITE, needleCount: 0 }],
    },
    status: 400,
    field: 'sites[0].needleCount',
  },
  {
    name: 'midline on a limb muscle (decision 1220)',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: {
      patient: { displayName: 'P', phone: '+44 7700 900123' },
      performedAt: WHEN,
      sites: [SITE, { muscle: 'quadriceps', side: 'midline' }],
    },
    status: 400,
    field: 'sites[1].side',
  },
  {
    name: 'unknown site field',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: { patient: { displayName: 'P' }, performedAt: WHEN, sites: [{ ...SITE, depth: 3 }] },
    status: 400,
    field: 'sites[0].depth',
  },
  {
    name: 'performedAt not a date',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: { patient: { displayName: 'P' }, performedAt: 'yesterday', sites: [SITE] },
    status: 400,
    field: 'performedAt',
  },
  {
    name: 'performedAt in the future',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: {
      patient: { displayName: 'P' },
      performedAt: '2026-11-26T08:00:00.000Z',
      sites: [SITE],
    },
    status: 400,
    field: 'performedAt',
  },
  {
    name: 'both patient references',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: {
      patientId: '00000000-0000-4000-8000-000000000000',
      patient: { displayName: 'P' },
      performedAt: WHEN,
      sites: [SITE],
    },
    status: 400,
    field: 'patientId',
  },
  {
    name: 'no patient reference',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: { performedAt: WHEN, sites: [SITE] },
    status: 400,
    field: 'patientId',
  },
  {
    name: 'patientId not a uuid',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: { patientId: '42', performedAt: WHEN, sites: [SITE] },
    status: 400,
    field: 'patientId',
  },
  {
    name: 'quick-add e-mail invalid',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: { patient: { displayName: 'P', email: 'nope' }, performedAt: WHEN, sites: [SITE] },
    status: 400,
    field: 'patient.email',
  },
  {
    name: 'quick-add unknown field',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: { patient: { displayName: 'P', ssn: '1' }, performedAt: WHEN, sites: [SITE] },
    status: 400,
    field: 'patient.ssn',
  },
  {
    name: 'too many sites',
    method: 'POST',
    url: SESSIONS,
    as: 'practitioner',
    payload: {
      patient: { displayName: 'P' },
      performedAt: WHEN,
      sites: Array.from({ length: 41 }, () => SITE),
    },
    status: 400,
    field: 'sites',
  },
  // Patients
  {
    name: 'patient without name',
    method: 'POST',
    url: () => '/api/v1/patients',
    as: 'practitioner',
    payload: { email: 'a@example.test' },
    status: 400,
    field: 'displayName',
  },
  {
    name: 'patient language',
    method: 'POST',
    url: () => '/api/v1/patients',
    as: 'practitioner',
    payload: { displayName: 'A', language: 'fr' },
    status: 400,
    field: 'language',
  },
  {
    name: 'search limit not a number',
    method: 'GET',
    url: () => '/api/v1/patients?limit=abc',
    as: 'practitioner',
    status: 400,
    field: 'querystring.limit',
  },
  {
    name: 'search limit too big',
    method: 'GET',
    url: () => '/api/v1/patients?limit=1000',
    as: 'practitioner',
    status: 400,
    field: 'querystring.limit',
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    url: () => '/api/v1/patients?sort=name',
    as: 'practitioner',
    status: 400,
    field: 'querystring.sort',
  },
  {
    name: 'id not a uuid',
    method: 'GET',
    url: () => '/api/v1/patients/123',
    as: 'practitioner',
    status: 400,
    field: 'params.id',
  },
  // Alerts
  {
    name: 'alert status filter',
    method: 'GET',
    url: () => '/api/v1/alerts?status=closed',
    as: 'practitioner',
    status: 400,
    field: 'querystring.status',
  },
  {
    name: 'resolve without note',
    method: 'POST',
    url: () => '/api/v1/alerts/00000000-0000-4000-8000-000000000000/resolve',
    as: 'practitioner',
    payload: {},
    status: 400,
    field: 'note',
  },
  {
    name: 'resolve with empty note',
    method: 'POST',
    url: () => '/api/v1/alerts/00000000-0000-4000-8000-000000000000/resolve',
    as: 'practitioner',
    payload: { note: '' },
    status: 400,
    field: 'note',
  },
  // Clinic settings
  {
    name: 'unknown time zone',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { timeZone: 'Mars/Olympus_Mons' },
    status: 400,
    field: 'timeZone',
  },
  {
    name: 'emergency number with letters',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { emergencyNumber: 'call 911' },
    status: 400,
    field: 'emergencyNumber',
  },
  {
    name: 'empty plan',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { checkInPlanHours: [] },
    status: 400,
    field: 'checkInPlanHours',
  },
  {
    name: 'repeated plan hours',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { checkInPlanHours: [24, 24] },
    status: 400,
    field: 'checkInPlanHours',
  },
  {
    name: 'thoracic plan starting late',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { thoracicPlanHours: [24, 48] },
    status: 400,
    field: 'thoracicPlanHours',
  },
  {
    name: 'unsupported language',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { languages: ['fr'] },
    status: 400,
    field: 'languages[0]',
  },
  {
    name: 'default language not offered',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { defaultLanguage: 'es', languages: ['en'] },
    status: 400,
    field: 'defaultLanguage',
  },
  {
    name: 'coverage backwards',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { coverage: { mon: [['18:00', '08:00']] } },
    status: 400,
    field: 'coverage.mon[0]',
  },
  {
    name: 'coverage bad time',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { coverage: { mon: [['8am', '18:00']] } },
    status: 400,
    field: 'coverage.mon[0][0]',
  },
  {
    name: 'coverage unknown day',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { coverage: { funday: [] } },
    status: 400,
    field: 'coverage.funday',
  },
  {
    name: 'link ttl zero',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { linkTtlDays: 0 },
    status: 400,
    field: 'linkTtlDays',
  },
  { name: 'empty patch', method: 'PATCH', url: CLINIC, as: 'admin', payload: {}, status: 400 },
  {
    name: 'unknown setting',
    method: 'PATCH',
    url: CLINIC,
    as: 'admin',
    payload: { rulebook: 'lenient' },
    status: 400,
    field: 'rulebook',
  },
  // Escalation settings (decision 0502)
  {
    name: 'escalation contact with a bad e-mail',
    method: 'PATCH',
    url: ESCALATION,
    as: 'admin',
    payload: { contacts: [{ name: 'Backup', email: 'not-an-address' }] },
    status: 400,
    field: 'contacts[0].email',
  },
  {
    name: 'escalation contact with neither e-mail nor phone',
    method: 'PATCH',
    url: ESCALATION,
    as: 'admin',
    payload: { contacts: [{ name: 'Backup', email: 'b@clinic.test' }, { name: 'Nobody' }] },
    status: 400,
    field: 'contacts[1]',
  },
  {
    name: 'escalation contact in an unknown language',
    method: 'PATCH',
    url: ESCALATION,
    as: 'admin',
    payload: { contacts: [{ name: 'Backup', phone: '+34600000001', language: 'fr' }] },
    status: 400,
    field: 'contacts[0].language',
  },
  {
    name: 'escalation after zero minutes',
    method: 'PATCH',
    url: ESCALATION,
    as: 'admin',
    payload: { emergencyMinutes: 0 },
    status: 400,
    field: 'emergencyMinutes',
  },
  {
    name: 'escalation webhooks through the wrong door',
    method: 'PATCH',
    url: ESCALATION,
    as: 'admin',
    payload: { webhooks: [] },
    status: 400,
    field: 'webhooks',
  },
  // Staff and tokens
  {
    name: 'a password typed for a colleague (invitations only)',
    method: 'POST',
    url: () => '/api/v1/admin/staff',
    as: 'admin',
    payload: { email: 'n@example.test', displayName: 'N', password: 'long enough password' },
    status: 400,
    field: 'password',
  },
  {
    name: 'staff e-mail invalid',
    method: 'POST',
    url: () => '/api/v1/admin/staff',
    as: 'admin',
    payload: { email: 'n', displayName: 'N' },
    status: 400,
    field: 'email',
  },
  {
    name: 'staff role unknown',
    method: 'POST',
    url: () => '/api/v1/admin/staff',
    as: 'admin',
    payload: {
      email: 'n@example.test',
      displayName: 'N',
      role: 'owner',
    },
    status: 400,
    field: 'role',
  },
  {
    name: 'token without name',
    method: 'POST',
    url: () => '/api/v1/admin/api-tokens',
    as: 'admin',
    payload: {},
    status: 400,
    field: 'name',
  },
  // Sign-in
  {
    name: 'sign-in without password',
    method: 'POST',
    url: () => '/api/v1/auth/sign-in',
    as: 'patient',
    payload: { email: 'a@example.test' },
    status: 400,
    field: 'password',
  },
  {
    name: 'sign-in extra field',
    method: 'POST',
    url: () => '/api/v1/auth/sign-in',
    as: 'patient',
    payload: { email: 'a@example.test', password: 'x', remember: true },
    status: 400,
    field: 'remember',
  },
];

describeEachDialect('bad input', (ctx) => {
  let w: World;
  let s: CreatedSession;
  beforeAll(async () => {
    w = await makeWorld(ctx.db);
    s = await createSession(w.app, w.pracA, { performedAt: WHEN });
  });

  async function snapshot() {
    const counts = await countRows(ctx.db);
    const audit = await ctx.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const clinic = await ctx.db
      .selectFrom('clinics')
      .selectAll()
      .where('id', '=', w.a.clinicId)
      .executeTakeFirstOrThrow();
    return { counts, audit: Number(audit.n), clinic };
  }

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s → 4xx problem naming the field, nothing stored',
    async (_name, c) => {
      const before = await snapshot();
      const auth =
        c.as === 'admin'
          ? w.adminA.headers(c.method !== 'GET')
          : c.as === 'practitioner'
            ? w.pracA.headers(c.method !== 'GET')
            : {};
      const raw = typeof c.payload === 'string';
      const res = await w.app.inject({
        method: c.method,
        url: c.url(s),
        headers: {
          ...auth,
          ...c.headers,
          ...(c.payload === undefined
            ? {}
            : { 'content-type': c.contentType ?? 'application/json' }),
        },
        ...(c.payload === undefined
          ? {}
          : { payload: raw ? (c.payload as string) : JSON.stringify(c.payload) }),
      });
      expect(res.statusCode, res.body).toBe(c.status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const problem = json<{
        type: string;
        title: string;
        status: number;
        detail: string;
        errors: { field: string; message: string }[];
      }>(res);
      expect(problem).toMatchObject({ status: c.status });
      expect(problem.type).toMatch(/^https:\/\//);
      expect(problem.title.length).toBeGreaterThan(0);
      if (c.field !== undefined) expect(problem.errors.map((e) => e.field)).toContain(c.field);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('hides 5xx details', async () => {
    // A failure that is not the caller's fault: the database handle is closed.
    const dead = ctx.openAnother();
    await sql`select 1`.execute(dead);
    await dead.destroy();
    const app = await buildApp({
      config: testConfig(),
      db: dead,
      clock: w.clock,
      logger: createLogger('silent'),
    });
    const res = await app.inject({ method: 'GET', url: `/api/v1/p/${s.token}` });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(json(res)).toMatchObject({
      code: 'internal',
      detail: 'Something went wrong on our side. It has been logged.',
      errors: [],
    });
    expect(res.body).not.toMatch(/driver|destroyed|stack|at /i);
    await app.close();
  });
});
