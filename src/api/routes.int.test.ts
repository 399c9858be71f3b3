/** Happy paths of every route group, audit events per patient-data read/write, and logs. */
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { NOBODY, serviceDeps } from '../../test/service-deps.ts';
import { HOUR_MS } from '../services/clock.ts';
import { issuePasswordLink, setPasswordWithLink } from '../services/set-password.ts';
import { findStaffById } from '../store/staff.repository.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';
import {
  auditActions,
  createSession,
  json,
  LEG_SITE,
  makeWorld,
  PASSWORD,
  signIn,
  THORACIC_SITE,
  testConfig,
  type World,
} from './test-support.ts';

describeEachDialect('routes', (ctx) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(ctx.db, { sessionIdleMinutes: 60 * 24 * 30, sessionTtlHours: 24 * 30 });
  });

  describe('health and docs', () => {
    it('answers liveness and readiness', async () => {
      expect(json(await w.app.inject({ method: 'GET', url: '/healthz' }))).toEqual({
        status: 'ok',
      });
      expect(json(await w.app.inject({ method: 'GET', url: '/readyz' }))).toEqual({ status: 'ok' });
    });

    it('serves OpenAPI 3.1 with the problem schema and the docs page', async () => {
      const spec = json<{ openapi: string; paths: Record<string, unknown> }>(
        await w.app.inject({ method: 'GET', url: '/api/openapi.json' }),
      );
      expect(spec.openapi).toBe('3.1.0');
      expect(Object.keys(spec.paths)).toContain('/api/v1/p/{token}/check-ins');
      expect(JSON.stringify(spec)).toContain('idempotency_key_reused');
      const docs = await w.app.inject({ method: 'GET', url: '/api/docs/' });
      expect(docs.statusCode).toBe(200);
      expect(docs.headers['content-type']).toContain('text/html');
    });

    it('sets security headers and never caches API answers', async () => {
      const res = await w.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: w.pracA.headers(false),
      });
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
        'x-frame-options': 'DENY',
        'strict-transport-security': 'max-age=15724800; includeSubDomains',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('mounts extra plugins that share deps and the error handling', async () => {
      const app = await buildApp({
        config: testConfig(),
        db: ctx.db,
        clock: w.clock,
        logger: createLogger('silent'),
        plugins: [
          async (instance) => {
            instance.get('/extra', async () => ({ publicUrl: instance.deps.config.publicUrl }));
            instance.get('/extra/fail', async () => {
              throw new Error('boom');
            });
          },
        ],
      });
      expect(json(await app.inject({ method: 'GET', url: '/extra' }))).toEqual({
        publicUrl: 'https://care.example.test',
      });
      const fail = await app.inject({ method: 'GET', url: '/extra/fail' });
      expect(fail.statusCode).toBe(500);
      expect(fail.headers['content-type']).toContain('application/problem+json');
      await app.close();
    });

    it('answers unknown routes with a 404 problem that does not echo the URL', async () => {
      const res = await w.app.inject({ method: 'GET', url: '/api/v1/p/secret-token/nothing' });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('secret-token');
    });
  });

  describe('admin', () => {
    it('reads and changes clinic settings, audited', async () => {
      const get = await w.app.inject({
        method: 'GET',
        url: '/api/v1/admin/clinic',
        headers: w.adminA.headers(false),
      });
      expect(json(get)).toMatchObject({
        timeZone: 'Europe/Madrid',
        emergencyNumber: '112',
        checkInPlanHours: [4, 24, 48, 72, 168],
        linkTtlDays: 14,
      });
      const patch = await w.app.inject({
        method: 'PATCH',
        url: '/api/v1/admin/clinic',
        headers: w.adminA.headers(),
        payload: {
          timeZone: 'America/New_York',
          emergencyNumber: '911',
          contactPhone: '+1 212 555 0100',
          languages: ['en', 'es'],
          checkInPlanHours: [48, 4, 24],
          thoracicPlanHours: [2, 24],
          coverage: { mon: [['08:00', '18:00']], sat: [] },
          quietHours: { start: '21:00', end: '08:00' },
          linkTtlDays: 10,
        },
      });
      expect(patch.statusCode, patch.body).toBe(200);
      expect(json(patch)).toMatchObject({
        timeZone: 'America/New_York',
        checkInPlanHours: [4, 24, 48],
        languages: ['en', 'es'],
        linkTtlDays: 10,
      });
      expect(await auditActions(ctx.db, 'clinic.settings.update')).not.toHaveLength(0);
      // Back to the seed values for the other tests.
      await w.app.inject({
        method: 'PATCH',
        url: '/api/v1/admin/clinic',
        headers: w.adminA.headers(),
        payload: {
          timeZone: 'Europe/Madrid',
          emergencyNumber: '112',
          checkInPlanHours: [4, 24, 48, 72, 168],
          thoracicPlanHours: [2, 6, 24, 48, 72, 168],
          linkTtlDays: 14,
        },
      });
    });

    it('invites a practitioner (no password typed) who can sign in once they chose one; a duplicate e-mail is 409; deactivation ends their sessions', async () => {
      const email = `new.${Date.now()}@example.test`;
      const add = await w.app.inject({
        method: 'POST',
        url: '/api/v1/admin/staff',
        headers: w.adminA.headers(),
        payload: { email, displayName: 'Nia New' },
      });
      expect(add.statusCode).toBe(201);
      const user = json<{ id: string; role: string; active: boolean }>(add);
      expect(user).toMatchObject({ role: 'practitioner', active: true });
      expect(add.body).not.toContain('password');
      const typed = await w.app.inject({
        method: 'POST',
        url: '/api/v1/admin/staff',
        headers: w.adminA.headers(),
        payload: { email: `typed.${email}`, displayName: 'Typed', password: PASSWORD },
      });
      expect(typed.statusCode).toBe(400);
      const dup = await w.app.inject({
        method: 'POST',
        url: '/api/v1/admin/staff',
        headers: w.adminA.headers(),
        payload: { email: email.toUpperCase(), displayName: 'Dup' },
      });
      expect(dup.statusCode).toBe(409);
      // The e-mailed link is the outbox's; here a fresh link from the same building block.
      const deps = serviceDeps(ctx.db);
      const invited = await findStaffById(ctx.db, user.id);
      if (invited === undefined) throw new Error('invited user missing');
      const link = await issuePasswordLink(deps, ctx.db, {
        user: invited,
        purpose: 'invite',
        createdBy: null,
      });
      await setPasswordWithLink(deps, NOBODY, {
        token: decodeURIComponent(link.url.split('/set-password/')[1] ?? ''),
        password: PASSWORD,
      });
      const nia = await signIn(w.app, email);
      const list = json<{ items: { id: string }[] }>(
        await w.app.inject({
          method: 'GET',
          url: '/api/v1/admin/staff',
          headers: w.adminA.headers(false),
        }),
      );
      expect(list.items.map((u) => u.id)).toContain(user.id);
      const off = await w.app.inject({
        method: 'POST',
        url: `/api/v1/admin/staff/${user.id}/deactivate`,
        headers: w.adminA.headers(),
      });
      expect(json(off)).toMatchObject({ active: false });
      expect(
        (await w.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: nia.headers(false) }))
          .statusCode,
      ).toBe(401);
      const self = await w.app.inject({
        method: 'POST',
        url: `/api/v1/admin/staff/${w.a.adminId}/deactivate`,
        headers: w.adminA.headers(),
      });
      expect(self.statusCode).toBe(409);
    });
  });

  describe('patients', () => {
    it('creates, searches and reads a patient, auditing each', async () => {
      const created = await w.app.inject({
        method: 'POST',
        url: '/api/v1/patients',
        headers: w.pracA.headers(),
        payload: {
          displayName: 'Zoë Martínez',
          email: 'zoe@example.test',
          phone: '+34 611 222 333',
          language: 'es',
        },
      });
      expect(created.statusCode).toBe(201);
      const { id } = json<{ id: string }>(created);
      const found = json<{ items: { id: string }[] }>(
        await w.app.inject({
          method: 'GET',
          url: '/api/v1/patients?q=zoë&limit=5',
          headers: w.pracA.headers(false),
        }),
      );
      expect(found.items.map((p) => p.id)).toEqual([id]);
      const read = await w.app.inject({
        method: 'GET',
        url: `/api/v1/patients/${id}`,
        headers: w.pracA.headers(false),
      });
      expect(json(read)).toMatchObject({ id, displayName: 'Zoë Martínez', language: 'es' });
      expect((await auditActions(ctx.db, 'patient.create'))[0]).toMatchObject({
        subjectId: id,
        actorType: 'staff',
        actorId: w.a.practitionerId,
      });
      expect((await auditActions(ctx.db, 'patient.read'))[0]?.subjectId).toBe(id);
      expect((await auditActions(ctx.db, 'patient.search'))[0]?.details).toContain(id);
    });
  });

  describe('sessions', () => {
    it('records a session for an existing patient with plan, link and no warning', async () => {
      w.clock.set('2026-11-25T09:00:00.000Z');
      const p = json<{ id: string }>(
        await w.app.inject({
          method: 'POST',
          url: '/api/v1/patients',
          headers: w.pracA.headers(),
          payload: { displayName: 'Existing' },
        }),
      );
      const res = await w.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        headers: w.pracA.headers(),
        payload: {
          patientId: p.id,
          performedAt: '2026-11-25T10:00:00+01:00',
          sites: [LEG_SITE],
          notes: 'went well',
        },
      });
      expect(res.statusCode).toBe(201);
      const body = json<{
        session: { performedAt: string; thoracic: boolean; practitionerId: string };
        plan: { checkIns: { hoursAfter: number; dueAt: string }[] };
        warnings: unknown[];
        link: { url: string; expiresAt: string };
      }>(res);
      expect(body.session).toMatchObject({
        performedAt: '2026-11-25T09:00:00.000Z',
        thoracic: false,
        practitionerId: w.a.practitionerId,
      });
      expect(body.plan.checkIns.map((c) => c.hoursAfter)).toEqual([4, 24, 48, 72, 168]);
      expect(body.plan.checkIns[0]?.dueAt).toBe('2026-11-25T13:00:00.000Z');
      expect(body.warnings).toEqual([]);
      expect(body.link.url).toMatch(/^https:\/\/care\.example\.test\/p\/[A-Za-z0-9_-]{43}$/);
      expect(body.link.expiresAt).toBe('2026-12-09T09:00:00.000Z');
      const token = body.link.url.split('/p/')[1] ?? '';
      const stored = await ctx.db.selectFrom('patient_links').select('token_hash').execute();
      expect(stored.some((l) => l.token_hash === token)).toBe(false);
      expect((await auditActions(ctx.db, 'session.create'))[0]?.details).toContain(p.id);
    });

    it('warns about bilateral thoracic needling and plans early check-ins', async () => {
      w.clock.set('2026-11-25T09:00:00.000Z');
      const s = await createSession(w.app, w.pracA, {
        sites: [THORACIC_SITE, { muscle: 'rhomboid-major', side: 'right' }],
      });
      const body = s.body as {
        warnings: { code: string }[];
        plan: { thoracic: boolean; checkIns: { hoursAfter: number; early: boolean }[] };
      };
      expect(body.warnings.map((x) => x.code)).toEqual(['bilateral_thoracic']);
      expect(body.plan.thoracic).toBe(true);
      expect(body.plan.checkIns[0]).toMatchObject({ hoursAfter: 2, early: true });
      const one = await createSession(w.app, w.pracA, {
        // One side only (the same muscle and side twice would be refused as a repeat).
        sites: [THORACIC_SITE, { muscle: 'rhomboid-major', side: 'left' }],
      });
      expect((one.body as { warnings: unknown[] }).warnings).toEqual([]);
    });

    it('refuses a session older than the aftercare period, and a new link once it has ended', async () => {
      w.clock.set('2026-11-25T09:00:00.000Z');
      const old = await w.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        headers: w.pracA.headers(),
        payload: {
          patient: { displayName: 'Late', noContact: true },
          performedAt: '2026-11-10T09:00:00.000Z',
          sites: [LEG_SITE],
        },
      });
      expect(old.statusCode).toBe(400);
      expect(json<{ errors: { field: string }[] }>(old).errors[0]?.field).toBe('performedAt');
      const s = await createSession(w.app, w.pracA, { performedAt: '2026-11-20T09:00:00.000Z' });
      w.clock.set('2026-12-04T09:00:00.000Z');
      const reissue = await w.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${s.sessionId}/link`,
        headers: w.pracA.headers(),
      });
      expect(reissue.statusCode).toBe(409);
    });

    it('reads a session with its check-ins, alerts and link states, audited', async () => {
      w.clock.set('2026-11-25T09:00:00.000Z');
      const s = await createSession(w.app, w.pracA);
      await w.app.inject({
        method: 'POST',
        url: `/api/v1/p/${s.token}/check-ins`,
        payload: { soreness: 8, symptoms: [] },
      });
      const res = await w.app.inject({
        method: 'GET',
        url: `/api/v1/sessions/${s.sessionId}`,
        headers: w.pracA.headers(false),
      });
      const body = json<{
        checkIns: { assessment: { disposition: string } }[];
        alerts: { severity: string }[];
        links: { state: string }[];
      }>(res);
      expect(body.checkIns[0]?.assessment.disposition).toBe('contact_practitioner');
      expect(body.alerts.map((a) => a.severity)).toEqual(['routine']);
      expect(body.links.map((l) => l.state)).toEqual(['active']);
      expect((await auditActions(ctx.db, 'session.read'))[0]?.subjectId).toBe(s.sessionId);
    });
  });

  describe('alerts', () => {
    it('lists open first, then by severity and age; filters; acknowledges and resolves with 409 on repeats', async () => {
      const fresh = await makeWorld(ctx.db, { sessionIdleMinutes: 60 * 24, sessionTtlHours: 24 });
      fresh.clock.set('2026-11-25T09:00:00.000Z');
      const mk = async (symptoms: string[], soreness: number) => {
        const s = await createSession(fresh.app, fresh.pracA);
        fresh.clock.advance(HOUR_MS / 4);
        const r = await fresh.app.inject({
          method: 'POST',
          url: `/api/v1/p/${s.token}/check-ins`,
          payload: { soreness, symptoms },
        });
        return json<{ openAlert: { id: string } }>(r).openAlert.id;
      };
      const routine = await mk([], 8);
      const urgent = await mk(['fever'], 2);
      const emergency = await mk(['chest_pain'], 2);
      const urgent2 = await mk(['fainting'], 2);
      const list = async (qs = '') =>
        json<{ items: { id: string; status: string }[] }>(
          await fresh.app.inject({
            method: 'GET',
            url: `/api/v1/alerts${qs}`,
            headers: fresh.pracA.headers(false),
          }),
        ).items.map((a) => a.id);
      expect(await list()).toEqual([emergency, urgent, urgent2, routine]);

      const ack = await fresh.app.inject({
        method: 'POST',
        url: `/api/v1/alerts/${emergency}/acknowledge`,
        headers: fresh.pracA.headers(),
      });
      expect(json(ack)).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: fresh.a.practitionerId,
      });
      expect(
        (
          await fresh.app.inject({
            method: 'POST',
            url: `/api/v1/alerts/${emergency}/acknowledge`,
            headers: fresh.pracA.headers(),
          })
        ).statusCode,
      ).toBe(409);
      expect(await list()).toEqual([urgent, urgent2, routine, emergency]);
      expect(await list('?status=acknowledged')).toEqual([emergency]);
      expect(await list('?severity=urgent')).toEqual([urgent, urgent2]);

      // The same rule as the dashboard's form: a blank note resolves nothing.
      const blank = await fresh.app.inject({
        method: 'POST',
        url: `/api/v1/alerts/${emergency}/resolve`,
        headers: fresh.pracA.headers(),
        payload: { note: '  \n ', outcome: 'false_alarm' },
      });
      expect(blank.statusCode).toBe(400);
      expect(blank.headers['content-type']).toContain('application/problem+json');
      expect(json<{ errors: { field: string }[] }>(blank).errors.map((e) => e.field)).toEqual([
        'note',
      ]);
      expect(await list('?status=acknowledged')).toEqual([emergency]);

      const resolve = await fresh.app.inject({
        method: 'POST',
        url: `/api/v1/alerts/${emergency}/resolve`,
        headers: fresh.pracA.headers(),
        payload: {
          note: 'Sent to A&E, pneumothorax excluded',
          outcome: 'confirmed',
          outcomeClass: 'serious',
        },
      });
      expect(json(resolve)).toMatchObject({
        status: 'resolved',
        resolvedBy: fresh.a.practitionerId,
        resolutionNote: 'Sent to A&E, pneumothorax excluded',
      });
      const again = await fresh.app.inject({
        method: 'POST',
        url: `/api/v1/alerts/${emergency}/resolve`,
        headers: fresh.pracA.headers(),
        payload: { note: 'again', outcome: 'false_alarm' },
      });
      expect(again.statusCode).toBe(409);
      expect(json(again).code).toBe('conflict');
      const direct = await fresh.app.inject({
        method: 'POST',
        url: `/api/v1/alerts/${routine}/resolve`,
        headers: fresh.pracA.headers(),
        payload: { note: 'Expected soreness', outcome: 'false_alarm' },
      });
      expect(json(direct)).toMatchObject({
        status: 'resolved',
        acknowledgedBy: fresh.a.practitionerId,
      });
      expect(await auditActions(ctx.db, 'alert.resolve')).toHaveLength(2);
      await fresh.app.close();
    });
  });

  describe('timeline', () => {
    it("returns a patient's sessions, check-ins, assessments and alerts, audited", async () => {
      w.clock.set('2026-11-20T09:00:00.000Z');
      const first = await createSession(w.app, w.pracA, {
        performedAt: '2026-11-20T08:30:00.000Z',
      });
      w.clock.set('2026-11-21T09:00:00.000Z');
      await w.app.inject({
        method: 'POST',
        url: `/api/v1/p/${first.token}/check-ins`,
        payload: { soreness: 3, symptoms: [] },
      });
      w.clock.set('2026-11-24T09:00:00.000Z');
      const second = await createSession(w.app, w.pracA, {
        performedAt: '2026-11-24T08:30:00.000Z',
        patientId: first.patientId,
      });
      w.clock.set('2026-11-24T12:00:00.000Z');
      await w.app.inject({
        method: 'POST',
        url: `/api/v1/p/${second.token}/check-ins`,
        payload: { soreness: 2, symptoms: ['fever'] },
      });
      const res = await w.app.inject({
        method: 'GET',
        url: `/api/v1/patients/${first.patientId}/timeline`,
        headers: w.pracA.headers(false),
      });
      expect(res.statusCode).toBe(200);
      const body = json<{
        patient: { id: string };
        sessions: {
          session: { id: string };
          plan: { checkIns: unknown[] };
          checkIns: {
            soreness: number;
            assessment: { disposition: string; rules: { id: string }[] };
          }[];
          alerts: { severity: string }[];
        }[];
      }>(res);
      expect(body.patient.id).toBe(first.patientId);
      expect(body.sessions.map((s) => s.session.id)).toEqual([second.sessionId, first.sessionId]);
      expect(body.sessions[0]?.checkIns[0]?.assessment).toMatchObject({
        disposition: 'urgent_same_day',
        rules: [{ id: 'fever' }],
      });
      expect(body.sessions[0]?.alerts.map((a) => a.severity)).toEqual(['urgent']);
      expect(body.sessions[1]?.checkIns[0]?.soreness).toBe(3);
      expect(body.sessions[1]?.alerts).toEqual([]);
      expect((await auditActions(ctx.db, 'patient.timeline.read'))[0]).toMatchObject({
        subjectId: first.patientId,
        actorType: 'staff',
      });
    });
  });

  describe('audit', () => {
    it('every read or write of patient data appends an event naming the patient, from where', async () => {
      w.clock.set('2026-11-25T09:00:00.000Z');
      const s = await createSession(w.app, w.pracA);
      const check = json<{ openAlert: { id: string } }>(
        await w.app.inject({
          method: 'POST',
          url: `/api/v1/p/${s.token}/check-ins`,
          payload: { soreness: 2, symptoms: ['fever'] },
        }),
      );
      const alertId = check.openAlert.id;
      const staff = (unsafe: boolean) => w.pracA.headers(unsafe);
      const probes: {
        action: string;
        method: 'GET' | 'POST';
        url: string;
        payload?: object;
        headers?: Record<string, string>;
      }[] = [
        {
          action: 'patient.read',
          method: 'GET',
          url: `/api/v1/patients/${s.patientId}`,
          headers: staff(false),
        },
        {
          action: 'patient.search',
          method: 'GET',
          url: '/api/v1/patients?q=Test',
          headers: staff(false),
        },
        {
          action: 'patient.timeline.read',
          method: 'GET',
          url: `/api/v1/patients/${s.patientId}/timeline`,
          headers: staff(false),
        },
        {
          action: 'session.read',
          method: 'GET',
          url: `/api/v1/sessions/${s.sessionId}`,
          headers: staff(false),
        },
        { action: 'patient_link.read', method: 'GET', url: `/api/v1/p/${s.token}` },
        {
          action: 'check_in.create',
          method: 'POST',
          url: `/api/v1/p/${s.token}/check-ins`,
          payload: { soreness: 1, symptoms: [] },
        },
        { action: 'check_in.emergency', method: 'POST', url: `/api/v1/p/${s.token}/emergency` },
        { action: 'alert.list', method: 'GET', url: '/api/v1/alerts', headers: staff(false) },
        {
          action: 'alert.acknowledge',
          method: 'POST',
          url: `/api/v1/alerts/${alertId}/acknowledge`,
          headers: staff(true),
        },
        {
          action: 'alert.resolve',
          method: 'POST',
          url: `/api/v1/alerts/${alertId}/resolve`,
          payload: { note: 'ok', outcome: 'unrelated' },
          headers: staff(true),
        },
        {
          action: 'patient_link.revoke',
          method: 'POST',
          url: `/api/v1/sessions/${s.sessionId}/link/revoke`,
          headers: staff(true),
        },
        {
          action: 'patient_link.issue',
          method: 'POST',
          url: `/api/v1/sessions/${s.sessionId}/link`,
          headers: staff(true),
        },
        {
          action: 'patient.create',
          method: 'POST',
          url: '/api/v1/patients',
          payload: { displayName: 'Audited' },
          headers: staff(true),
        },
      ];
      for (const probe of probes) {
        const before = (await auditActions(ctx.db, probe.action)).length;
        const res = await w.app.inject({
          method: probe.method,
          url: probe.url,
          headers: { ...probe.headers, 'x-forwarded-for': '203.0.113.9' },
          remoteAddress: '198.51.100.7',
          ...(probe.payload === undefined ? {} : { payload: probe.payload }),
        });
        expect(res.statusCode, `${probe.action}: ${res.body}`).toBeLessThan(300);
        const events = await ctx.db
          .selectFrom('audit_events')
          .selectAll()
          .where('action', '=', probe.action)
          .orderBy('seq', 'desc')
          .execute();
        expect(events.length, probe.action).toBe(before + 1);
        const event = events[0];
        // Without TRUST_PROXY the client's own address is recorded, not a forwarded one.
        expect(event?.ip, probe.action).toBe('198.51.100.7');
        expect(event?.clinic_id, probe.action).toBe(w.a.clinicId);
        expect(event?.actor_id, probe.action).not.toBeNull();
        expect(event?.at, probe.action).toBe(w.clock.now().toISOString());
        const details = JSON.parse(event?.details_json ?? '{}') as {
          requestId?: string;
          patientId?: string;
          patientIds?: string[];
        };
        expect(details.requestId, probe.action).toBe(res.headers['x-request-id']);
        expect(details.patientId ?? details.patientIds?.[0], probe.action).toBeDefined();
      }
    });
  });

  describe('logging', () => {
    it('logs method, route, status and timing; never tokens, e-mails, names or bodies', async () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      });
      const clock = w.clock;
      clock.set('2026-11-25T09:00:00.000Z');
      const app = await buildApp({
        config: testConfig({ logLevel: 'info' }),
        db: ctx.db,
        clock,
        logger: createLogger('debug', sink),
      });
      const b = await signIn(app, w.a.practitionerEmail);
      const s = await createSession(app, b);
      const posted = await app.inject({
        method: 'POST',
        url: `/api/v1/p/${s.token}/check-ins`,
        payload: { soreness: 3, symptoms: ['fever'], note: 'secret note' },
      });
      await app.inject({ method: 'GET', url: `/api/v1/p/${s.token}` });
      await app.inject({ method: 'GET', url: `/api/v1/p/${'z'.repeat(43)}` });
      await app.close();
      const log = lines.join('');
      expect(log).toContain('"route":"/api/v1/p/:token/check-ins"');
      // Each line names its request by the id the answer carries (decision 1486).
      expect(log).toContain(
        `"reqId":"${posted.headers['x-request-id']}","method":"POST","route":"/api/v1/p/:token/check-ins"`,
      );
      expect(log).toContain('"status":201');
      expect(log).toMatch(/"ms":\d+/);
      for (const secret of [
        s.token,
        b.csrf,
        b.cookie.split('=')[1] ?? '',
        w.a.practitionerEmail,
        'Test Patient',
        'p@example.test',
        'secret note',
        PASSWORD,
        'z'.repeat(43),
      ]) {
        expect(log).not.toContain(secret);
      }
    });
  });
});
