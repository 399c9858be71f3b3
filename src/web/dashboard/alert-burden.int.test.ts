import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import {
  auditActions,
  type Browser,
  createSession,
  LEG_SITE,
  type SeededClinic,
  seedClinic,
  signIn,
  T0,
  THORACIC_SITE,
} from '../../api/test-support.ts';
import { RULEBOOK_V1 } from '../../clinical/rulebook-v1.ts';
import { readAlertBurden } from '../../services/alert-burden.ts';
import { manualClock } from '../../services/clock.ts';
import { MODEL_V1 } from '../../simulation/model-v1.ts';
import { simulate } from '../../simulation/simulate.ts';
import { dashboardTestApp } from './test-support.ts';

describeEachDialect('alert burden page', (ctx) => {
  let app: FastifyInstance;
  let a: SeededClinic;
  let b: SeededClinic;
  let adminA: Browser;
  let pracA: Browser;
  let adminB: Browser;

  const get = (url: string, who?: Browser) =>
    app.inject({
      method: 'GET',
      url,
      headers: who === undefined ? {} : { cookie: who.cookie },
    });

  async function checkIn(token: string, payload: object): Promise<void> {
    const res = await app.inject({ method: 'POST', url: `/api/v1/p/${token}/check-ins`, payload });
    expect(res.statusCode).toBe(201);
  }

  beforeAll(async () => {
    const clock = manualClock(T0);
    app = await dashboardTestApp(ctx.db, { clock });
    a = await seedClinic(ctx.db, 'Burden A');
    b = await seedClinic(ctx.db, 'Burden B');
    adminA = await signIn(app, a.adminEmail);
    pracA = await signIn(app, a.practitionerEmail);
    adminB = await signIn(app, b.adminEmail);

    // Clinic A: four sessions three hours ago, one near the chest.
    const performedAt = '2026-11-25T06:00:00.000Z';
    const chest = await createSession(app, pracA, { sites: [THORACIC_SITE], performedAt });
    const legSore = await createSession(app, pracA, { sites: [LEG_SITE], performedAt });
    await createSession(app, pracA, { sites: [LEG_SITE], performedAt });
    await createSession(app, pracA, { sites: [LEG_SITE], performedAt });
    await checkIn(chest.token, { soreness: 3, symptoms: ['chest_pain'] });
    await checkIn(legSore.token, { soreness: 8, symptoms: [] });
    // Clinic B: an alert that must not show in clinic A's figures.
    const pracB = await signIn(app, b.practitionerEmail);
    const other = await createSession(app, pracB, { sites: [LEG_SITE], performedAt });
    await checkIn(other.token, { soreness: 2, symptoms: ['fever'] });
  });
  afterAll(async () => {
    await app.close();
  });

  it('shows the clinic its alerts per 1,000 sessions by level and rule, beside the simulation', async () => {
    const res = await get('/app/clinic/alert-burden', adminA);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const body = res.body;
    expect(body).toContain('<h1>Alert burden</h1>');
    expect(body).toContain('4 sessions, 1 of them near the chest.');
    expect(body).toMatch(
      /<th scope="row">Tell practitioner<\/th><td>250\.0 \(1\)<\/td><td>\d+\.\d<\/td>/,
    );
    expect(body).toMatch(/<th scope="row">Contact today<\/th><td>0\.0 \(0\)<\/td>/);
    expect(body).toMatch(/<th scope="row">Emergency<\/th><td>250\.0 \(1\)<\/td>/);
    expect(body).toMatch(/<th scope="row">All alerts<\/th><td>500\.0 \(2\)<\/td>/);
    expect(body).toMatch(/<code>breathing_<wbr>or_<wbr>chest<\/code><\/th><td>250\.0 \(1\)<\/td>/);
    expect(body).toMatch(/<code>severe_<wbr>soreness<\/code><\/th><td>250\.0 \(1\)<\/td>/);
    // Clinic B's fever alert is not here; the rule still shows with its expectation.
    expect(body).toMatch(/<code>fever<\/code><\/th><td>0\.0 \(0\)<\/td>/);
    expect(body).toContain('20,000 simulated sessions with 25% near the chest');
    const audits = await auditActions(ctx.db, 'alert_burden.read');
    expect(audits.some((e) => e.subjectId === a.clinicId && e.actorId === a.adminId)).toBe(true);
  });

  it('computes the expectation from a cached cohort at the clinic’s rounded thoracic share', async () => {
    const burden = await readAlertBurden(app.deps, {
      kind: 'staff',
      userId: a.adminId,
      clinicId: a.clinicId,
      role: 'admin',
      ip: '127.0.0.1',
      requestId: 'test',
    });
    expect(burden.expected.thoracicShare).toBe(0.25);
    expect(burden.expected.fromClinicMix).toBe(true);
    const direct = simulate(
      MODEL_V1,
      {
        sessions: 20_000,
        seed: 1,
        thoracicShare: 0.25,
        responseRate: MODEL_V1.patients.responseRate.value,
        answerDelayMeanH: MODEL_V1.patients.answerDelayMeanH.value,
        mayOmitSoreness: true,
      },
      [RULEBOOK_V1],
    );
    expect(burden.expected.per1000.total).toBe(direct.rulebooks[0]?.per1000.total);
    expect(burden.clinic.alerts).toEqual({ routine: 1, urgent: 0, emergency: 1, total: 2 });
  });

  it('speaks Spanish', async () => {
    const res = await get('/app/clinic/alert-burden?lang=es', adminA);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Carga de avisos</h1>');
    expect(res.body).toContain('4 sesiones, 1 de ellas cerca del tórax.');
    expect(res.body).toMatch(/<th scope="row">Emergencia<\/th><td>250,0 \(1\)<\/td>/);
  });

  it('shows another clinic only its own figures', async () => {
    const res = await get('/app/clinic/alert-burden', adminB);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('1 sessions, 0 of them near the chest.');
    expect(res.body).toMatch(/<code>fever<\/code><\/th><td>1,000\.0 \(1\)<\/td>/);
    expect(res.body).not.toMatch(/<code>breathing_<wbr>or_<wbr>chest<\/code><\/th><td>[1-9]/);
  });

  it('uses the model’s mix when the clinic has no sessions in the period', async () => {
    const c = await seedClinic(ctx.db, 'Burden C');
    const res = await get('/app/clinic/alert-burden', await signIn(app, c.adminEmail));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      `No sessions in this period yet: the expectation uses the model&#8217;s mix (${MODEL_V1.cohort.thoracicShare.value * 100}% near the chest).`,
    );
    expect(res.body).toMatch(
      /<th scope="row">All alerts<\/th><td>0\.0 \(0\)<\/td><td>\d+\.\d<\/td>/,
    );
  });

  it('is for admins: practitioners get 403, nobody signed in goes to sign-in', async () => {
    expect((await get('/app/clinic/alert-burden', pracA)).statusCode).toBe(403);
    const anon = await get('/app/clinic/alert-burden');
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toMatch(/^\/app\/sign-in/);
  });

  it('is linked from the clinic page', async () => {
    const res = await get('/app/clinic', adminA);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/app/clinic/alert-burden"');
  });
});
