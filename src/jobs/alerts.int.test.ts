import { afterEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { productUrls } from '../services/urls.ts';
import { type Alert, insertAlert } from '../store/alerts.repository.ts';
import { withTransaction } from '../store/db.ts';
import { updateStaffUser } from '../store/staff.repository.ts';
import { enqueueAlertDelivery } from './alerts.ts';
import { enqueueSessionReminders } from './reminders.ts';
import {
  PUBLIC_URL,
  recordingLogger,
  recordingMailer,
  recordingSms,
  recordingWebhooks,
  type Seeded,
  seedSessionWithReminders,
  testClock,
} from './test-support.ts';
import { createWorker } from './worker.ts';

const T0 = '2026-11-25T10:00:00.000Z'; // Wednesday 11:00 in Madrid
const OFFICE = {
  mon: [['08:00', '18:00']],
  tue: [['08:00', '18:00']],
  wed: [['08:00', '18:00']],
  thu: [['08:00', '18:00']],
  fri: [['08:00', '18:00']],
} as const;

describeEachDialect('jobs: alert delivery and escalation', (ctx) => {
  afterEach(async () => {
    await ctx.db.deleteFrom('outbox').execute();
  });

  async function rows(clinicId: string) {
    return ctx.db
      .selectFrom('outbox')
      .select(['kind', 'dedupe_key', 'due_at', 'status'])
      .where('clinic_id', '=', clinicId)
      .orderBy('due_at')
      .orderBy('dedupe_key')
      .execute();
  }

  async function newAlert(
    s: Seeded,
    severity: Alert['severity'],
    createdAt: string,
  ): Promise<Alert> {
    return insertAlert(ctx.db, {
      clinicId: s.clinic.id,
      sessionId: s.session.id,
      patientId: s.patient.id,
      assessmentId: null,
      severity,
      createdAt,
    });
  }

  /** A worker at `at` with recording senders, run until nothing more is due. */
  async function workerAt(at: string, workerId: string) {
    const mailer = recordingMailer();
    const sms = recordingSms();
    const clock = testClock(at);
    const worker = createWorker({
      db: ctx.db,
      clock,
      logger: recordingLogger(),
      mailer,
      sms,
      webhooks: recordingWebhooks(),
      workerId,
      config: { publicUrl: PUBLIC_URL },
    });
    while ((await worker.runOnce()).claimed > 0) {}
    return { worker, clock, mailer, sms };
  }

  function deliver(
    s: Seeded,
    alert: Alert,
    extra: Partial<Parameters<typeof enqueueAlertDelivery>[1]> = {},
  ) {
    return withTransaction(ctx.db, (trx) =>
      enqueueAlertDelivery(trx, {
        clinic: s.clinic,
        alert,
        patient: s.patient,
        session: s.session,
        practitioner: s.practitioner,
        dashboardUrl: productUrls(PUBLIC_URL).dashboardAlert(alert.id),
        ...extra,
      }),
    );
  }

  it('a retried session write queues no reminder twice', async () => {
    const s = await seedSessionWithReminders(ctx.db, { performedAt: T0, thoracic: false });
    const again = await withTransaction(ctx.db, (trx) =>
      enqueueSessionReminders(trx, {
        clinic: s.clinic,
        session: s.session,
        patient: s.patient,
        link: { url: s.linkUrl },
        plan: s.plan,
      }),
    );
    expect(again).toEqual([]);
    expect(await rows(s.clinic.id)).toHaveLength(5);
  });

  it('routine alerts are delivered but never escalate; urgent ones schedule a check at +2 h', async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: null,
    });
    const routine = await deliver(s, await newAlert(s, 'routine', T0));
    expect(routine.map((q) => q.kind)).toEqual(['alert.email']);
    const urgentAlert = await newAlert(s, 'urgent', T0);
    const urgent = await deliver(s, urgentAlert);
    expect(urgent.map((q) => [q.kind, q.dueAt])).toEqual([
      ['alert.email', T0],
      ['escalation.check', '2026-11-25T12:00:00.000Z'],
    ]);
    expect(await deliver(s, urgentAlert)).toEqual([]); // retried request: nothing new
  });

  it('raising an alert notifies again and supersedes the slower escalation', async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: null,
      clinic: {
        coverage: OFFICE,
        escalation: { contacts: [{ name: 'Backup', email: 'backup@clinic.test' }] },
      },
    });
    const alert = await newAlert(s, 'urgent', T0);
    await deliver(s, alert);
    const raisedAt = '2026-11-25T10:30:00.000Z';
    await ctx.db
      .updateTable('alerts')
      .set({ severity: 'emergency' })
      .where('id', '=', alert.id)
      .execute();
    const raised = await deliver(
      s,
      { ...alert, severity: 'emergency' },
      { event: 'alert.raised', at: raisedAt },
    );
    expect(raised.map((q) => [q.kind, q.dueAt])).toEqual([
      ['alert.email', raisedAt],
      ['escalation.check', '2026-11-25T10:45:00.000Z'],
    ]);

    const { mailer } = await workerAt('2026-11-25T12:00:00.000Z', 'alerts-test');
    const subjects = mailer.sent.map((m) => `${m.to} ${m.subject}`);
    expect(subjects).toEqual([
      `${s.practitioner.email} [Needlecare] Urgent alert from a patient check-in`,
      `${s.practitioner.email} [Needlecare] EMERGENCY alert (raised) from a patient check-in`,
      'backup@clinic.test [Needlecare] EMERGENCY alert not yet acknowledged — please act',
    ]);
    // The urgent check at 12:00 found a raised alert: skipped, no second escalation.
    expect(mailer.sent.filter((m) => m.to === 'backup@clinic.test')).toHaveLength(1);
  });

  it("escalation e-mails and SMS go out in the clinic's language; the practitioner's in their own (decision 0501)", async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: null,
      clinic: {
        coverage: OFFICE,
        defaultLanguage: 'es',
        languages: ['es', 'en'],
        escalation: {
          contacts: [{ name: 'Guardia', email: 'guardia@clinic.test', phone: '+34600000001' }],
        },
      },
    });
    await updateStaffUser(ctx.db, s.clinic.id, s.practitioner.id, { language: 'en' });
    await deliver(s, await newAlert(s, 'emergency', T0));
    const { mailer, sms } = await workerAt('2026-11-25T10:30:00.000Z', 'alerts-language');
    expect(mailer.sent.map((m) => [m.to, m.language, m.subject])).toEqual([
      [s.practitioner.email, 'en', '[Needlecare] EMERGENCY alert from a patient check-in'],
      [
        'guardia@clinic.test',
        'es',
        '[Needlecare] Aviso de EMERGENCIA sin confirmar: actúe, por favor',
      ],
    ]);
    expect(mailer.sent[1]?.text).toContain('sin que nadie lo confirme');
    expect(sms.sent.map((m) => [m.to, m.body])).toEqual([
      [
        '+34600000001',
        expect.stringMatching(
          /^Needlecare: Aviso de EMERGENCIA en Harbour Physio, sin confirmar desde hace \d+ min\. https:/,
        ),
      ],
    ]);
  });

  it('an escalation check that runs late into closed hours waits for the next opening', async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: null,
      clinic: {
        coverage: OFFICE,
        escalation: { contacts: [{ name: 'Backup', email: 'backup@clinic.test' }] },
      },
    });
    await deliver(s, await newAlert(s, 'emergency', '2026-11-25T16:40:00.000Z')); // 17:40 local
    // The worker was down: it comes back at 20:00 local, after closing.
    const { worker, clock, mailer } = await workerAt('2026-11-25T19:00:00.000Z', 'late');
    expect(mailer.sent.map((m) => m.to)).toEqual([s.practitioner.email]);
    const pending = (await rows(s.clinic.id)).filter((r) => r.status === 'pending');
    expect(pending).toEqual([
      expect.objectContaining({ kind: 'escalation.check', due_at: '2026-11-26T07:00:00.000Z' }),
    ]);
    clock.set('2026-11-26T07:00:00.000Z');
    while ((await worker.runOnce()).claimed > 0) {}
    expect(mailer.sent.map((m) => m.to)).toEqual([s.practitioner.email, 'backup@clinic.test']);
  });

  it('without a practitioner the clinic alert address gets the e-mail; with neither, only webhooks', async () => {
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: null,
      clinic: { escalation: { alertEmail: 'desk@clinic.test' } },
    });
    const q = await deliver(s, await newAlert(s, 'routine', T0), { practitioner: null });
    expect(q.map((x) => x.kind)).toEqual(['alert.email']);
    const bare = await seedSessionWithReminders(ctx.db, {
      performedAt: T0,
      thoracic: false,
      email: null,
    });
    expect(
      await deliver(bare, await newAlert(bare, 'routine', T0), { practitioner: null }),
    ).toEqual([]);
  });
});
