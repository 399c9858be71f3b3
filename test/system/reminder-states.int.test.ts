/**
 * What the patient's details page says of each reminder, through the dashboard with the outbox
 * wired as `serve` wires it and the worker run over the same database (decision 0503): a
 * reminder a new link cancelled, and one the worker found not needed when it came due, both
 * say they were not sent, on the page, the printout and the API. Before, both said "Sent".
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type Browser,
  createSession,
  type SeededClinic,
  seedClinic,
  signIn,
  T0,
  testConfig,
} from '../../src/api/test-support.ts';
import { outboxEvents } from '../../src/cli/commands/serve.ts';
import {
  PUBLIC_URL,
  recordingLogger,
  recordingMailer,
  recordingSms,
  recordingWebhooks,
} from '../../src/jobs/test-support.ts';
import { createWorker } from '../../src/jobs/worker.ts';
import { type ManualClock, manualClock } from '../../src/services/clock.ts';
import { dashboardTestApp } from '../../src/web/dashboard/test-support.ts';
import { describeEachDialect } from '../dialects.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describeEachDialect("the patient's reminders as the dashboard shows them", (ctx) => {
  let app: FastifyInstance;
  let clock: ManualClock;
  let a: SeededClinic;
  let prac: Browser;

  beforeAll(async () => {
    clock = manualClock(T0);
    app = await dashboardTestApp(ctx.db, { clock, events: outboxEvents(testConfig()) });
    a = await seedClinic(ctx.db, 'Reminder States');
    prac = await signIn(app, a.practitionerEmail);
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie: prac.cookie } });
  const count = (body: string, cell: string) => body.split(`<td>${cell}</td>`).length - 1;
  const worker = () =>
    createWorker({
      db: ctx.db,
      clock,
      logger: recordingLogger(),
      mailer: recordingMailer(),
      sms: recordingSms(),
      webhooks: recordingWebhooks(),
      workerId: 'reminder-states',
      config: { publicUrl: PUBLIC_URL },
    });

  it('a reminder a new link cancelled says so, never "Sent"', async () => {
    // Recorded at the clock's time, half an hour after the session: every reminder is to come.
    const s = await createSession(app, prac, { performedAt: '2026-11-25T08:30:00.000Z' });
    const url = `/app/patients/${s.patientId}/record`;
    const waiting = count((await get(url)).body, 'Waiting');
    expect(waiting).toBeGreaterThan(0);

    const reissued = await app.inject({
      method: 'POST',
      url: `/app/sessions/${s.sessionId}/link`,
      headers: { ...FORM, cookie: prac.cookie },
      payload: new URLSearchParams({ _csrf: prac.csrf }).toString(),
    });
    expect(reissued.statusCode).toBe(200);
    const page = (await get(url)).body;
    expect(page).toContain('<h2 id="msgs-h">Reminders</h2>');
    expect(count(page, 'Cancelled, not sent')).toBe(waiting);
    expect(count(page, 'Waiting')).toBe(waiting); // the new link's
    expect(count(page, 'Sent')).toBe(0);
    // The printout, in Spanish: no time sent for a cancelled one.
    const print = (await get(`/app/patients/${s.patientId}/print?lang=es`)).body;
    expect(print.split('<td>Cancelado, no enviado</td><td>&#8211;</td>').length - 1).toBe(waiting);
    const api = await get(`/api/v1/patients/${s.patientId}/contacts`);
    const messages = (api.json() as { messages: { status: string; cancelled: boolean }[] })
      .messages;
    expect(messages.filter((m) => m.status === 'sent' && m.cancelled)).toHaveLength(waiting);
  });

  it('a reminder not needed when it came due (answered already) says so, not "Sent"', async () => {
    const s = await createSession(app, prac, { performedAt: '2026-11-25T08:30:00.000Z' });
    // The patient checks in before the first reminder is due.
    clock.set('2026-11-25T12:20:00.000Z');
    const checkIn = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${s.token}/check-ins`,
      payload: { soreness: 3, symptoms: [] },
    });
    expect(checkIn.statusCode).toBe(201);
    // The 4 h reminder comes due; the worker finds it answered and sends nothing.
    clock.set('2026-11-25T12:45:00.000Z');
    const w = worker();
    let skipped = 0;
    for (let r = await w.runOnce(); r.claimed > 0; r = await w.runOnce()) skipped += r.skipped;
    expect(skipped).toBeGreaterThan(0);
    // Hours on, the morning's staff session has ended: sign in again.
    prac = await signIn(app, a.practitionerEmail);

    const page = (await get(`/app/patients/${s.patientId}/record`)).body;
    expect(
      count(page, 'Not needed, not sent (already answered, or the link no longer worked)'),
    ).toBe(skipped);
    expect(count(page, 'Sent')).toBe(0);
    const api = await get(`/api/v1/patients/${s.patientId}/contacts`);
    const messages = (
      api.json() as { messages: { status: string; skipped: boolean; failed: boolean }[] }
    ).messages;
    expect(messages.filter((m) => m.skipped && !m.failed)).toHaveLength(skipped);
  });
});
