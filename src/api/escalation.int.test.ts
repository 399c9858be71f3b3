/**
 * The escalation settings door (decision 0502): a clinic admin sets who is told when an alert
 * waits, and when, through `/api/v1/admin/escalation`; the worker then escalates an
 * unacknowledged emergency to that contact, in the contact's language.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { outboxEvents } from '../cli/commands/serve.ts';
import {
  PUBLIC_URL,
  recordingLogger,
  recordingMailer,
  recordingSms,
  recordingWebhooks,
  testClock,
} from '../jobs/test-support.ts';
import { createWorker } from '../jobs/worker.ts';
import { manualClock } from '../services/clock.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';
import {
  createSession,
  json,
  makeWorld,
  seedClinic,
  signIn,
  T0,
  testConfig,
  type World,
} from './test-support.ts';

const ESCALATION = '/api/v1/admin/escalation';

describeEachDialect('API: escalation settings', (ctx) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(ctx.db);
  });

  it('starts from the defaults, keeps the webhooks, is audited, and names a bad field', async () => {
    const fresh = await w.app.inject({
      method: 'GET',
      url: ESCALATION,
      headers: w.adminB.headers(false),
    });
    expect(fresh.statusCode).toBe(200);
    expect(json(fresh)).toEqual({
      emergencyMinutes: 15,
      urgentMinutes: 120,
      routineMinutes: null,
      contacts: [],
      alertEmail: null,
      missedCheckInMinutes: 90,
      afterHoursPhone: null,
    });

    const hook = await w.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/webhooks/ehr',
      headers: w.adminB.headers(),
      payload: { url: 'https://hooks.example.com/nc', secret: 'escalation-test-secret-1' },
    });
    expect(hook.statusCode).toBe(200);

    const saved = await w.app.inject({
      method: 'PATCH',
      url: ESCALATION,
      headers: w.adminB.headers(),
      payload: {
        urgentMinutes: 60,
        contacts: [
          { name: '  Dra. Guardia ', email: 'guardia@b.test', phone: '+34 600 000 002' },
          { name: 'Night line', phone: '+34600000003', language: 'en' },
        ],
        alertEmail: 'desk@b.test',
        afterHoursPhone: '+34 900 000 000',
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const view = {
      emergencyMinutes: 15,
      urgentMinutes: 60,
      routineMinutes: null,
      contacts: [
        { name: 'Dra. Guardia', email: 'guardia@b.test', phone: '+34 600 000 002' },
        { name: 'Night line', email: null, phone: '+34600000003', language: 'en' },
      ],
      alertEmail: 'desk@b.test',
      missedCheckInMinutes: 90,
      afterHoursPhone: '+34 900 000 000',
    };
    expect(json(saved)).toEqual(view);
    const read = await w.app.inject({
      method: 'GET',
      url: ESCALATION,
      headers: w.adminB.headers(false),
    });
    expect(json(read)).toEqual(view);
    // The webhook endpoint is still there, its secret untouched.
    const hooks = await w.app.inject({
      method: 'GET',
      url: '/api/v1/admin/webhooks',
      headers: w.adminB.headers(false),
    });
    expect(json<{ items: { id: string }[] }>(hooks).items.map((h) => h.id)).toEqual(['ehr']);

    const audit = await ctx.db
      .selectFrom('audit_events')
      .select(['action', 'details_json'])
      .where('clinic_id', '=', w.b.clinicId)
      .where('action', '=', 'clinic.escalation.update')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.details_json ?? '{}')).toMatchObject({
      fields: ['urgentMinutes', 'contacts', 'alertEmail', 'afterHoursPhone'],
    });

    // A bad e-mail among good fields: 400 naming it, and nothing of the change is kept.
    const bad = await w.app.inject({
      method: 'PATCH',
      url: ESCALATION,
      headers: w.adminB.headers(),
      payload: { urgentMinutes: 30, alertEmail: 'desk at b' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(json<{ errors: { field: string }[] }>(bad).errors).toEqual([
      { field: 'alertEmail', message: 'must be an e-mail address' },
    ]);
    const after = await w.app.inject({
      method: 'GET',
      url: ESCALATION,
      headers: w.adminB.headers(false),
    });
    expect(json(after)).toEqual(view);
  });

  it("escalates an unacknowledged emergency to the contact set here, in the contact's language", async () => {
    // The app as `serve` wires it: an alert queues its delivery and escalation in the outbox.
    const config = testConfig({ publicUrl: PUBLIC_URL });
    const clock = manualClock(T0);
    const app = await buildApp({
      config,
      db: ctx.db,
      clock,
      logger: createLogger('silent'),
      events: outboxEvents(config),
    });
    await app.ready();
    const clinic = await seedClinic(ctx.db, 'Escalating Clinic');
    const admin = await signIn(app, clinic.adminEmail);
    const set = await app.inject({
      method: 'PATCH',
      url: ESCALATION,
      headers: admin.headers(),
      payload: {
        emergencyMinutes: 10,
        contacts: [
          { name: 'Dra. Guardia', email: 'guardia@a.test', phone: '+34600000001', language: 'es' },
        ],
      },
    });
    expect(set.statusCode, set.body).toBe(200);
    // The clinic reads English by default; the patient reports chest pain without a number.
    const s = await createSession(app, await signIn(app, clinic.practitionerEmail));
    const checkIn = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${s.token}/check-ins`,
      payload: { soreness: null, symptoms: ['chest_pain'] },
    });
    expect(checkIn.statusCode, checkIn.body).toBe(201);
    expect(json<{ assessment: { disposition: string } }>(checkIn).assessment.disposition).toBe(
      'emergency',
    );

    const mailer = recordingMailer();
    const sms = recordingSms();
    const worker = createWorker({
      db: ctx.db,
      clock: testClock(new Date(clock.now().getTime() + 11 * 60_000)),
      logger: recordingLogger(),
      mailer,
      sms,
      webhooks: recordingWebhooks(),
      workerId: 'escalation-door',
      config: { publicUrl: PUBLIC_URL },
    });
    while ((await worker.runOnce()).claimed > 0) {}
    const toGuardia = mailer.sent.filter((m) => m.to === 'guardia@a.test');
    expect(toGuardia.map((m) => [m.language, m.subject])).toEqual([
      ['es', '[Needlecare] Aviso de EMERGENCIA sin confirmar: actúe, por favor'],
    ]);
    expect(sms.sent.filter((m) => m.to === '+34600000001').map((m) => m.body)).toEqual([
      expect.stringMatching(/^Needlecare: Aviso de EMERGENCIA en .+, sin confirmar desde hace/),
    ]);
    // The practitioner's own alert e-mail is in the clinic's language, English.
    expect(
      mailer.sent.filter((m) => m.to === clinic.practitionerEmail).map((m) => m.language),
    ).toEqual(['en']);
    await app.close();
  });
});
