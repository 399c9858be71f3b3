import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { serviceDeps } from '../../../test/service-deps.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { T0, testConfig } from '../../api/test-support.ts';
import { manualClock } from '../../services/clock.ts';
import { issueSetupLink, SETUP_LINK_TTL_MS } from '../../services/first-run.ts';
import { sha256Hex } from '../../services/secrets.ts';
import { registerDashboard } from './dashboard.plugin.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const SERVE = {
  kind: 'system',
  name: 'serve',
  clinicId: null,
  ip: '127.0.0.1',
  requestId: 'serve',
} as const;
const GOOD = {
  name: 'Fisio Norte',
  timeZone: 'Europe/Madrid',
  country: 'es',
  language: 'es',
  contactPhone: '+34 944 000 000',
  adminName: 'Nerea',
  adminEmail: 'nerea@norte.test',
  password: 'winter light on the harbour',
  confirmation: 'winter light on the harbour',
};

describeEachDialect('first-run setup page', (ctx) => {
  let app: FastifyInstance;
  let clock: ReturnType<typeof manualClock>;
  const deps = () => ({ ...serviceDeps(ctx.db), clock });

  beforeAll(async () => {
    clock = manualClock(T0);
    app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock,
      logger: createLogger('silent'),
      plugins: [registerDashboard],
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (path: string, fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: path,
      headers: FORM,
      payload: new URLSearchParams(fields).toString(),
    });

  it('refuses bad input with each field named, in Spanish too, and stores nothing', async () => {
    const link = await issueSetupLink(deps(), SERVE);
    const path = new URL(link?.url ?? '').pathname;
    const page = await app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('<label for="timeZone">Time zone</label>');
    const res = await post(`${path}?lang=es`, {
      ...GOOD,
      name: ' ',
      timeZone: 'Mars/Olympus',
      country: 'España',
      adminEmail: 'not-an-address',
      contactPhone: '',
      password: 'password123456',
      confirmation: 'something else entirely',
    });
    expect(res.statusCode).toBe(400);
    for (const text of [
      'Indique el nombre de la clínica',
      'Elija la zona horaria',
      'código de país de dos letras',
      'correo electrónico válido',
      'Indique el teléfono',
      'demasiado habitual',
      'no coinciden',
    ])
      expect(res.body).toContain(text);
    expect(res.body).toContain('id="err-timeZone"');
    expect(res.body).toContain('aria-invalid="true"');
    // What was typed comes back, except the passwords.
    expect(res.body).toContain('value="not-an-address"');
    expect(res.body).not.toContain('password123456');
    expect(await ctx.db.selectFrom('clinics').select('id').execute()).toEqual([]);
    expect(await ctx.db.selectFrom('staff_users').select('id').execute()).toEqual([]);
  });

  it('creates the clinic and its admin, signs in, and the link then answers 410', async () => {
    const link = await issueSetupLink(deps(), SERVE);
    const other = await issueSetupLink(deps(), SERVE);
    const secret = new URL(link?.url ?? '').pathname.split('/').pop() ?? '';
    // Stored only as a hash.
    const rows = await ctx.db.selectFrom('setup_tokens').selectAll().execute();
    expect(rows.some((r) => r.token_hash === sha256Hex(secret))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(secret);

    const path = new URL(link?.url ?? '').pathname;
    const res = await post(path, GOOD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/app');
    const cookie = res.cookies.find((c) => c.name.endsWith('needlecare_session'));
    expect(cookie?.value).toBeTruthy();
    const home = await app.inject({
      method: 'GET',
      url: '/app',
      cookies: { [cookie?.name ?? '']: cookie?.value ?? '' },
    });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Fisio Norte');

    const clinic = await ctx.db.selectFrom('clinics').selectAll().executeTakeFirstOrThrow();
    expect(clinic).toMatchObject({
      name: 'Fisio Norte',
      time_zone: 'Europe/Madrid',
      country: 'ES',
      default_language: 'es',
      emergency_number: '112',
      contact_phone: '+34 944 000 000',
    });
    const admin = await ctx.db.selectFrom('staff_users').selectAll().executeTakeFirstOrThrow();
    expect(admin).toMatchObject({
      email: 'nerea@norte.test',
      role: 'admin',
      display_name: 'Nerea',
    });
    const actions = (
      await ctx.db
        .selectFrom('audit_events')
        .select('action')
        .where('clinic_id', '=', clinic.id)
        .execute()
    ).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['clinic.create', 'staff.create', 'setup.complete', 'auth.sign_in']),
    );

    // Used: 410. Another outstanding link: 410 too, a clinic exists now. Unknown: 404.
    expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(410);
    expect((await post(path, { ...GOOD, name: 'Second' })).statusCode).toBe(410);
    const otherPath = new URL(other?.url ?? '').pathname;
    expect((await app.inject({ method: 'GET', url: otherPath })).statusCode).toBe(410);
    expect((await post(otherPath, { ...GOOD, name: 'Second' })).statusCode).toBe(410);
    expect((await app.inject({ method: 'GET', url: `/setup/${'x'.repeat(43)}` })).statusCode).toBe(
      404,
    );
    expect(await ctx.db.selectFrom('clinics').select('id').execute()).toHaveLength(1);
    // And serve prints no link any more.
    expect(await issueSetupLink(deps(), SERVE)).toBeNull();
  });
});

describeEachDialect('first-run setup: races and expiry', (ctx) => {
  let app: FastifyInstance;
  let clock: ReturnType<typeof manualClock>;

  beforeAll(async () => {
    clock = manualClock(T0);
    app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock,
      logger: createLogger('silent'),
      plugins: [registerDashboard],
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it('an expired link answers 410', async () => {
    const link = await issueSetupLink({ ...serviceDeps(ctx.db), clock }, SERVE);
    clock.advance(SETUP_LINK_TTL_MS + 1000);
    const res = await app.inject({ method: 'GET', url: new URL(link?.url ?? '').pathname });
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('This setup link no longer works');
  });

  it('two setups racing with two links: exactly one clinic', async () => {
    const a = await issueSetupLink({ ...serviceDeps(ctx.db), clock }, SERVE);
    const b = await issueSetupLink({ ...serviceDeps(ctx.db), clock }, SERVE);
    const send = (url: string | undefined, name: string) =>
      app.inject({
        method: 'POST',
        url: new URL(url ?? '').pathname,
        headers: FORM,
        payload: new URLSearchParams({
          ...GOOD,
          name,
          adminEmail: `${name.toLowerCase()}@race.test`,
        }).toString(),
      });
    const results = await Promise.all([send(a?.url, 'Alpha'), send(b?.url, 'Beta')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 410]);
    expect(await ctx.db.selectFrom('clinics').select('id').execute()).toHaveLength(1);
    expect(await ctx.db.selectFrom('staff_users').select('id').execute()).toHaveLength(1);
  });
});
