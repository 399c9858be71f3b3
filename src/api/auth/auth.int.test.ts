import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { MINUTE_MS } from '../../services/clock.ts';
import {
  auditActions,
  json,
  makeTestApp,
  PASSWORD,
  type SeededClinic,
  seedClinic,
  signIn,
  type TestApp,
} from '../test-support.ts';

describeEachDialect('staff auth', (ctx) => {
  let t: TestApp;
  let a: SeededClinic;
  beforeAll(async () => {
    t = await makeTestApp(ctx.db, {
      signIn: { maxFailures: 5, lockMinutes: 15, perIpMax: 1000, perIpWindowMinutes: 15 },
    });
    a = await seedClinic(ctx.db, 'Auth clinic');
  });

  const signInRaw = (email: string, password: string, ip = '10.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password },
      remoteAddress: ip,
    });

  it('sets an HttpOnly, SameSite=Lax, Secure __Host- cookie holding 256 random bits, stored only hashed', async () => {
    const res = await signInRaw(a.practitionerEmail, PASSWORD);
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies[0];
    expect(cookie).toMatchObject({
      name: '__Host-needlecare_session',
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: '/',
    });
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await ctx.db.selectFrom('staff_sessions').select('id_hash').execute();
    expect(rows.some((r) => r.id_hash === cookie?.value)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash))).toBe(true);
    expect(json(res)).toMatchObject({
      authMethod: 'session',
      user: { email: a.practitionerEmail, role: 'practitioner' },
    });
    expect(res.body).not.toContain('passwordHash');
    expect(res.body).not.toContain('argon2');
  });

  it('answers a wrong password and an unknown e-mail the same way, and audits both', async () => {
    const wrong = await signInRaw(a.adminEmail, 'not the password');
    const unknown = await signInRaw('nobody@example.test', 'not the password');
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(json(wrong).detail).toBe(json(unknown).detail);
    const failures = await auditActions(ctx.db, 'auth.sign_in.failed');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.map((f) => f.details).join()).not.toContain('nobody@example.test');
    await ctx.db
      .updateTable('staff_users')
      .set({ failed_logins: 0, locked_until: null })
      .where('id', '=', a.adminId)
      .execute();
  });

  it('locks an account for 15 minutes after 5 wrong passwords, even for the right one', async () => {
    const victim = await seedClinic(ctx.db, 'Lock clinic');
    for (let i = 0; i < 4; i++)
      expect((await signInRaw(victim.practitionerEmail, `wrong-${i}`)).statusCode).toBe(401);
    const fifth = await signInRaw(victim.practitionerEmail, 'wrong-5');
    expect(fifth.statusCode).toBe(429);
    expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(14 * 60);
    const right = await signInRaw(victim.practitionerEmail, PASSWORD);
    expect(right.statusCode).toBe(429);
    expect(json(right).code).toBe('too_many_requests');
    t.clock.advance(15 * MINUTE_MS + 1000);
    expect((await signInRaw(victim.practitionerEmail, PASSWORD)).statusCode).toBe(200);
    const row = await ctx.db
      .selectFrom('staff_users')
      .select(['failed_logins', 'locked_until'])
      .where('id', '=', victim.practitionerId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_logins: 0, locked_until: null });
  });

  it('limits sign-in attempts per IP address', async () => {
    const limited = await makeTestApp(ctx.db, {
      signIn: { maxFailures: 1000, lockMinutes: 15, perIpMax: 3, perIpWindowMinutes: 15 },
    });
    const attempt = (ip: string) =>
      limited.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: 'x@example.test', password: 'y' },
        remoteAddress: ip,
      });
    for (let i = 0; i < 3; i++) expect((await attempt('10.9.9.9')).statusCode).toBe(401);
    const blocked = await attempt('10.9.9.9');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    expect((await attempt('10.9.9.10')).statusCode).toBe(401);
    limited.clock.advance(15 * MINUTE_MS);
    expect((await attempt('10.9.9.9')).statusCode).toBe(401);
    await limited.app.close();
  });

  it('refuses an inactive user', async () => {
    const c = await seedClinic(ctx.db, 'Inactive clinic');
    await ctx.db
      .updateTable('staff_users')
      .set({ active: 0 })
      .where('id', '=', c.practitionerId)
      .execute();
    expect((await signInRaw(c.practitionerEmail, PASSWORD)).statusCode).toBe(401);
  });

  describe('CSRF', () => {
    it('is required on every unsafe cookie request and returned by /me', async () => {
      const b = await signIn(t.app, a.practitionerEmail);
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: b.headers(false),
      });
      expect(json(me).csrfToken).toBe(b.csrf);
      const payload = { displayName: 'Someone' };
      const none = await t.app.inject({
        method: 'POST',
        url: '/api/v1/patients',
        headers: { cookie: b.cookie },
        payload,
      });
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/api/v1/patients',
        headers: { cookie: b.cookie, 'x-csrf-token': 'x'.repeat(43) },
        payload,
      });
      const other = await signIn(t.app, a.adminEmail);
      const foreign = await t.app.inject({
        method: 'POST',
        url: '/api/v1/patients',
        headers: { cookie: b.cookie, 'x-csrf-token': other.csrf },
        payload,
      });
      expect([none.statusCode, wrong.statusCode, foreign.statusCode]).toEqual([403, 403, 403]);
      expect(json(none).code).toBe('csrf_failed');
      const ok = await t.app.inject({
        method: 'POST',
        url: '/api/v1/patients',
        headers: b.headers(),
        payload,
      });
      expect(ok.statusCode).toBe(201);
    });
  });

  describe('sessions', () => {
    it('sign-out ends the session server-side', async () => {
      const b = await signIn(t.app, a.practitionerEmail);
      const out = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-out',
        headers: b.headers(),
      });
      expect(out.statusCode).toBe(204);
      expect(out.cookies[0]?.value).toBe('');
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: b.headers(false),
      });
      expect(me.statusCode).toBe(401);
      expect(await auditActions(ctx.db, 'auth.sign_out')).not.toHaveLength(0);
    });

    it('expires after 30 idle minutes, and after 12 hours however active', async () => {
      const b = await signIn(t.app, a.practitionerEmail);
      t.clock.advance(29 * MINUTE_MS);
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: b.headers(false) }))
          .statusCode,
      ).toBe(200);
      t.clock.advance(29 * MINUTE_MS);
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: b.headers(false) }))
          .statusCode,
      ).toBe(200);
      t.clock.advance(31 * MINUTE_MS);
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: b.headers(false) }))
          .statusCode,
      ).toBe(401);

      const c = await signIn(t.app, a.practitionerEmail);
      for (let i = 0; i < 12 * 3; i++) {
        t.clock.advance(20 * MINUTE_MS);
        await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: c.headers(false) });
      }
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: c.headers(false) }))
          .statusCode,
      ).toBe(401);
    });

    it('a new sign-in issues a new token', async () => {
      const b1 = await signIn(t.app, a.practitionerEmail);
      const b2 = await signIn(t.app, a.practitionerEmail);
      expect(b1.cookie).not.toBe(b2.cookie);
      expect(b1.csrf).not.toBe(b2.csrf);
    });

    it('uses a plain cookie name without Secure when COOKIE_SECURE is off', async () => {
      const local = await makeTestApp(ctx.db, {
        cookieSecure: false,
        publicUrl: 'http://localhost:3000',
      });
      const res = await local.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: a.adminEmail, password: PASSWORD },
      });
      expect(res.cookies[0]).toMatchObject({
        name: 'needlecare_session',
        httpOnly: true,
        sameSite: 'Lax',
      });
      expect(res.cookies[0]?.secure).toBeUndefined();
      await local.app.close();
    });
  });

  describe('API tokens', () => {
    it('an admin creates a token shown once; it works as Bearer without CSRF; revoked it stops', async () => {
      const admin = await signIn(t.app, a.adminEmail);
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/api-tokens',
        headers: admin.headers(),
        payload: { name: 'EHR bridge' },
      });
      expect(created.statusCode).toBe(201);
      const { id, token } = json<{ id: string; token: string }>(created);
      expect(token).toMatch(/^nck_[A-Za-z0-9_-]{43}$/);
      const list = await t.app.inject({
        method: 'GET',
        url: '/api/v1/admin/api-tokens',
        headers: admin.headers(false),
      });
      expect(list.body).not.toContain(token);
      const stored = await ctx.db
        .selectFrom('api_tokens')
        .select('token_hash')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(stored.token_hash).not.toBe(token);

      const bearer = { authorization: `Bearer ${token}` };
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer });
      expect(json(me)).toMatchObject({ authMethod: 'api_token', clinic: { id: a.clinicId } });
      const post = await t.app.inject({
        method: 'POST',
        url: '/api/v1/patients',
        headers: bearer,
        payload: { displayName: 'Via token' },
      });
      expect(post.statusCode).toBe(201);
      const adminRoute = await t.app.inject({
        method: 'GET',
        url: '/api/v1/admin/staff',
        headers: bearer,
      });
      expect(adminRoute.statusCode).toBe(403);

      const revoke = await t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/api-tokens/${id}/revoke`,
        headers: admin.headers(),
      });
      expect(revoke.statusCode).toBe(204);
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode,
      ).toBe(401);
    });

    it('refuses malformed Authorization headers', async () => {
      for (const authorization of [
        'Basic abc',
        'Bearer',
        'Bearer  two words',
        `Bearer nck_${'A'.repeat(43)}`,
      ]) {
        const res = await t.app.inject({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: { authorization },
        });
        expect(res.statusCode).toBe(401);
      }
    });
  });
});
