import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/api/logger.ts';
import {
  type SeededClinic,
  seedClinic,
  signIn,
  T0,
  testConfig,
} from '../../src/api/test-support.ts';
import { createSmtpMailer, type Mailer } from '../../src/jobs/mailer.ts';
import { enqueuePasswordLinkEmail } from '../../src/jobs/staff-mail.ts';
import {
  decodeHeader,
  PUBLIC_URL,
  parseMail,
  recordingLogger,
  recordingSms,
  recordingWebhooks,
  testClock,
} from '../../src/jobs/test-support.ts';
import { createWorker } from '../../src/jobs/worker.ts';
import { type ManualClock, manualClock } from '../../src/services/clock.ts';
import { RESET_ANSWER_FLOOR_MS } from '../../src/services/password-reset.ts';
import { updateStaffUser } from '../../src/store/staff.repository.ts';
import { registerDashboard } from '../../src/web/dashboard/dashboard.plugin.ts';
import { describeEachDialect } from '../dialects.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const NEW_PASSWORD = 'copper kettles sing at dawn';

interface Received {
  readonly to: string[];
  readonly raw: string;
}

describeEachDialect('forgot password: e-mail through SMTP, single use, sessions end', (ctx) => {
  const received: Received[] = [];
  let server: SMTPServer;
  let mailer: Mailer;
  let app: FastifyInstance;
  let clock: ManualClock;
  let clinic: SeededClinic;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    mailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${port}`,
      from: 'Needlecare <no-reply@care.example.test>',
    });
    clock = manualClock(T0);
    app = await buildApp({
      config: testConfig({ publicUrl: PUBLIC_URL }),
      db: ctx.db,
      clock,
      logger: createLogger('silent'),
      events: { passwordLinkIssued: enqueuePasswordLinkEmail },
      plugins: [registerDashboard],
    });
    await app.ready();
    clinic = await seedClinic(ctx.db, 'Reset Physio');
  });
  afterAll(async () => {
    await app.close();
    mailer.close?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function deliver(): Promise<void> {
    const worker = createWorker({
      db: ctx.db,
      clock: testClock(clock.now()),
      logger: recordingLogger(),
      mailer,
      sms: recordingSms(),
      webhooks: recordingWebhooks(),
      workerId: 'reset-test',
      config: { publicUrl: PUBLIC_URL },
    });
    for (let i = 0; i < 20; i += 1) if ((await worker.runOnce()).claimed === 0) return;
  }

  /** Ask through the page (with its CSRF cookie and field); the answer and how long it took. */
  async function ask(email: string, ip = '198.51.100.7') {
    const form = await app.inject({ method: 'GET', url: '/app/forgot-password' });
    const cookie = form.cookies.find((c) => c.name === 'needlecare_signin_csrf');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const started = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/app/forgot-password',
      headers: FORM,
      remoteAddress: ip,
      cookies: { needlecare_signin_csrf: cookie?.value ?? '' },
      payload: new URLSearchParams({ _csrf: csrf, email }).toString(),
    });
    return { res, ms: performance.now() - started };
  }

  it('the sign-in page links to the form', async () => {
    const res = await app.inject({ method: 'GET', url: '/app/sign-in' });
    expect(res.body).toContain('<a href="/app/forgot-password">Forgot your password?</a>');
  });

  it('a known address gets one e-mail; the link works once; the old session is dead', async () => {
    const old = await signIn(app, clinic.adminEmail);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: old.headers(false) }))
        .statusCode,
    ).toBe(200);

    const { res, ms } = await ask(clinic.adminEmail.toUpperCase());
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('belongs to an account, a link to choose a new password');
    expect(ms).toBeGreaterThanOrEqual(RESET_ANSWER_FLOOR_MS - 5);

    await deliver();
    expect(received.map((r) => r.to)).toEqual([[clinic.adminEmail]]);
    const mail = parseMail(received[0]?.raw ?? '');
    expect(decodeHeader(mail.headers.get('subject') ?? '')).toBe(
      'Needlecare: a link to change your password',
    );
    expect(mail.text).toContain('expires in one hour');
    const url = /https:\/\/care\.example\.test\/set-password\/\S+/.exec(mail.text)?.[0] ?? '';
    const path = new URL(url).pathname;

    expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    const set = await app.inject({
      method: 'POST',
      url: path,
      headers: FORM,
      payload: new URLSearchParams({
        password: NEW_PASSWORD,
        confirmation: NEW_PASSWORD,
      }).toString(),
    });
    expect(set.statusCode).toBe(303);
    // Every earlier session ended: the old cookie opens nothing, on the API or the dashboard.
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: old.headers(false) }))
        .statusCode,
    ).toBe(401);
    const page = await app.inject({ method: 'GET', url: '/app', headers: old.headers(false) });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toContain('/app/sign-in');
    // Used once: 410. The new password signs in; the old one does not.
    expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(410);
    await expect(signIn(app, clinic.adminEmail, NEW_PASSWORD)).resolves.toBeTruthy();
    await expect(signIn(app, clinic.adminEmail)).rejects.toThrow(/401/);

    const actions = (
      await ctx.db
        .selectFrom('audit_events')
        .select('action')
        .where('clinic_id', '=', clinic.clinicId)
        .execute()
    ).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['staff.password.reset_requested', 'staff.password.set']),
    );
    received.length = 0;
  });

  it('an unknown address sends nothing, and the page says exactly the same', async () => {
    const known = await ask(clinic.practitionerEmail, '198.51.100.8');
    const unknown = await ask('nobody@nowhere.test', '198.51.100.8');
    expect(unknown.res.statusCode).toBe(known.res.statusCode);
    expect(unknown.res.body.replace('nobody@nowhere.test', 'X')).toBe(
      known.res.body.replace(clinic.practitionerEmail, 'X'),
    );
    expect(unknown.ms).toBeGreaterThanOrEqual(RESET_ANSWER_FLOOR_MS - 5);
    await deliver();
    expect(received.map((r) => r.to)).toEqual([[clinic.practitionerEmail]]);
    received.length = 0;
    const requested = await ctx.db
      .selectFrom('audit_events')
      .select('details_json')
      .where('action', '=', 'auth.password_reset.requested')
      .execute();
    expect(requested.map((r) => JSON.parse(r.details_json).linksSent)).toContain(0);
    expect(requested.map((r) => r.details_json).join()).not.toContain('nowhere.test');
  });

  it('a deactivated person gets nothing; an address is limited to 3 an hour; an IP to 10', async () => {
    await updateStaffUser(ctx.db, clinic.clinicId, clinic.practitionerId, { active: false });
    await ask(clinic.practitionerEmail, '198.51.100.9');
    await deliver();
    expect(received).toEqual([]);
    await updateStaffUser(ctx.db, clinic.clinicId, clinic.practitionerId, { active: true });

    // The admin already asked once; two more go out, the rest say the same and send nothing.
    for (let i = 0; i < 4; i += 1) {
      const { res } = await ask(clinic.adminEmail, `198.51.100.${20 + i}`);
      expect(res.statusCode).toBe(200);
    }
    await deliver();
    expect(received).toHaveLength(2);

    let last = 0;
    for (let i = 0; i < 11; i += 1)
      last = (await ask(`x${i}@nowhere.test`, '203.0.113.5')).res.statusCode;
    expect(last).toBe(429);
  }, 20_000);

  it('bad input: the form again with the message, nothing queued', async () => {
    const { res } = await ask('not an address', '198.51.100.99');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Type a valid e-mail address.');
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/app/forgot-password',
      headers: FORM,
      payload: `email=${encodeURIComponent(clinic.adminEmail)}`,
    });
    expect(noCsrf.statusCode).toBe(403);
    const pending = await ctx.db
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .execute();
    expect(pending).toEqual([]);
  });
});
