import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import {
  PASSWORD,
  type SeededClinic,
  seedClinic,
  signIn,
  T0,
  testConfig,
} from '../../api/test-support.ts';
import { manualClock } from '../../services/clock.ts';
import { findStaffById } from '../../store/staff.repository.ts';
import { registerDashboard } from './dashboard.plugin.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const NEW_PASSWORD = 'lanterns over a quiet canal';

describeEachDialect('own account: name, language, password', (ctx) => {
  let app: FastifyInstance;
  let clinic: SeededClinic;

  beforeAll(async () => {
    app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock: manualClock(T0),
      logger: createLogger('silent'),
      plugins: [registerDashboard],
    });
    await app.ready();
    clinic = await seedClinic(ctx.db, 'Account Physio');
  });
  afterAll(async () => {
    await app.close();
  });

  const form = (url: string, cookie: string, fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie },
      payload: new URLSearchParams(fields).toString(),
    });

  it('the page changes name and language; the dashboard then speaks it', async () => {
    const me = await signIn(app, clinic.practitionerEmail);
    const page = await app.inject({
      method: 'GET',
      url: '/app/account',
      headers: me.headers(false),
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<a class="who" href="/app/account">');
    expect(page.body).toContain(clinic.practitionerEmail);

    const bad = await form('/app/account', me.cookie, {
      _csrf: me.csrf,
      displayName: '   ',
      language: 'en',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Give your name');
    expect((await findStaffById(ctx.db, clinic.practitionerId))?.displayName).toBe(
      'Pia Practitioner',
    );
    // Without the CSRF field: refused.
    expect(
      (await form('/app/account', me.cookie, { displayName: 'X', language: 'es' })).statusCode,
    ).toBe(403);

    const ok = await form('/app/account', me.cookie, {
      _csrf: me.csrf,
      displayName: 'Pía Pérez',
      language: 'es',
    });
    expect(ok.statusCode).toBe(303);
    const lang = ok.cookies.find((c) => c.name === 'needlecare_lang');
    expect(lang?.value).toBe('es');
    const user = await findStaffById(ctx.db, clinic.practitionerId);
    expect(user).toMatchObject({ displayName: 'Pía Pérez', language: 'es' });

    // A new browser: signing in sets the person's language.
    const res = await app.inject({ method: 'GET', url: '/app/sign-in' });
    const csrfCookie = res.cookies.find((c) => c.name === 'needlecare_signin_csrf');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? '';
    const signed = await app.inject({
      method: 'POST',
      url: '/app/sign-in',
      headers: FORM,
      cookies: { needlecare_signin_csrf: csrfCookie?.value ?? '' },
      payload: new URLSearchParams({
        _csrf: csrf,
        email: clinic.practitionerEmail,
        password: PASSWORD,
        next: '/app',
      }).toString(),
    });
    expect(signed.statusCode).toBe(303);
    const session = signed.cookies.find((c) => c.name.endsWith('needlecare_session'));
    expect(signed.cookies.find((c) => c.name === 'needlecare_lang')?.value).toBe('es');
    const home = await app.inject({
      method: 'GET',
      url: '/app',
      cookies: { [session?.name ?? '']: session?.value ?? '', needlecare_lang: 'es' },
    });
    expect(home.body).toContain('<html lang="es">');
    expect(home.body).toContain('Sesión de Pía Pérez');
  });

  it('changing the password needs the current one; other sessions end, this one stays', async () => {
    const here = await signIn(app, clinic.adminEmail);
    const elsewhere = await signIn(app, clinic.adminEmail);
    const wrong = await form('/app/account/password', here.cookie, {
      _csrf: here.csrf,
      currentPassword: 'not the password at all',
      password: NEW_PASSWORD,
      confirmation: NEW_PASSWORD,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('The current password is wrong.');
    const weak = await form('/app/account/password', here.cookie, {
      _csrf: here.csrf,
      currentPassword: PASSWORD,
      password: 'password2024!',
      confirmation: 'password2024?',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('too common');
    expect(weak.body).toContain('not the same');

    const ok = await form('/app/account/password', here.cookie, {
      _csrf: here.csrf,
      currentPassword: PASSWORD,
      password: NEW_PASSWORD,
      confirmation: NEW_PASSWORD,
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/app/account?done=password');
    const me = (b: typeof here) =>
      app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: b.headers(false) });
    expect((await me(here)).statusCode).toBe(200);
    expect((await me(elsewhere)).statusCode).toBe(401);
    await expect(signIn(app, clinic.adminEmail, NEW_PASSWORD)).resolves.toBeTruthy();
    const actions = (
      await ctx.db
        .selectFrom('audit_events')
        .select('action')
        .where('actor_id', '=', clinic.adminId)
        .execute()
    ).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['staff.password.change_failed', 'staff.password.change']),
    );
  });

  it('the JSON API: PATCH /me and POST /me/password, never for an API token', async () => {
    const me = await signIn(app, clinic.practitionerEmail);
    const bad = await app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: me.headers(),
      payload: { language: 'fr' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body).toContain('language');
    const ok = await app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: me.headers(),
      payload: { displayName: 'Pia P.', language: 'en' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ displayName: 'Pia P.', language: 'en' });
    expect(ok.json()).not.toHaveProperty('passwordHash');

    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/me/password',
      headers: me.headers(),
      payload: { currentPassword: 'nope nope nope', password: NEW_PASSWORD },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ errors: [{ field: 'currentPassword' }] });
    const changed = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/me/password',
      headers: me.headers(),
      payload: { currentPassword: PASSWORD, password: NEW_PASSWORD },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ otherSessionsEnded: expect.any(Number) });

    const admin = await signIn(app, clinic.adminEmail, NEW_PASSWORD);
    const token = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/api-tokens',
      headers: admin.headers(),
      payload: { name: 'ehr' },
    });
    const secret = (token.json() as { token: string }).token;
    const byToken = await app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${secret}` },
      payload: { displayName: 'Robot' },
    });
    expect(byToken.statusCode).toBe(403);
  });

  it('POST /api/v1/auth/forgot-password: 202 for a known and an unknown address alike', async () => {
    const send = (email: string) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email } });
    const known = await send(clinic.adminEmail);
    const unknown = await send('nobody@nowhere.test');
    expect([known.statusCode, unknown.statusCode]).toEqual([202, 202]);
    expect(known.body).toBe(unknown.body);
    const bad = await send('not an address');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('email');
  });
});
