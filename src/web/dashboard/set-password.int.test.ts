import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { serviceDeps } from '../../../test/service-deps.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { auditActions, T0, testConfig } from '../../api/test-support.ts';
import { createClinic, setClinicSuspension } from '../../services/clinics.ts';
import { manualClock } from '../../services/clock.ts';
import { findStaffByEmail } from '../../store/staff.repository.ts';
import { registerDashboard } from './dashboard.plugin.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const HOST = {
  kind: 'system',
  name: 'cli',
  clinicId: null,
  ip: '127.0.0.1',
  requestId: 'cli',
} as const;
const GOOD = 'seven pale lanterns drifting';

describeEachDialect('set-password page', (ctx) => {
  let app: FastifyInstance;
  let path: string;

  beforeAll(async () => {
    app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock: manualClock(T0),
      logger: createLogger('silent'),
      plugins: [registerDashboard],
    });
    await app.ready();
    const created = await createClinic(serviceDeps(ctx.db), HOST, {
      name: 'Page Clinic',
      timeZone: 'Europe/Madrid',
      country: 'ES',
      adminEmail: 'page@clinic.test',
      adminName: 'Paz',
    });
    path = new URL(created.setPasswordUrl).pathname;
  });
  afterAll(async () => {
    await app.close();
  });

  it('shows a labelled form in English and Spanish, with the policy of the dashboard', async () => {
    const en = await app.inject({ method: 'GET', url: path });
    expect(en.statusCode).toBe(200);
    expect(en.headers['content-security-policy']).toContain("script-src 'self'");
    expect(en.headers['cache-control']).toContain('no-store');
    expect(en.body).toContain('<label for="password">New password</label>');
    expect(en.body).toContain('page@clinic.test');
    const es = await app.inject({ method: 'GET', url: `${path}?lang=es` });
    expect(es.body).toContain('Elija su contraseña');
  });

  it('refuses a weak or mismatched password with the reasons, and stores nothing', async () => {
    const before = (await findStaffByEmail(ctx.db, 'page@clinic.test'))?.passwordHash;
    const res = await app.inject({
      method: 'POST',
      url: `${path}?lang=es`,
      headers: FORM,
      payload: 'password=contrasena1234&confirmation=otra+cosa+distinta',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('demasiado habitual');
    expect(res.body).toContain('no coinciden');
    expect((await findStaffByEmail(ctx.db, 'page@clinic.test'))?.passwordHash).toBe(before);
  });

  it('sets the password, signs in, and the link then answers 410', async () => {
    const body = new URLSearchParams({ password: GOOD, confirmation: GOOD }).toString();
    const res = await app.inject({ method: 'POST', url: path, headers: FORM, payload: body });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/app');
    const cookie = res.cookies.find((c) => c.name.includes('session'));
    expect(cookie?.value).toBeTruthy();
    const home = await app.inject({
      method: 'GET',
      url: '/app',
      cookies: { [cookie?.name ?? '']: cookie?.value ?? '' },
    });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Page Clinic');

    expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(410);
    const again = await app.inject({ method: 'POST', url: path, headers: FORM, payload: body });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('This link no longer works');
    expect((await app.inject({ method: 'GET', url: '/set-password/unknown' })).statusCode).toBe(
      404,
    );
    expect((await auditActions(ctx.db, 'staff.password.set')).length).toBe(1);
  });

  it("tells a suspended clinic's admin why the sign-in form refuses them", async () => {
    const clinicId = (await findStaffByEmail(ctx.db, 'page@clinic.test'))?.clinicId ?? '';
    await setClinicSuspension(serviceDeps(ctx.db), HOST, { clinicId, suspended: true });
    const form = await app.inject({ method: 'GET', url: '/app/sign-in' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const cookie = form.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const res = await app.inject({
      method: 'POST',
      url: '/app/sign-in',
      headers: { ...FORM, cookie },
      payload: new URLSearchParams({
        _csrf: csrf,
        next: '/app',
        email: 'page@clinic.test',
        password: GOOD,
      }).toString(),
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Your clinic is suspended');
  });
});
