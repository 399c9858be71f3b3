import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import {
  auditActions,
  type Browser,
  createSession,
  LEG_SITE,
  PASSWORD,
  type SeededClinic,
  seedClinic,
  signIn,
  T0,
  THORACIC_SITE,
  testConfig,
} from '../../api/test-support.ts';
import { type ManualClock, manualClock } from '../../services/clock.ts';
import { readJobSettings } from '../../services/job-settings.ts';
import { findAlert } from '../../store/alerts.repository.ts';
import { findClinic } from '../../store/clinics.repository.ts';
import type { Db } from '../../store/db.ts';
import { dashboardPlugin } from './dashboard.plugin.ts';
import { emergencyCheckIn } from './test-support.ts';

/** The API app with the dashboard registered the way the lead will register it. */
async function makeApp(
  db: Db,
  pollMs = 2000,
): Promise<{ app: FastifyInstance; clock: ManualClock }> {
  const clock = manualClock(T0);
  const app = await buildApp({ config: testConfig(), db, clock, logger: createLogger('silent') });
  await app.register(dashboardPlugin, { prefix: '/app', pollMs });
  await app.ready();
  return { app, clock };
}

const form = (fields: Record<string, string | string[]>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields))
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
};

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describeEachDialect('dashboard routes', (ctx) => {
  let app: FastifyInstance;
  let clock: ManualClock;
  let a: SeededClinic;
  let b: SeededClinic;
  let pracA: Browser;
  let adminA: Browser;
  let pracB: Browser;

  beforeAll(async () => {
    ({ app, clock } = await makeApp(ctx.db));
    a = await seedClinic(ctx.db, 'Dash A');
    b = await seedClinic(ctx.db, 'Dash B');
    pracA = await signIn(app, a.practitionerEmail);
    adminA = await signIn(app, a.adminEmail);
    pracB = await signIn(app, b.practitionerEmail);
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, who?: Browser, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'GET',
      url,
      headers: { ...(who === undefined ? {} : { cookie: who.cookie }), ...headers },
    });
  const post = (
    url: string,
    who: Browser | undefined,
    fields: Record<string, string | string[]>,
    csrf: string | null = who?.csrf ?? null,
  ) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, ...(who === undefined ? {} : { cookie: who.cookie }) },
      payload: form({ ...fields, ...(csrf === null ? {} : { _csrf: csrf }) }),
    });

  /** A session of clinic A with an emergency check-in: the alert id. */
  async function emergency(): Promise<{ alertId: string; patientId: string; token: string }> {
    return emergencyCheckIn(app, pracA);
  }

  describe('access', () => {
    it.each([
      '/app',
      '/app/sessions/new',
      '/app/register',
      '/app/clinic',
      `/app/patients/${crypto.randomUUID()}`,
    ])('sends an anonymous GET %s to the sign-in page', async (url) => {
      const res = await get(url);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/app/sign-in?next=${encodeURIComponent(url)}`);
    });

    it('sends anonymous form posts to sign-in and refuses the event stream', async () => {
      const res = await post('/app/sessions', undefined, { patientId: 'new' }, 'x');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/app/sign-in');
      expect((await get('/app/events')).statusCode).toBe(401);
    });

    it('keeps a practitioner out of the clinic page (403) and lets the admin in', async () => {
      const res = await get('/app/clinic', pracA);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('text/html');
      expect((await get('/app/clinic', adminA)).statusCode).toBe(200);
      expect((await post('/app/clinic/settings', pracA, { name: 'Hijack' })).statusCode).toBe(403);
    });

    it("never shows another clinic's patient or alert (404)", async () => {
      const { alertId, patientId } = await emergency();
      const page = await get(`/app/patients/${patientId}`, pracB);
      expect(page.statusCode).toBe(404);
      expect(page.body).not.toContain('Test Patient');
      const ack = await post(`/app/alerts/${alertId}/acknowledge`, pracB, {});
      expect(ack.statusCode).toBe(404);
      const resolve = await post(`/app/alerts/${alertId}/resolve`, pracB, { note: 'not mine' });
      expect(resolve.statusCode).toBe(404);
      expect((await findAlert(ctx.db, a.clinicId, alertId))?.status).toBe('open');
      const queueB = await get('/app', pracB);
      expect(queueB.body).not.toContain(alertId);
      expect((await get(`/app/patients/${patientId}`, pracA)).statusCode).toBe(200);
    });

    it('answers 404 pages for unknown ids and paths', async () => {
      expect((await get('/app/patients/not-a-uuid', pracA)).statusCode).toBe(404);
      // A service's not_found becomes the 404 page, not a 500.
      const ack = await post('/app/alerts/not-a-uuid/acknowledge', pracA, {});
      expect(ack.statusCode).toBe(404);
      expect(ack.headers['content-type']).toContain('text/html');
      const res = await get('/app/nothing-here', pracA);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
    });
  });

  describe('sign in and out', () => {
    it('signs in through the form with a double-submit token and signs out', async () => {
      const page = await get('/app/sign-in?next=%2Fapp%2Fregister');
      expect(page.statusCode).toBe(200);
      const csrfCookie = page.cookies.find((c) => c.name === 'needlecare_signin_csrf');
      expect(csrfCookie).toBeDefined();
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      expect(token).toBe(csrfCookie?.value);
      const cookie = `needlecare_signin_csrf=${csrfCookie?.value}`;
      const send = (fields: Record<string, string>) =>
        app.inject({
          method: 'POST',
          url: '/app/sign-in',
          headers: { ...FORM, cookie },
          payload: form(fields),
        });

      const noToken = await send({ email: a.practitionerEmail, password: PASSWORD, next: '/app' });
      expect(noToken.statusCode).toBe(403);
      const wrong = await send({
        _csrf: token ?? '',
        email: a.practitionerEmail,
        password: 'wrong password',
        next: '/app',
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.body).toContain('The e-mail address or password is wrong.');
      const ok = await send({
        _csrf: token ?? '',
        email: a.practitionerEmail,
        password: PASSWORD,
        next: '/app/register',
      });
      expect(ok.statusCode).toBe(303);
      expect(ok.headers.location).toBe('/app/register');
      const session = ok.cookies.find((c) => c.name === '__Host-needlecare_session');
      expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
      const me: Browser = {
        cookie: `${session?.name}=${session?.value}`,
        csrf: '',
        headers: () => ({}),
      };
      const home = await get('/app', me);
      expect(home.statusCode).toBe(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1] ?? '';

      const out = await post('/app/sign-out', me, {}, csrf);
      expect(out.statusCode).toBe(303);
      expect(out.headers.location).toBe('/app/sign-in?signedOut=1');
      expect((await get('/app', me)).statusCode).toBe(303);
      expect(await auditActions(ctx.db, 'auth.sign_out')).not.toHaveLength(0);
    });

    it('refuses an outside next= target', async () => {
      const page = await get('/app/sign-in?next=https%3A%2F%2Fevil.example');
      expect(page.body).toContain('name="next" value="/app"');
    });
  });

  describe('alert queue', () => {
    it('shows an open emergency in a banner, in the title and first in the list, and audits the read', async () => {
      const { alertId } = await emergency();
      const res = await get('/app', pracA);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toContain('class="emergency-banner"');
      expect(res.body).toMatch(/<title data-base-title="[^"]*">\(\d+\) Alerts/);
      expect(res.body).toContain(`id="alert-${alertId}"`);
      expect(res.body).not.toMatch(/<script>|style="/);
      const list = await auditActions(ctx.db, 'alert.list');
      expect(list[0]?.actorId).toBe(a.practitionerId);
      expect(list[0]?.details).toContain('patientIds');
    });

    it('shows on the emergency card an infection reported after it opened (decision 1225)', async () => {
      const { alertId, token } = await emergency();
      const later = await app.inject({
        method: 'POST',
        url: `/api/v1/p/${token}/check-ins`,
        payload: { soreness: 2, symptoms: ['spreading_redness', 'fever'] },
      });
      expect(later.statusCode).toBe(201);
      const body = (await get('/app', pracA)).body;
      const start = body.indexOf(`id="alert-${alertId}"`);
      const card = body.slice(start, body.indexOf('</article>', start));
      expect(card).toContain('data-severity="emergency"');
      expect(card).toContain('Also reported while this alert was open');
      expect(card).toMatch(/class="also-reported"[\s\S]*needle spot that is spreading; Fever/);
      expect(card).toMatch(/class="also-reported"[\s\S]*signs of infection at a needle site/);
    });

    it('orders open alerts emergency, urgent, routine', async () => {
      const s = await createSession(app, pracA, { sites: [LEG_SITE] });
      const urgent = await app.inject({
        method: 'POST',
        url: `/api/v1/p/${s.token}/check-ins`,
        payload: { soreness: 3, symptoms: ['fever'] },
      });
      expect(urgent.statusCode).toBeLessThan(300);
      const body = (await get('/app', pracA)).body;
      const open = body.slice(body.indexOf('id="open-title"'), body.indexOf('id="ack-title"'));
      const order = [...open.matchAll(/data-severity="(\w+)"/g)].map((m) => m[1]);
      expect(order.length).toBeGreaterThan(1);
      const rank = { emergency: 0, urgent: 1, routine: 2 } as Record<string, number>;
      expect(order.map((x) => rank[x ?? ''])).toEqual([...order.map((x) => rank[x ?? ''])].sort());
    });

    it('acknowledges only with the form CSRF token, then resolves with a note', async () => {
      const { alertId } = await emergency();
      const none = await post(`/app/alerts/${alertId}/acknowledge`, pracA, {}, null);
      const wrong = await post(`/app/alerts/${alertId}/acknowledge`, pracA, {}, 'x'.repeat(43));
      const foreign = await post(`/app/alerts/${alertId}/acknowledge`, pracA, {}, adminA.csrf);
      expect([none.statusCode, wrong.statusCode, foreign.statusCode]).toEqual([403, 403, 403]);
      expect((await findAlert(ctx.db, a.clinicId, alertId))?.status).toBe('open');

      const ok = await post(`/app/alerts/${alertId}/acknowledge`, pracA, {});
      expect(ok.statusCode).toBe(303);
      expect((await findAlert(ctx.db, a.clinicId, alertId))?.acknowledgedBy).toBe(a.practitionerId);
      const again = await post(`/app/alerts/${alertId}/acknowledge`, pracA, {});
      expect(again.headers.location).toBe('/app?notice=gone');

      const empty = await post(`/app/alerts/${alertId}/resolve`, pracA, {
        note: '   ',
        outcome: 'false_alarm',
      });
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toContain('Write what was done before resolving.');
      expect((await findAlert(ctx.db, a.clinicId, alertId))?.status).toBe('acknowledged');
      clock.advance(60_000);
      const resolved = await post(`/app/alerts/${alertId}/resolve`, pracA, {
        note: 'Called, sent to A&E <b>now</b>',
        outcome: 'confirmed',
        outcomeClass: 'serious',
      });
      expect(resolved.statusCode).toBe(303);
      const alert = await findAlert(ctx.db, a.clinicId, alertId);
      expect(alert).toMatchObject({
        status: 'resolved',
        resolvedBy: a.practitionerId,
        resolutionNote: 'Called, sent to A&E <b>now</b>',
      });
      const page = (await get('/app', pracA)).body;
      expect(page).toContain('Resolved by Pia Practitioner');
      expect(page).toContain('A&amp;E &lt;b&gt;now&lt;/b&gt;');
      expect((await auditActions(ctx.db, 'alert.acknowledge'))[0]?.subjectId).toBe(alertId);
      expect((await auditActions(ctx.db, 'alert.resolve'))[0]?.subjectId).toBe(alertId);
    });

    it("says how long after the session a report came, in the page's language and its numbers", async () => {
      const s = await createSession(app, pracA, {
        sites: [LEG_SITE],
        performedAt: new Date(clock.now().getTime() - 20.5 * 3_600_000).toISOString(),
      });
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/p/${s.token}/check-ins`,
        payload: { soreness: 3, symptoms: ['fever'] },
      });
      const alertId = (res.json() as { openAlert: { id: string } }).openAlert.id;
      const why = (body: string) => {
        const card = body.slice(body.indexOf(`id="alert-${alertId}"`));
        return /<p class="why">([\s\S]*?)<\/p>/.exec(card)?.[1] ?? '';
      };
      expect(why((await get('/app', pracA)).body)).toContain(
        'Soreness 3/10 · 20.5 h after the session · Symptoms:',
      );
      expect(why((await get('/app?lang=es', pracA)).body)).toContain(
        'Dolor 3/10 · 20,5 h después de la sesión · Síntomas:',
      );
      // The patient's table and printable record write the hours as the page's language does.
      const table = (await get(`/app/patients/${s.patientId}?lang=es`, pracA)).body;
      expect(table).toMatch(/<td>3\/10<\/td><td>20,5<\/td>/);
      const print = (await get(`/app/patients/${s.patientId}/print?lang=es`, pracA)).body;
      expect(print).toMatch(/<tr><td>[^<]*<\/td><td>20,5<\/td><td>3\/10/);
    });

    it('asks for a reload as served: only its script, once live, says the list updates itself', async () => {
      const body = (await get('/app', pracA)).body;
      expect(body).toContain(
        '<span id="live-status" data-live="This list updates by itself.">Reload this page to see new alerts.</span>',
      );
      expect((await get('/app?lang=es', pracA)).body).toContain(
        '>Vuelva a cargar esta página para ver los avisos nuevos.</span>',
      );
    });

    it('writes the queue one byte a character: quotes and the like as numeric references (decision 1458)', async () => {
      await emergency();
      for (const path of ['/app', '/app?lang=es', '/app/alerts/fragment']) {
        const body = (await get(path, pracA)).body;
        expect(body).toContain('class="alert-card');
        expect(body, path).not.toMatch(/[\u0100-\uffff]/);
      }
      expect((await get('/app', pracA)).body).toContain(
        'What happened (optional, e.g. &#8220;called, no answer&#8221;)</label>',
      );
    });

    it('sends a queue of many cards in parts, with the length of the whole; HEAD answers that length', async () => {
      // A clinic of its own, so the other tests' queue stays as it was.
      const c = await seedClinic(ctx.db, 'Dash Parts');
      const prac = await signIn(app, c.practitionerEmail);
      for (let i = 0; i < 12; i++) await emergencyCheckIn(app, prac);
      const res = await get('/app', prac);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body.match(/class="alert-card /g)?.length).toBeGreaterThanOrEqual(12);
      expect(res.body.endsWith('</html>')).toBe(true);
      expect(res.headers['content-length']).toBe(String(res.rawPayload.length));
      expect(res.headers['content-security-policy']).toBeDefined();
      const head = await app.inject({
        method: 'HEAD',
        url: '/app',
        headers: { cookie: prac.cookie },
      });
      expect(head.statusCode).toBe(200);
      expect(head.body).toBe('');
      expect(Number(head.headers['content-length'])).toBeGreaterThan(40_000);
      const fragment = await get('/app/alerts/fragment', prac);
      expect(fragment.headers['content-length']).toBe(String(fragment.rawPayload.length));
      expect(fragment.body.startsWith('<div id="queue-content"')).toBe(true);
    });

    it('shows a refused resolve or attempt again in its own card, with what was sent and what to add (decision 0403)', async () => {
      const { alertId } = await emergency();
      const card = (body: string) => {
        const start = body.indexOf(`id="alert-${alertId}"`);
        return body.slice(start, body.indexOf('</article>', start));
      };
      const before = await auditActions(ctx.db, 'alert.resolve');
      const noClass = await post(`/app/alerts/${alertId}/resolve?lang=es`, pracA, {
        note: 'Neumotórax <descartado> en urgencias',
        outcome: 'confirmed',
      });
      expect(noClass.statusCode).toBe(400);
      const refused = card(noClass.body);
      expect(refused).toContain(
        'Indique el resultado (y, si es un efecto adverso confirmado, su gravedad) antes de resolver.',
      );
      expect(refused).toContain('role="alert"');
      expect(refused).toContain('>Neumotórax &lt;descartado&gt; en urgencias</textarea>');
      expect(refused).toMatch(/value="confirmed" required checked>/);
      expect(refused).toContain(`action="/app/alerts/${alertId}/resolve#errors"`);
      // Nothing stored, and the page that shows the queue audits its read as the queue does.
      expect((await findAlert(ctx.db, a.clinicId, alertId))?.status).toBe('open');
      expect(await auditActions(ctx.db, 'alert.resolve')).toHaveLength(before.length);
      // Only that card carries the error and the typed words.
      expect(noClass.body.match(/id="errors"/g)).toHaveLength(1);

      const blank = await post(`/app/alerts/${alertId}/attempts`, pracA, { note: '  ' });
      expect(blank.statusCode).toBe(400);
      expect(card(blank.body)).toContain('Write what happened to record an attempt.');
      expect((await findAlert(ctx.db, a.clinicId, alertId))?.status).toBe('open');
    });

    it('serves the queue fragment without page chrome', async () => {
      const res = await get('/app/alerts/fragment', pracA);
      expect(res.statusCode).toBe(200);
      expect(res.body.startsWith('<div id="queue-content"')).toBe(true);
      expect(res.body).not.toContain('<html');
    });

    it('sends no queue whose read could not be audited, page or fragment (decision 1462)', async () => {
      // The queue is rendered while the read's audit event commits; a failed event drops it.
      const { alertId } = await emergency();
      const head = await ctx.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
      await ctx.db.deleteFrom('audit_head').execute();
      try {
        for (const path of ['/app', '/app/alerts/fragment']) {
          const res = await get(path, pracA);
          expect(res.statusCode).toBeGreaterThanOrEqual(500);
          expect(res.body).not.toContain(alertId);
        }
      } finally {
        await ctx.db.insertInto('audit_head').values(head).execute();
      }
      expect((await get('/app', pracA)).body).toContain(`id="alert-${alertId}"`);
    });
  });

  describe('record a session', () => {
    it('switching language keeps you on the page: the result keeps its one-time link; GET /app/sessions is the form', async () => {
      const res = await post('/app/sessions', pracA, {
        patientId: 'new',
        displayName: 'Lena Lang',
        email: 'lena@example.test',
        performedAt: '2026-11-25T09:45',
        site: ['deltoid:left'],
        recordKey: 'lang-switch-key-1',
      });
      expect(res.statusCode).toBe(200);
      const token = /\/p\/([A-Za-z0-9_-]{43})/.exec(res.body)?.[1] ?? '';
      const action =
        /<form method="post" action="(\/app\/sessions\/[0-9a-f-]{36}\/handover)\?lang=es"/.exec(
          res.body,
        )?.[1];
      expect(action).toBeDefined();
      const es = await post(`${action}?lang=es`, pracA, { token });
      expect(es.statusCode).toBe(200);
      expect(es.body).toContain('<html lang="es">');
      expect(es.body).toContain(`/p/${token}`);
      const forged = await post(`${action}?lang=es`, pracA, { token: 'x'.repeat(43) });
      expect(forged.statusCode).toBe(404);
      expect((await post(`${action}?lang=es`, pracB, { token })).statusCode).toBe(404);
      const get = await app.inject({
        method: 'GET',
        url: '/app/sessions?lang=es',
        headers: pracA.headers(),
      });
      expect(get.statusCode).toBe(303);
      expect(get.headers.location).toBe('/app/sessions/new?lang=es');
      const register = await app.inject({
        method: 'GET',
        url: '/app/register?period=30',
        headers: pracA.headers(),
      });
      expect(register.body).toContain('href="/app/register?period=30&amp;lang=es"');
    });

    it('asks for a phone or e-mail, or an explicit "no contact given" that the alert then states', async () => {
      const form = {
        patientId: 'new',
        displayName: 'Noel Nocontact',
        email: '',
        phone: '',
        language: 'en',
        performedAt: '2026-11-25T09:45',
        site: ['upper-trapezius:left'],
        notes: '',
      };
      const refused = await post('/app/sessions', pracA, form);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('Give a phone or an e-mail for the patient');
      const api = await app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        headers: pracA.headers(),
        payload: {
          patient: { displayName: 'Noel Nocontact' },
          performedAt: '2026-11-25T08:30:00.000Z',
          sites: [{ muscle: 'deltoid', side: 'left' }],
        },
      });
      expect(api.statusCode).toBe(400);
      expect(api.json().errors.map((e: { field: string }) => e.field)).toEqual(['patient.contact']);
      const ok = await post('/app/sessions', pracA, { ...form, noContact: '1' });
      expect(ok.statusCode).toBe(200);
      const link = /\/p\/([A-Za-z0-9_-]{43})/.exec(ok.body)?.[1] ?? '';
      const checkIn = await app.inject({
        method: 'POST',
        url: `/api/v1/p/${link}/check-ins`,
        payload: { soreness: 3, symptoms: ['chest_pain'] },
      });
      expect(checkIn.statusCode).toBe(201);
      const queue = (await get('/app', pracA)).body;
      expect(queue).toContain('No contact given');
    });

    it('shows how to reach the patient on an emergency card: tel: and mailto: links', async () => {
      const { alertId } = await emergency();
      const queue = (await get('/app', pracA)).body;
      const card = queue.slice(queue.indexOf(`id="alert-${alertId}"`));
      expect(card.slice(0, 4000)).toMatch(/href="mailto:p@example\.test"/);
      const listed = await app.inject({
        method: 'GET',
        url: '/api/v1/alerts?status=open',
        headers: pracA.headers(),
      });
      const item = listed.json().items.find((i: { id: string }) => i.id === alertId) as Record<
        string,
        unknown
      >;
      expect(item).toMatchObject({
        level: 'emergency',
        patientContact: { email: 'p@example.test', noContactGiven: false },
      });
    });

    it('offers midline only for the spinal muscles and refuses it elsewhere, naming the muscle (decision 1220)', async () => {
      const page = await get('/app/sessions/new', pracA);
      expect(page.body).toContain('value="lumbar-paraspinals:midline"');
      expect(page.body).not.toContain('value="deltoid:midline"');
      expect(page.body).not.toContain('value="upper-trapezius:midline"');
      const before = await ctx.db
        .selectFrom('needling_sessions')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      const res = await post('/app/sessions', pracA, {
        patientId: 'new',
        displayName: 'Mid Line',
        phone: '+44 7700 900111',
        language: 'en',
        performedAt: '2026-11-25T09:45',
        site: ['deltoid:midline'],
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Deltoid (Midline)');
      expect(res.body).toContain('is not needled at the midline');
      const after = await ctx.db
        .selectFrom('needling_sessions')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('records thoracic muscles on both sides, warns, and hands over link, QR code and handout', async () => {
      const before = await auditActions(ctx.db, 'session.create');
      const res = await post('/app/sessions', pracA, {
        patientId: 'new',
        displayName: 'Rosa Quick',
        email: 'rosa@example.test',
        phone: '',
        language: 'es',
        performedAt: '2026-11-25T09:45',
        site: ['upper-trapezius:left', 'upper-trapezius:right', 'tibialis-anterior:right'],
        'n_upper-trapezius': '2',
        notes: '',
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('id="bilateral-warning"');
      expect(res.body).not.toMatch(/id="bilateral-warning"[^>]*hidden/);
      expect(res.body).toMatch(/https:\/\/care\.example\.test\/p\/[A-Za-z0-9_-]{43}/);
      expect(res.body).toMatch(
        /href="https:\/\/care\.example\.test\/p\/[A-Za-z0-9_-]{43}\/handout"/,
      );
      expect(res.body).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
      expect(res.body).toContain('mailto:rosa%40example.test?subject=');
      const after = await auditActions(ctx.db, 'session.create');
      expect(after.length).toBe(before.length + 1);
      const row = await ctx.db
        .selectFrom('needling_sessions')
        .select(['performed_at', 'bilateral_thoracic'])
        .where('id', '=', after[0]?.subjectId ?? '')
        .executeTakeFirstOrThrow();
      // 09:45 in Madrid is 08:45 UTC.
      expect(row).toMatchObject({
        performed_at: '2026-11-25T08:45:00.000Z',
        bilateral_thoracic: 1,
      });
    });

    it('a refresh or double submit of the form records one session and shows it with the same link', async () => {
      const form = {
        patientId: 'new',
        displayName: 'Twice Tapped',
        phone: '+44 7700 900222',
        performedAt: '2026-11-25T09:50',
        site: ['deltoid:left'],
        notes: '',
        recordKey: 'form-key-1234',
      };
      const before = await auditActions(ctx.db, 'session.create');
      const first = await post('/app/sessions', pracA, form);
      const again = await post('/app/sessions', pracA, form);
      expect(first.statusCode).toBe(200);
      expect(again.statusCode).toBe(200);
      const after = await auditActions(ctx.db, 'session.create');
      expect(after.length).toBe(before.length + 1);
      const links = (body: string) =>
        /https:\/\/care\.example\.test\/p\/([A-Za-z0-9_-]{43})/.exec(body)?.[1];
      expect(links(again.body)).toBeDefined();
      expect(links(again.body)).toBe(links(first.body));
      const patients = await ctx.db
        .selectFrom('patients')
        .select('id')
        .where('display_name', '=', 'Twice Tapped')
        .execute();
      expect(patients).toHaveLength(1);
    });

    it('comes back with the choices kept and plain errors when something is missing', async () => {
      const res = await post('/app/sessions', pracA, {
        patientId: 'new',
        displayName: '',
        performedAt: 'soon',
        site: 'scalenes:left',
        n_scalenes: '500',
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Choose a patient or enter the new patient&#8217;s name.');
      expect(res.body).toContain('Enter when the session was performed');
      expect(res.body).toMatch(/value="scalenes:left" data-side="left" checked/);
      const future = await post('/app/sessions', pracA, {
        patientId: 'new',
        displayName: 'Late',
        performedAt: '2026-11-26T10:00',
        site: 'scalenes:left',
        n_scalenes: '500',
      });
      expect(future.statusCode).toBe(400);
      expect(future.body).toContain('Enter when the session was performed');
      expect(future.body).toContain('Needles per side');
    });

    it("finds the clinic's patients only, and audits the search", async () => {
      await createSession(app, pracB, { sites: [LEG_SITE] });
      const res = await get('/app/sessions/new?q=Test', pracA);
      expect(res.statusCode).toBe(200);
      const found = await auditActions(ctx.db, 'patient.search');
      expect(found[0]?.actorId).toBe(a.practitionerId);
      const ids = JSON.parse(found[0]?.details ?? '{}').patientIds as string[];
      const rows = await ctx.db
        .selectFrom('patients')
        .select('clinic_id')
        .where('id', 'in', ids.length > 0 ? ids : ['none'])
        .execute();
      expect(rows.every((r) => r.clinic_id === a.clinicId)).toBe(true);
      expect(res.body).toContain('data-enhance="filter"');
    });

    it('issues a new link for a lost handout; the old one stops working; other clinics get 404', async () => {
      const s = await createSession(app, pracA, { sites: [LEG_SITE] });
      expect((await post(`/app/sessions/${s.sessionId}/link`, pracB, {})).statusCode).toBe(404);
      expect((await post(`/app/sessions/${s.sessionId}/link`, pracA, {}, null)).statusCode).toBe(
        403,
      );
      const res = await post(`/app/sessions/${s.sessionId}/link`, pracA, {});
      expect(res.statusCode).toBe(200);
      const token = /\/p\/([A-Za-z0-9_-]{43})/.exec(res.body)?.[1];
      expect(token).toBeDefined();
      expect(token).not.toBe(s.token);
      expect((await app.inject({ method: 'GET', url: `/api/v1/p/${s.token}` })).statusCode).toBe(
        410,
      );
      expect((await app.inject({ method: 'GET', url: `/api/v1/p/${token}` })).statusCode).toBe(200);
      expect((await auditActions(ctx.db, 'patient_link.issue'))[0]?.actorId).toBe(a.practitionerId);
      // It says what happened: a new link, not a session saved.
      expect(res.body).toContain('<h1>New patient link issued</h1>');
      expect(res.body).toContain('Their earlier link no longer works.');
      expect(res.body).not.toContain('Session saved');
      expect(res.body).not.toContain('Record another session');
      // The language switch shows the same page again, in Spanish, still as a new link.
      const again = await post(`/app/sessions/${s.sessionId}/handover?lang=es`, pracA, {
        token: token ?? '',
        reissued: '1',
      });
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('<h1>Nuevo enlace para el paciente</h1>');
      expect(res.body).toMatch(/name="reissued" value="1"/);
    });

    it('refuses a patient of another clinic', async () => {
      const other = await createSession(app, pracB, { sites: [LEG_SITE] });
      const res = await post('/app/sessions', pracA, {
        patientId: other.patientId,
        performedAt: '2026-11-25T09:45',
        site: 'tibialis-anterior:left',
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Choose a patient');
    });
  });

  describe('patient view and register', () => {
    it("shows a patient's curve, check-ins with disposition and rules, alerts, and audits the read", async () => {
      const { patientId } = await emergency();
      const res = await get(`/app/patients/${patientId}`, pracA);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('class="chart"');
      expect(res.body).toContain('Emergency');
      expect(res.body).toMatch(/<code>[a-z0-9_.-]+<\/code>/i);
      expect((await auditActions(ctx.db, 'patient.timeline.read'))[0]?.subjectId).toBe(patientId);
    });

    it('shows the register per 1,000 sessions with the published rates', async () => {
      const res = await get('/app/register?period=30', pracA);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Brady et al. 2014');
      expect(res.body).toContain('class="bar-chart"');
      expect(res.body).toMatch(/Serious[\s\S]*?per 1,000/);
      expect((await get('/app/register?period=365&lang=es', pracA)).body).toContain(
        '<html lang="es">',
      );
    });

    it('counts confirmed adverse events next to the raw triage counts; CSV and print view', async () => {
      const before = (await get('/app/register.csv?period=30', pracA)).body;
      const seriousRow = (csv: string) =>
        csv
          .split('\r\n')
          .find((l) => l.startsWith('30,all,serious,'))
          ?.split(',') ?? [];
      const confirmedBefore = Number(seriousRow(before)[6]);
      const { alertId } = await emergency();
      // Raw triage counts the emergency at once; confirmed counts it only once staff say so.
      const raw = (await get('/app/register.csv?period=30', pracA)).body;
      expect(Number(seriousRow(raw)[6])).toBe(confirmedBefore);
      const resolved = await post(`/app/alerts/${alertId}/resolve`, pracA, {
        note: 'Pneumothorax confirmed in A&E',
        outcome: 'confirmed',
        outcomeClass: 'serious',
      });
      expect(resolved.statusCode).toBe(303);
      const csv = await get('/app/register.csv?period=30', pracA);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.headers['content-disposition']).toContain('attachment');
      expect(Number(seriousRow(csv.body)[6])).toBe(confirmedBefore + 1);
      const page = await get('/app/register?period=30', pracA);
      expect(page.body).toContain('Confirmed by staff');
      expect(page.body).toContain('href="/app/register.csv?period=30"');
      const print = await get('/app/register/print?period=30', pracA);
      expect(print.body).toContain('class="print-view"');
      expect(print.body).not.toContain('class="periods"');
      expect((await get('/app/register.csv?period=30', pracB)).body).not.toBe(csv.body);
    });
  });

  describe('clinic (admin)', () => {
    it('lists its sections at the top, each link landing on a heading of the page', async () => {
      for (const lang of ['en', 'es']) {
        const body = (await get(`/app/clinic?lang=${lang}`, adminA)).body;
        const nav = /<nav class="on-page"[\s\S]*?<\/nav>/.exec(body)?.[0] ?? '';
        const targets = [...nav.matchAll(/href="#([\w-]+)"/g)].map((m) => m[1]);
        expect(targets).toEqual([
          'staff-title',
          'settings-title',
          'escalation-title',
          'webhooks-title',
          'tokens-title',
        ]);
        for (const id of targets) expect(body).toMatch(new RegExp(`<h2 id="${id}">`));
      }
    });

    it('switches the patient contact in alert e-mails and webhooks off and on again (decision 1221)', async () => {
      const form = {
        name: 'Dash A',
        timeZone: 'Europe/Madrid',
        emergencyNumber: '112',
        contactPhone: '+34 910 000 000',
        checkInPlanHours: '4, 24, 48, 72',
        thoracicPlanHours: '2, 6, 24, 48, 72',
        languages: ['en', 'es'],
        defaultLanguage: 'en',
      };
      const page = await get('/app/clinic', adminA);
      expect(page.body).toMatch(/id="cs-contact" name="patientContactInAlerts" value="1" checked/);
      expect((await findClinic(ctx.db, a.clinicId))?.patientContactInAlerts).toBe(true);
      // A form without the tick box (an older page) leaves the setting alone.
      expect((await post('/app/clinic/settings', adminA, form)).statusCode).toBe(303);
      expect((await findClinic(ctx.db, a.clinicId))?.patientContactInAlerts).toBe(true);
      const off = await post('/app/clinic/settings', adminA, { ...form, contactSettingShown: '1' });
      expect(off.statusCode).toBe(303);
      expect((await findClinic(ctx.db, a.clinicId))?.patientContactInAlerts).toBe(false);
      expect((await get('/app/clinic', adminA)).body).not.toMatch(/id="cs-contact"[^>]*checked/);
      const api = await app.inject({
        method: 'PATCH',
        url: '/api/v1/admin/clinic',
        headers: {
          cookie: adminA.cookie,
          'x-csrf-token': adminA.csrf,
          'content-type': 'application/json',
        },
        payload: { patientContactInAlerts: true },
      });
      expect(api.statusCode, api.body).toBe(200);
      expect(api.json()).toMatchObject({ patientContactInAlerts: true });
      const bad = await app.inject({
        method: 'PATCH',
        url: '/api/v1/admin/clinic',
        headers: {
          cookie: adminA.cookie,
          'x-csrf-token': adminA.csrf,
          'content-type': 'application/json',
        },
        payload: { patientContactInAlerts: 'maybe' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('patientContactInAlerts');
    });

    /** The settings form as an admin sends it, every field right. */
    const settingsForm = {
      name: 'Dash A',
      timeZone: 'Europe/Lisbon',
      emergencyNumber: '112',
      contactPhone: '+351 21 000 0000',
      checkInPlanHours: '4, 24, 48, 72',
      thoracicPlanHours: '2, 6, 24, 48, 72',
      languages: ['en', 'es'],
      defaultLanguage: 'en',
      retentionYears: '10',
    };

    it('saves settings through the API validation and reports bad fields in words', async () => {
      const base = { ...settingsForm, cov_mon: '08:00-14:00, 16:00-20:00' };
      const page = await get('/app/clinic', adminA);
      expect(page.body).toContain('name="retentionYears"');
      expect(page.body).toContain('value="8"');
      for (const retentionYears of ['', 'eight', '0', '101', '2.5']) {
        const badRetention = await post('/app/clinic/settings', adminA, {
          ...base,
          retentionYears,
        });
        expect(badRetention.statusCode).toBe(400);
        expect(badRetention.body).toContain(
          'Keep records for (years): a whole number from 1 to 100',
        );
        expect((await findClinic(ctx.db, a.clinicId))?.retentionYears).toBe(8);
      }
      const bad = await post('/app/clinic/settings', adminA, {
        ...base,
        emergencyNumber: 'call us',
        cov_tue: '9 to 5',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('Tuesday');
      const badNumber = await post('/app/clinic/settings', adminA, {
        ...base,
        emergencyNumber: 'call us',
      });
      expect(badNumber.statusCode).toBe(400);
      expect(badNumber.body).toContain('Emergency number');
      const ok = await post('/app/clinic/settings', adminA, base);
      expect(ok.statusCode).toBe(303);
      const clinic = await findClinic(ctx.db, a.clinicId);
      expect(clinic).toMatchObject({
        timeZone: 'Europe/Lisbon',
        retentionYears: 10,
        checkInPlanHours: [4, 24, 48, 72],
        coverage: {
          mon: [
            ['08:00', '14:00'],
            ['16:00', '20:00'],
          ],
        },
      });
    });

    it("says the services' problems in the page's language, never as a pattern (decision 0401)", async () => {
      const base = settingsForm;
      const before = await findClinic(ctx.db, a.clinicId);
      const english = await post('/app/clinic/settings?lang=en', adminA, {
        ...base,
        emergencyNumber: '1-1-2',
        checkInPlanHours: '0.1, 24',
      });
      expect(english.statusCode).toBe(400);
      expect(english.body).toContain(
        'Emergency number: write the number as it is dialled: 2 to 16 digits (+, * and # allowed)',
      );
      expect(english.body).not.toContain('must match pattern');
      const spanish = await post('/app/clinic/settings?lang=es', adminA, {
        ...base,
        emergencyNumber: '1-1-2',
        contactPhone: 'llámenos',
        checkInPlanHours: '0.1, 24',
      });
      expect(spanish.statusCode).toBe(400);
      expect(spanish.body).toContain(
        'Número de emergencias: escriba el número tal como se marca: de 2 a 16 cifras (se admiten +, * y #)',
      );
      expect(spanish.body).toContain('Teléfono de la clínica: no es un número de teléfono');
      expect(spanish.body).toContain('debe ser al menos 0,5');
      expect(spanish.body).not.toMatch(/must |must match pattern/);
      expect(await findClinic(ctx.db, a.clinicId)).toEqual(before);

      const invite = await post('/app/clinic/staff?lang=es', adminA, {
        email: 'nia@',
        displayName: 'Nia New',
        role: 'practitioner',
      });
      expect(invite.statusCode).toBe(400);
      expect(invite.body).toContain('Correo electrónico: no es una dirección de correo');
      expect(invite.body).not.toContain('must match format');

      const quickAdd = await post('/app/sessions?lang=es', pracA, {
        patientId: 'new',
        displayName: 'Ana Ruiz',
        email: 'ana@',
        phone: 'llamar',
        language: 'es',
        performedAt: '2026-11-25T09:45',
        site: ['upper-trapezius:left'],
        notes: '',
      });
      expect(quickAdd.statusCode).toBe(400);
      expect(quickAdd.body).toContain('Correo electrónico: no es una dirección de correo');
      expect(quickAdd.body).toContain('Teléfono: no es un número de teléfono');
      expect(quickAdd.body).not.toMatch(/must match|\^\\\+/);
    });

    it('invites, re-sends, withdraws and deactivates; the form has no password field', async () => {
      const page = await get('/app/clinic', adminA);
      expect(page.body).not.toContain('name="password"');
      const email = `new.${Date.now()}@example.test`;
      const bad = await post('/app/clinic/staff', adminA, {
        email: 'not an address',
        displayName: 'Nia New',
        role: 'practitioner',
      });
      expect(bad.statusCode).toBe(400);
      const added = await post('/app/clinic/staff', adminA, {
        email,
        displayName: 'Nia New',
        role: 'practitioner',
        language: 'es',
      });
      expect(added.statusCode).toBe(303);
      const dup = await post('/app/clinic/staff', adminA, {
        email,
        displayName: 'Nia Again',
        role: 'practitioner',
      });
      expect(dup.statusCode).toBe(409);
      expect(dup.body).toContain('someone in your clinic already has this address');
      const pending = await get('/app/clinic', adminA);
      expect(pending.body).toContain('Invited, no password yet');
      const nia = await ctx.db
        .selectFrom('staff_users')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      expect(
        (await post(`/app/clinic/staff/${nia.id}/resend-invitation`, adminA, {})).statusCode,
      ).toBe(303);
      expect(
        (await post(`/app/clinic/staff/${nia.id}/revoke-invitation`, adminA, {})).statusCode,
      ).toBe(303);
      // Without a role, the same default as the API: a practitioner.
      const roleless = `roleless.${Date.now()}@example.test`;
      const plain = await post('/app/clinic/staff', adminA, {
        email: roleless,
        displayName: 'Rory Roleless',
      });
      expect(plain.statusCode).toBe(303);
      expect(
        (
          await ctx.db
            .selectFrom('staff_users')
            .select('role')
            .where('email', '=', roleless)
            .executeTakeFirstOrThrow()
        ).role,
      ).toBe('practitioner');
      const user = await ctx.db
        .selectFrom('staff_users')
        .select(['id', 'clinic_id'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      expect(user.clinic_id).toBe(a.clinicId);
      const off = await post(`/app/clinic/staff/${user.id}/deactivate`, adminA, {});
      expect(off.statusCode).toBe(303);
      expect(
        (
          await ctx.db
            .selectFrom('staff_users')
            .select('active')
            .where('id', '=', user.id)
            .executeTakeFirstOrThrow()
        ).active,
      ).toBe(0);
      // Another clinic's admin cannot touch clinic A's staff.
      const adminB = await signIn(app, b.adminEmail);
      expect(
        (await post(`/app/clinic/staff/${a.practitionerId}/deactivate`, adminB, {})).statusCode,
      ).toBe(404);
    });

    it('adds a webhook in FHIR form, changes its form, removes it; never shows the secret', async () => {
      const secret = 'dash-webhook-secret-0123456789';
      const plain = await post('/app/clinic/webhooks', adminA, {
        id: 'ehr',
        url: 'http://hooks.example.com/nc',
        secret,
        format: 'fhir',
      });
      expect(plain.statusCode).toBe(400);
      expect(plain.body).toContain('use an https:// address');
      expect(plain.body).toContain('value="http://hooks.example.com/nc"');
      expect(plain.body).not.toContain(secret);
      const short = await post('/app/clinic/webhooks', adminA, {
        id: 'ehr',
        url: 'https://hooks.example.com/nc',
        secret: 'short',
        format: 'fhir',
      });
      expect(short.statusCode).toBe(400);
      expect(short.body).toContain('Signing secret');
      const added = await post('/app/clinic/webhooks', adminA, {
        id: 'ehr',
        url: 'https://hooks.example.com/nc',
        secret,
        format: 'fhir',
      });
      expect(added.statusCode).toBe(303);
      const page = await get('/app/clinic?done=webhook&name=ehr', adminA);
      expect(page.body).toContain('Webhook ehr saved.');
      expect(page.body).toContain('https://hooks.example.com/nc');
      expect(page.body).toMatch(/<option value="fhir" selected>/);
      expect(page.body).not.toContain(secret);
      let stored = readJobSettings((await findClinic(ctx.db, a.clinicId))?.escalation ?? {});
      expect(stored.webhooks).toEqual([
        { id: 'ehr', url: 'https://hooks.example.com/nc', secret, format: 'fhir' },
      ]);
      // The row's own form: no secret sent, the stored one is kept.
      const changed = await post('/app/clinic/webhooks', adminA, {
        id: 'ehr',
        url: 'https://hooks.example.com/nc',
        format: 'native',
      });
      expect(changed.statusCode).toBe(303);
      stored = readJobSettings((await findClinic(ctx.db, a.clinicId))?.escalation ?? {});
      expect(stored.webhooks).toEqual([
        { id: 'ehr', url: 'https://hooks.example.com/nc', secret, format: 'native' },
      ]);
      expect(
        (
          await post('/app/clinic/webhooks', pracA, {
            id: 'x',
            url: 'https://a.example.com',
            secret,
          })
        ).statusCode,
      ).toBe(403);
      const pracDelete = await post('/app/clinic/webhooks/ehr/delete', pracA, {});
      expect(pracDelete.statusCode).toBe(403);
      expect((await post('/app/clinic/webhooks/ehr/delete', adminA, {})).statusCode).toBe(303);
      expect((await post('/app/clinic/webhooks/ehr/delete', adminA, {})).statusCode).toBe(404);
      stored = readJobSettings((await findClinic(ctx.db, a.clinicId))?.escalation ?? {});
      expect(stored.webhooks).toEqual([]);
    });
  });

  describe('escalation settings (decision 0502)', () => {
    const valid = {
      emergencyMinutes: '10',
      urgentMinutes: '90',
      routineMinutes: '',
      missedCheckInMinutes: '60',
      alertEmail: 'desk@dash-a.test',
      afterHoursPhone: '+34 900 111 222',
      c0_name: 'Dra. Guardia',
      c0_email: 'guardia@dash-a.test',
      c0_phone: '+34 600 111 222',
      c0_language: 'es',
      c1_name: '',
      c1_email: '',
      c1_phone: '',
      c1_language: '',
    };

    it('an admin sets who is told and when; a bad field is named and nothing is saved', async () => {
      const page = await get('/app/clinic', adminA);
      expect(page.body).toContain('Escalation: when nobody acknowledges an alert');
      expect(page.body).toMatch(/id="esc-emergencyMinutes"[^>]*value="15"/);
      expect(page.body).toContain('<legend>Contact 2</legend>');

      const before = (await findClinic(ctx.db, a.clinicId))?.escalation;
      const bad = await post('/app/clinic/escalation', adminA, {
        ...valid,
        urgentMinutes: 'soon',
        c0_email: 'guardia at dash',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain(
        'Urgent alerts: write a whole number of minutes, from 1 to 10080.',
      );
      // The form comes back as sent.
      expect(bad.body).toContain('value="guardia at dash"');
      expect((await findClinic(ctx.db, a.clinicId))?.escalation).toEqual(before);
      const badMail = await post('/app/clinic/escalation', adminA, {
        ...valid,
        c0_email: 'guardia at dash',
      });
      expect(badMail.statusCode).toBe(400);
      expect(badMail.body).toContain('Contact 1, E-mail: is not an e-mail address');
      const nothing = await post('/app/clinic/escalation', adminA, {
        ...valid,
        c1_name: 'Nadie',
      });
      expect(nothing.statusCode).toBe(400);
      expect(nothing.body).toContain('Contact 2: needs an e-mail or a phone');
      const spanish = await post('/app/clinic/escalation?lang=es', adminA, {
        ...valid,
        c1_name: 'Nadie',
        c0_phone: '12',
      });
      expect(spanish.statusCode).toBe(400);
      expect(spanish.body).toContain('Contacto 1, Teléfono para SMS: no es un número de teléfono');
      expect(spanish.body).toContain('Contacto 2: necesita un correo o un teléfono');
      expect((await findClinic(ctx.db, a.clinicId))?.escalation).toEqual(before);

      const saved = await post('/app/clinic/escalation', adminA, valid);
      expect(saved.statusCode).toBe(303);
      expect(saved.headers.location).toBe('/app/clinic?done=escalation');
      const stored = readJobSettings((await findClinic(ctx.db, a.clinicId))?.escalation ?? {});
      expect(stored).toMatchObject({
        timing: { emergencyMinutes: 10, urgentMinutes: 90, routineMinutes: null },
        contacts: [
          {
            name: 'Dra. Guardia',
            email: 'guardia@dash-a.test',
            phone: '+34 600 111 222',
            language: 'es',
          },
        ],
        alertEmail: 'desk@dash-a.test',
        afterHoursPhone: '+34 900 111 222',
        missedCheckInMinutes: 60,
      });
      const after = await get('/app/clinic?done=escalation', adminA);
      expect(after.body).toContain('Escalation settings saved.');
      expect(after.body).toMatch(/id="esc-c0-name"[^>]*value="Dra. Guardia"/);
      expect(after.body).toMatch(/<option value="es" lang="es" selected>/);
      // Emptying the row removes the contact; routine alerts then escalate after 8 hours.
      const removed = await post('/app/clinic/escalation', adminA, {
        ...valid,
        routineMinutes: '480',
        c0_name: '',
        c0_email: '',
        c0_phone: '',
        c0_language: '',
      });
      expect(removed.statusCode).toBe(303);
      const again = readJobSettings((await findClinic(ctx.db, a.clinicId))?.escalation ?? {});
      expect(again.contacts).toEqual([]);
      expect(again.timing.routineMinutes).toBe(480);
    });

    it('is for admins only', async () => {
      const before = (await findClinic(ctx.db, a.clinicId))?.escalation;
      expect((await post('/app/clinic/escalation', pracA, valid)).statusCode).toBe(403);
      expect((await findClinic(ctx.db, a.clinicId))?.escalation).toEqual(before);
    });
  });

  describe('every page', () => {
    it('links to the queue from every other page while an emergency is unacknowledged', async () => {
      await emergency();
      const res = await get('/app/register', pracA);
      expect(res.body).toContain('class="emergency-banner page-banner"');
      expect(res.body).toMatch(/<title[^>]*>\(\d+\) /);
      expect((await get('/app/register', pracB)).body).not.toContain('page-banner');
    });

    it('keeps the HTML routes out of the OpenAPI document', async () => {
      const doc = (await get('/api/openapi.json')).json() as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/app'))).toEqual([]);
    });
  });

  describe('static files', () => {
    it('serves the stylesheet and the module with their content types', async () => {
      const css = await get('/app/static/dashboard.css');
      const js = await get('/app/static/dashboard.js');
      expect([css.statusCode, js.statusCode]).toEqual([200, 200]);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect((await get('/app/static/../../package.json')).statusCode).toBe(404);
    });

    it('answers 404 for names of Object.prototype (issue 12, finding 5)', async () => {
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        const res = await get(`/app/static/${name}`);
        expect(res.statusCode, name).toBe(404);
      }
    });
  });
});

describeEachDialect('dashboard live updates', (ctx) => {
  it('pushes an alerts event when a check-in raises an alert (read from the database)', async () => {
    const { app } = await makeApp(ctx.db, 50);
    try {
      const c = await seedClinic(ctx.db, 'Live');
      const prac = await signIn(app, c.practitionerEmail);
      const s = await createSession(app, prac, { sites: [THORACIC_SITE] });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const events: { emergencies: number }[] = [];
      let raw = '';
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/app/events',
        headers: { cookie: prac.cookie },
      });
      const firstTwo = new Promise<void>((resolve, reject) => {
        req.on('response', (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            raw += chunk;
            events.splice(
              0,
              events.length,
              ...[...raw.matchAll(/event: alerts\ndata: (.*)\n\n/g)].map((m) =>
                JSON.parse(m[1] ?? '{}'),
              ),
            );
            if (events.length >= 2) resolve();
          });
        });
        req.on('error', reject);
      });
      req.end();
      await new Promise((r) => setTimeout(r, 200));
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/p/${s.token}/check-ins`,
        payload: { soreness: 2, symptoms: ['chest_pain'] },
      });
      expect(res.statusCode).toBeLessThan(300);
      await firstTwo;
      expect(events[0]?.emergencies).toBe(0);
      expect(events[1]?.emergencies).toBe(1);
      req.destroy();
    } finally {
      await app.close();
    }
  });
});
