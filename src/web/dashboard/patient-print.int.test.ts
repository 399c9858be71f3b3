/**
 * The printable patient record (issue 11: "a patient's whole record as JSON and as a printable
 * page") and the record page's message states (sent, failed, dead-lettered).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import {
  auditActions,
  type Browser,
  createSession,
  type SeededClinic,
  seedClinic,
  signIn,
  T0,
} from '../../api/test-support.ts';
import { enqueueOutbox } from '../../store/outbox.repository.ts';
import { dashboardTestApp } from './test-support.ts';

describeEachDialect('dashboard printable patient record', (ctx) => {
  let app: FastifyInstance;
  let a: SeededClinic;
  let pracA: Browser;
  let pracB: Browser;

  beforeAll(async () => {
    app = await dashboardTestApp(ctx.db);
    a = await seedClinic(ctx.db, 'Print A');
    const b = await seedClinic(ctx.db, 'Print B');
    pracA = await signIn(app, a.practitionerEmail);
    pracB = await signIn(app, b.practitionerEmail);
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, who: Browser) =>
    app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });

  it('prints every session, check-in with its triage, alert, link and message; audited as a read; foreign ids 404', async () => {
    const s = await createSession(app, pracA, { performedAt: '2026-11-25T08:30:00.000Z' });
    const checkIn = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${s.token}/check-ins`,
      payload: { soreness: 4, symptoms: ['chest_pain'], note: 'hurts when breathing' },
    });
    expect(checkIn.statusCode).toBe(201);
    await createSession(app, pracA, {
      performedAt: '2026-11-25T08:45:00.000Z',
      patientId: s.patientId,
    });
    // Three reminders in three states: delivered, failing and retried, given up. (The test app
    // has no reminder scheduler, so they are queued as the services' event hook would.)
    for (const [i, kind] of (
      ['reminder.email', 'reminder.sms', 'reminder.email'] as const
    ).entries())
      await enqueueOutbox(ctx.db, {
        clinicId: a.clinicId,
        kind,
        dedupeKey: `print-test-${s.sessionId}-${i}`,
        payload: { sessionId: s.sessionId, to: 'p@example.test' },
        dueAt: `2026-11-25T1${i}:30:00.000Z`,
        createdAt: T0,
      });
    const reminders = await ctx.db
      .selectFrom('outbox')
      .select('id')
      .where('clinic_id', '=', a.clinicId)
      .where('kind', 'in', ['reminder.email', 'reminder.sms'])
      .orderBy('due_at')
      .execute();
    expect(reminders.length).toBeGreaterThanOrEqual(3);
    const [sent, failing, dead] = reminders.map((r) => r.id);
    await ctx.db
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: '2026-11-25T12:30:00.000Z' })
      .where('id', '=', sent ?? '')
      .execute();
    await ctx.db
      .updateTable('outbox')
      .set({ attempts: 2, last_error: 'SMTP 451' })
      .where('id', '=', failing ?? '')
      .execute();
    await ctx.db
      .updateTable('outbox')
      .set({ status: 'dead', attempts: 8, last_error: 'SMTP 550' })
      .where('id', '=', dead ?? '')
      .execute();

    const record = await get(`/app/patients/${s.patientId}/record`, pracA);
    expect(record.body).toContain(`href="/app/patients/${s.patientId}/print"`);
    for (const state of ['Sent', 'Failed, will retry', 'Gave up'])
      expect(record.body).toContain(state);
    expect((await get(`/app/patients/${s.patientId}`, pracA)).body).toContain(
      `/app/patients/${s.patientId}/print`,
    );

    const before = (await auditActions(ctx.db, 'patient.export')).length;
    const print = await get(`/app/patients/${s.patientId}/print`, pracA);
    expect(print.statusCode).toBe(200);
    expect(print.headers['content-type']).toContain('text/html');
    expect(print.body).toContain('class="print-view"');
    expect(print.body).toContain('Record of Test Patient');
    expect(print.body).toContain('p@example.test');
    expect(print.body.match(/class="print-session"/g)?.length).toBe(2);
    expect(print.body).toContain('hurts when breathing');
    expect(print.body).toContain('Chest pain');
    expect(print.body).toContain('disp-emergency');
    expect(print.body).toContain('Alerts');
    expect(print.body).toContain('sev-emergency');
    expect(print.body).toContain('Active');
    for (const state of ['Sent', 'Failed, will retry', 'Gave up'])
      expect(print.body).toContain(state);
    expect(print.body).not.toContain(s.token);
    const audits = await auditActions(ctx.db, 'patient.export');
    expect(audits.length).toBe(before + 1);
    expect(audits[0]?.subjectId).toBe(s.patientId);
    expect(JSON.parse(audits[0]?.details ?? '{}')).toMatchObject({ via: 'print', sessions: 2 });

    expect((await get(`/app/patients/${s.patientId}/print?lang=es`, pracA)).body).toContain(
      'Historial de Test Patient',
    );
    expect((await get(`/app/patients/${s.patientId}/print`, pracB)).statusCode).toBe(404);
    expect((await get('/app/patients/not-a-uuid/print', pracA)).statusCode).toBe(404);
    expect(
      (await get('/app/patients/00000000-0000-4000-8000-000000000000/print', pracA)).statusCode,
    ).toBe(404);
  });
});
