import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { practitionerOf, serviceDeps, type TestDeps, tokenOf } from '../../test/service-deps.ts';
import { auditActions, type SeededClinic, seedClinic, T0 } from '../api/test-support.ts';
import { type AlertSeverity, findAlert, insertAlert } from '../store/alerts.repository.ts';
import type { Db } from '../store/db.ts';
import { insertPatient } from '../store/patients.repository.ts';
import { insertNeedlingSession } from '../store/sessions.repository.ts';
import {
  type AlertQueueData,
  acknowledgeAlert,
  listClinicAlerts,
  readAlertQueue,
  readAlertQueueSignature,
  readAlertQueueThen,
  recordContactAttempt,
  resolveAlert,
} from './alerts.ts';
import { AppError } from './errors.ts';

async function seedAlert(
  db: Db,
  c: SeededClinic,
  severity: AlertSeverity = 'urgent',
  contact: { email?: string; phone?: string } = {},
) {
  const patient = await insertPatient(db, {
    clinicId: c.clinicId,
    displayName: 'Ana Alert',
    language: 'en',
    createdAt: T0,
    ...contact,
  });
  const session = await insertNeedlingSession(db, {
    clinicId: c.clinicId,
    patientId: patient.id,
    practitionerId: c.practitionerId,
    performedAt: T0,
    thoracic: false,
    bilateralThoracic: false,
    createdAt: T0,
    sites: [{ muscle: 'tibialis-anterior', side: 'right' }],
  });
  return insertAlert(db, {
    clinicId: c.clinicId,
    sessionId: session.id,
    patientId: patient.id,
    assessmentId: null,
    severity,
    createdAt: T0,
  });
}

/** The AppError a call throws (fails the test if it resolves). */
async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describeEachDialect('alert services', (ctx) => {
  let deps: TestDeps;
  let a: SeededClinic;
  let b: SeededClinic;

  beforeAll(async () => {
    deps = serviceDeps(ctx.db);
    a = await seedClinic(ctx.db, 'Alerts A');
    b = await seedClinic(ctx.db, 'Alerts B');
  });

  describe('resolve needs a note that says something', () => {
    it.each([
      ['empty', ''],
      ['blank', '  \n\t '],
    ])('refuses an %s note, naming the field, and changes nothing', async (_name, note) => {
      const alert = await seedAlert(ctx.db, a);
      const before = (await auditActions(ctx.db, 'alert.resolve')).length;
      const error = await refusal(
        resolveAlert(deps, practitionerOf(a), { alertId: alert.id, note }),
      );
      expect(error.code).toBe('validation_failed');
      expect(error.errors.map((e) => e.field)).toEqual(['note']);
      expect((await findAlert(ctx.db, a.clinicId, alert.id))?.status).toBe('open');
      expect(await auditActions(ctx.db, 'alert.resolve')).toHaveLength(before);
    });

    it('refuses a note over 2,000 characters', async () => {
      const alert = await seedAlert(ctx.db, a);
      const error = await refusal(
        resolveAlert(deps, practitionerOf(a), { alertId: alert.id, note: 'x'.repeat(2001) }),
      );
      expect(error.code).toBe('validation_failed');
      expect(error.errors.map((e) => e.field)).toEqual(['note']);
    });

    it('stores the trimmed note, records who resolved it and audits the patient', async () => {
      const alert = await seedAlert(ctx.db, a);
      const resolved = await resolveAlert(deps, practitionerOf(a), {
        alertId: alert.id,
        note: '  Called the patient back  ',
        outcome: 'false_alarm',
      });
      expect(resolved.alert).toMatchObject({
        status: 'resolved',
        resolutionNote: 'Called the patient back',
        resolvedBy: a.practitionerId,
        acknowledgedBy: a.practitionerId,
      });
      const [event] = await auditActions(ctx.db, 'alert.resolve');
      expect(event).toMatchObject({ subjectId: alert.id, actorId: a.practitionerId });
      expect(JSON.parse(event?.details ?? '{}')).toMatchObject({ patientId: alert.patientId });
      const again = await refusal(
        resolveAlert(deps, practitionerOf(a), {
          alertId: alert.id,
          note: 'again',
          outcome: 'unrelated',
        }),
      );
      expect(again.code).toBe('conflict');
    });
  });

  describe('acknowledge', () => {
    it('moves an open alert to acknowledged once; a second time is a conflict', async () => {
      const alert = await seedAlert(ctx.db, a);
      const acked = await acknowledgeAlert(deps, practitionerOf(a), { alertId: alert.id });
      expect(acked.alert).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: a.practitionerId,
      });
      const again = await refusal(acknowledgeAlert(deps, practitionerOf(a), { alertId: alert.id }));
      expect(again.code).toBe('conflict');
    });

    it('is for people: an API token is refused', async () => {
      const alert = await seedAlert(ctx.db, a);
      const error = await refusal(acknowledgeAlert(deps, tokenOf(a), { alertId: alert.id }));
      expect(error.code).toBe('forbidden');
      expect((await findAlert(ctx.db, a.clinicId, alert.id))?.status).toBe('open');
    });
  });

  it("answers not_found for another clinic's alert and for ids that are not ids", async () => {
    const alert = await seedAlert(ctx.db, b);
    for (const alertId of [alert.id, 'not-a-uuid']) {
      expect((await refusal(acknowledgeAlert(deps, practitionerOf(a), { alertId }))).code).toBe(
        'not_found',
      );
      expect(
        (await refusal(resolveAlert(deps, practitionerOf(a), { alertId, note: 'done' }))).code,
      ).toBe('not_found');
    }
    expect((await findAlert(ctx.db, b.clinicId, alert.id))?.status).toBe('open');
  });

  it('shows no alerts when the audit event of the read cannot be written (decision 1455)', async () => {
    // The event is written beside the detail reads; if it fails, the read fails with it.
    await seedAlert(ctx.db, a, 'emergency');
    const head = await ctx.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    await ctx.db.deleteFrom('audit_head').execute();
    try {
      await expect(readAlertQueue(deps, practitionerOf(a))).rejects.toThrow(/audit_head/);
      await expect(listClinicAlerts(deps, tokenOf(a), { limit: '100' })).rejects.toThrow(
        /audit_head/,
      );
    } finally {
      await ctx.db.insertInto('audit_head').values(head).execute();
    }
    const queue = await readAlertQueue(deps, practitionerOf(a));
    expect(queue.open.length).toBeGreaterThan(0);
  });

  it('renders the queue while its audit event commits, and gives it back only once it has (decision 1462)', async () => {
    const alert = await seedAlert(ctx.db, a, 'emergency');
    const rendered: string[] = [];
    const render = (data: AlertQueueData) => {
      const markup = data.open.map((i) => i.patientName).join(',');
      rendered.push(markup);
      return markup;
    };
    const head = await ctx.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    await ctx.db.deleteFrom('audit_head').execute();
    try {
      // The rendering ran, but what it made never comes back: the read was not audited.
      await expect(readAlertQueueThen(deps, practitionerOf(a), render)).rejects.toThrow(
        /audit_head/,
      );
      expect(rendered).toHaveLength(1);
    } finally {
      await ctx.db.insertInto('audit_head').values(head).execute();
    }
    const before = (await auditActions(ctx.db, 'alert.list')).length;
    const markup = await readAlertQueueThen(deps, practitionerOf(a), render);
    expect(markup).toContain('Ana Alert');
    // Committed by the time the markup is handed back.
    const events = await auditActions(ctx.db, 'alert.list');
    expect(events).toHaveLength(before + 1);
    expect(JSON.parse(events[0]?.details ?? '{}').patientIds).toContain(alert.patientId);
  });

  it("lists and queues the caller's clinic only, and audits which patients were seen", async () => {
    const c = await seedClinic(ctx.db, 'Alerts C');
    const urgent = await seedAlert(ctx.db, c, 'urgent');
    const emergency = await seedAlert(ctx.db, c, 'emergency');
    await seedAlert(ctx.db, b, 'emergency');

    const listed = await listClinicAlerts(deps, tokenOf(c), { limit: '100' });
    expect(listed.map((x) => x.alert.id)).toEqual([emergency.id, urgent.id]);
    const [listEvent] = await auditActions(ctx.db, 'alert.list');
    expect(listEvent?.actorType).toBe('api_token');
    expect(JSON.parse(listEvent?.details ?? '{}').patientIds.sort()).toEqual(
      [urgent.patientId, emergency.patientId].sort(),
    );

    await acknowledgeAlert(deps, practitionerOf(c), { alertId: urgent.id });
    const queue = await readAlertQueue(deps, practitionerOf(c));
    expect(queue.open.map((i) => i.alert.id)).toEqual([emergency.id]);
    expect(queue.acknowledged.map((i) => i.alert.id)).toEqual([urgent.id]);
    expect(queue.openEmergencies).toBe(1);
    expect(queue.open[0]?.patientName).toBe('Ana Alert');
    expect(queue.staffNames.get(c.practitionerId)).toBe('Pia Practitioner');
    const [queueEvent] = await auditActions(ctx.db, 'alert.list');
    expect(queueEvent?.actorId).toBe(c.practitionerId);

    const before = await readAlertQueueSignature(deps, practitionerOf(c));
    await resolveAlert(deps, practitionerOf(c), {
      alertId: emergency.id,
      note: 'Seen in A&E',
      outcome: 'confirmed',
      outcomeClass: 'serious',
    });
    const after = await readAlertQueueSignature(deps, practitionerOf(c));
    expect(after.signature).not.toBe(before.signature);
    expect([before.openEmergencies, after.openEmergencies]).toEqual([1, 0]);
  });

  describe('reaching the patient (issue 10)', () => {
    it('shows how to reach the patient, or says plainly that no contact was given', async () => {
      const c = await seedClinic(ctx.db, 'Alerts D');
      const reachable = await seedAlert(ctx.db, c, 'emergency', {
        phone: '+44 7700 900123',
        email: 'ana@example.test',
      });
      const silent = await seedAlert(ctx.db, c, 'urgent');
      const queue = await readAlertQueue(deps, practitionerOf(c));
      const byId = new Map(queue.open.map((i) => [i.alert.id, i]));
      expect(byId.get(reachable.id)?.contact).toEqual({
        phone: '+44 7700 900123',
        email: 'ana@example.test',
        noContactGiven: false,
      });
      expect(byId.get(silent.id)?.contact).toEqual({
        phone: null,
        email: null,
        noContactGiven: true,
      });
      expect(queue.openUrgentOrEmergency).toBe(2);
      const listed = await listClinicAlerts(deps, tokenOf(c), { limit: '10' });
      expect(listed.find((d) => d.alert.id === reachable.id)?.contact.phone).toBe(
        '+44 7700 900123',
      );
    });

    it('records the acknowledgement note and a second attempt on the same alert, audited', async () => {
      const alert = await seedAlert(ctx.db, a, 'emergency', { phone: '+34 600 000 000' });
      deps.clock.advance(60_000);
      const acked = await acknowledgeAlert(deps, practitionerOf(a), {
        alertId: alert.id,
        note: ' called, no answer\u0000 ',
      });
      expect(acked.attempts.map((t) => [t.note, t.staffId])).toEqual([
        ['called, no answer', a.practitionerId],
      ]);
      deps.clock.advance(10 * 60_000);
      const again = await recordContactAttempt(deps, practitionerOf(a), {
        alertId: alert.id,
        note: 'called again, reached her: going to A&E',
      });
      expect(again.alert.status).toBe('acknowledged');
      expect(again.attempts.map((t) => t.note)).toEqual([
        'called, no answer',
        'called again, reached her: going to A&E',
      ]);
      expect(Date.parse(again.attempts[1]?.at ?? '')).toBeGreaterThan(
        Date.parse(again.attempts[0]?.at ?? ''),
      );
      const [event] = await auditActions(ctx.db, 'alert.contact_attempt');
      expect(event).toMatchObject({ subjectId: alert.id, actorId: a.practitionerId });
      expect(JSON.parse(event?.details ?? '{}')).toMatchObject({ patientId: alert.patientId });
      const blank = await refusal(
        recordContactAttempt(deps, practitionerOf(a), { alertId: alert.id, note: '  ' }),
      );
      expect(blank.errors.map((e) => e.field)).toEqual(['note']);
      await resolveAlert(deps, practitionerOf(a), {
        alertId: alert.id,
        note: 'Seen in A&E',
        outcome: 'confirmed',
        outcomeClass: 'serious',
      });
      const late = await refusal(
        recordContactAttempt(deps, practitionerOf(a), { alertId: alert.id, note: 'late' }),
      );
      expect(late.code).toBe('conflict');
    });

    it('an attempt on an open alert acknowledges it; another clinic gets not_found', async () => {
      const alert = await seedAlert(ctx.db, a, 'urgent');
      const done = await recordContactAttempt(deps, practitionerOf(a), {
        alertId: alert.id,
        note: 'left a voicemail',
      });
      expect(done.alert).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: a.practitionerId,
      });
      const foreign = await refusal(
        recordContactAttempt(deps, practitionerOf(b), { alertId: alert.id, note: 'x' }),
      );
      expect(foreign.code).toBe('not_found');
    });
  });

  describe('resolving classifies the outcome (issue 10)', () => {
    it.each([
      [{}, 'outcome'],
      [{ outcome: 'maybe' }, 'outcome'],
      [{ outcome: 'confirmed' }, 'outcomeClass'],
      [{ outcome: 'false_alarm', outcomeClass: 'mild' }, 'outcomeClass'],
    ])('refuses %o naming %s, and changes nothing', async (extra, field) => {
      const alert = await seedAlert(ctx.db, a);
      const error = await refusal(
        resolveAlert(deps, practitionerOf(a), { alertId: alert.id, note: 'done', ...extra }),
      );
      expect(error.code).toBe('validation_failed');
      expect(error.errors.map((e) => e.field)).toEqual([field]);
      expect((await findAlert(ctx.db, a.clinicId, alert.id))?.status).toBe('open');
    });

    it('stores a confirmed adverse event with its class, and audits the outcome', async () => {
      const alert = await seedAlert(ctx.db, a, 'emergency');
      const done = await resolveAlert(deps, practitionerOf(a), {
        alertId: alert.id,
        note: 'Pneumothorax confirmed in A&E',
        outcome: 'confirmed',
        outcomeClass: 'serious',
      });
      expect(done.alert).toMatchObject({ outcome: 'confirmed', outcomeClass: 'serious' });
      const events = await auditActions(ctx.db, 'alert.resolve');
      const mine = events.find((e) => e.subjectId === alert.id);
      expect(JSON.parse(mine?.details ?? '{}')).toMatchObject({
        outcome: 'confirmed',
        outcomeClass: 'serious',
      });
    });
  });
});
