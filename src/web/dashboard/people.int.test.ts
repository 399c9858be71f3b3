/**
 * Issue 11 on the clinic page: roles, the last admin, API tokens with expiry and maker, the
 * retention setting, and sign-in when one address has accounts in two clinics.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import {
  type Browser,
  type SeededClinic,
  seedClinic,
  signIn,
  T0,
  TEST_ARGON2,
} from '../../api/test-support.ts';
import { createPasswordHasher } from '../../services/passwords.ts';
import { findStaffById, insertStaffUser } from '../../store/staff.repository.ts';
import { dashboardTestApp } from './test-support.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describeEachDialect('dashboard clinic page: roles, tokens, sign-in across clinics', (ctx) => {
  let app: FastifyInstance;
  let a: SeededClinic;
  let b: SeededClinic;
  let pracA: Browser;
  let adminA: Browser;
  let adminB: Browser;

  beforeAll(async () => {
    app = await dashboardTestApp(ctx.db);
    a = await seedClinic(ctx.db, 'People A');
    b = await seedClinic(ctx.db, 'People B');
    pracA = await signIn(app, a.practitionerEmail);
    adminA = await signIn(app, a.adminEmail);
    adminB = await signIn(app, b.adminEmail);
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, who?: Browser) =>
    app.inject({ method: 'GET', url, headers: who === undefined ? {} : { cookie: who.cookie } });
  const post = (url: string, who: Browser, fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: who.cookie },
      payload: new URLSearchParams({ ...fields, _csrf: who.csrf }).toString(),
    });

  it('changes a role from the staff page at once; refuses a bad role and the last admin in words', async () => {
    const page = await get('/app/clinic', adminA);
    expect(page.body).toContain(`action="/app/clinic/staff/${a.practitionerId}/role#errors"`);
    expect((await get('/app/clinic', pracA)).statusCode).toBe(403);

    const bad = await post(`/app/clinic/staff/${a.practitionerId}/role`, adminA, { role: 'owner' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Role: choose admin or practitioner.');
    expect((await findStaffById(ctx.db, a.practitionerId))?.role).toBe('practitioner');

    const promoted = await post(`/app/clinic/staff/${a.practitionerId}/role`, adminA, {
      role: 'admin',
    });
    expect(promoted.statusCode).toBe(303);
    const flash = await get(promoted.headers.location as string, adminA);
    expect(flash.body).toContain('Pia Practitioner is now admin');
    // Her open session reaches the admin page on her next click.
    expect((await get('/app/clinic', pracA)).statusCode).toBe(200);
    // Demoting oneself while another admin remains: off to the queue, no longer an admin.
    const self = await post(`/app/clinic/staff/${a.practitionerId}/role`, pracA, {
      role: 'practitioner',
    });
    expect(self.statusCode).toBe(303);
    expect(self.headers.location).toBe('/app');
    expect((await get('/app/clinic', pracA)).statusCode).toBe(403);

    const last = await post(`/app/clinic/staff/${b.adminId}/role`, adminB, {
      role: 'practitioner',
    });
    expect(last.statusCode).toBe(409);
    expect(last.body).toContain('Ada Admin is the clinic&#8217;s last active admin');
    expect((await findStaffById(ctx.db, b.adminId))?.role).toBe('admin');
    const foreign = await post(`/app/clinic/staff/${b.practitionerId}/role`, adminA, {
      role: 'admin',
    });
    expect(foreign.statusCode).toBe(404);
    expect((await findStaffById(ctx.db, b.practitionerId))?.role).toBe('practitioner');
  });

  it('makes a token with its expiry, shows the secret once, lists maker and dates, revokes it; bad input stores nothing', async () => {
    for (const [fields, text] of [
      [{ name: '', days: '90' }, 'give the token a name'],
      [{ name: 'x', days: '0' }, 'a whole number from 1 to 365'],
      [{ name: 'x', days: '400' }, 'a whole number from 1 to 365'],
      [{ name: 'x', days: 'soon' }, 'a whole number from 1 to 365'],
    ] as const) {
      const bad = await post('/app/clinic/api-tokens', adminA, fields);
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain(text);
    }
    expect(await ctx.db.selectFrom('api_tokens').select('id').execute()).toEqual([]);

    const made = await post('/app/clinic/api-tokens', adminA, { name: 'Lab link', days: '30' });
    expect(made.statusCode).toBe(201);
    const secret = /<code id="new-token">([^<]+)<\/code>/.exec(made.body)?.[1];
    expect(secret).toMatch(/^nck_/);
    expect(made.body).toContain('it is shown only once');
    const page = await get('/app/clinic', adminA);
    expect(page.body).not.toContain(secret);
    expect(page.body).toContain('Lab link');
    expect(page.body).toMatch(/<td>Lab link<\/td><td>Ada Admin<\/td>/);
    expect(page.body).toContain('Expires');
    expect(page.body).toContain('Never');
    const row = await ctx.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
    expect(Date.parse(row.expires_at ?? '')).toBe(Date.parse(T0) + 30 * 86_400_000);

    const revoked = await post(`/app/clinic/api-tokens/${row.id}/revoke`, adminA, {});
    expect(revoked.statusCode).toBe(303);
    expect((await get(revoked.headers.location as string, adminA)).body).toContain(
      'The token Lab link was revoked',
    );
    expect((await post(`/app/clinic/api-tokens/${row.id}/revoke`, adminB, {})).statusCode).toBe(
      404,
    );
  });

  it('asks which clinic when one address and password open accounts in two, naming only those', async () => {
    const email = `both.${Date.now()}@example.test`;
    const password = 'one password for both';
    const hash = await createPasswordHasher(TEST_ARGON2).hash(password);
    for (const clinicId of [a.clinicId, b.clinicId])
      await insertStaffUser(ctx.db, {
        clinicId,
        email,
        displayName: 'Bea Both',
        role: 'practitioner',
        passwordHash: hash,
        createdAt: T0,
      });
    const page = await get('/app/sign-in');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const cookie = `needlecare_signin_csrf=${token}`;
    const send = (fields: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/app/sign-in',
        headers: { ...FORM, cookie },
        payload: new URLSearchParams({ _csrf: token, next: '/app', ...fields }).toString(),
      });
    const choose = await send({ email, password });
    expect(choose.statusCode).toBe(409);
    expect(choose.body).toContain('Choose the clinic');
    expect(choose.body).toContain(`value="${a.clinicId}"`);
    expect(choose.body).toContain(`value="${b.clinicId}"`);
    expect(choose.body).toContain('People A');
    expect(choose.body).not.toContain(password);
    const chosen = await send({ email, password, clinicId: b.clinicId });
    expect(chosen.statusCode).toBe(303);
    const session = chosen.cookies.find((c) => c.name.endsWith('needlecare_session'));
    const home = await app.inject({
      method: 'GET',
      url: '/app',
      headers: { cookie: `${session?.name}=${session?.value}` },
    });
    expect(home.body).toContain('People B');
    const wrong = await send({ email, password: 'not it' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain('People A');
  });
});
