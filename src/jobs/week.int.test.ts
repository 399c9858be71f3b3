/**
 * A week of two patients' plans, simulated with an injected clock: the clock jumps from one due
 * message (or scripted patient/staff action) to the next, so seven days run in milliseconds.
 * The week spans the spring DST change in Madrid (Sunday 29 March 2026, 02:00 → 03:00).
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { clinicIsOpen } from '../clinical/clinic-hours.ts';
import { productUrls } from '../services/urls.ts';
import {
  acknowledgeAlert,
  findOpenAlertForSession,
  insertAlert,
} from '../store/alerts.repository.ts';
import { listAuditEvents } from '../store/audit.repository.ts';
import { insertCheckIn } from '../store/checkins.repository.ts';
import type { WeeklyCoverage } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { enqueueAlertDelivery } from './alerts.ts';
import type { Mailer } from './mailer.ts';
import { nextPendingDueAt } from './outbox-queries.ts';
import type { SmsSender } from './sms-gateway.ts';
import {
  PUBLIC_URL,
  recordingLogger,
  recordingWebhooks,
  type Seeded,
  seedSessionWithReminders,
  testClock,
} from './test-support.ts';
import { createWorker } from './worker.ts';

const WEEKDAYS: WeeklyCoverage = {
  mon: [['08:00', '18:00']],
  tue: [['08:00', '18:00']],
  wed: [['08:00', '18:00']],
  thu: [['08:00', '18:00']],
  fri: [['08:00', '18:00']],
};
const CLINIC = {
  timeZone: 'Europe/Madrid',
  quietHours: { start: '21:00', end: '08:00' },
  coverage: WEEKDAYS,
  escalation: {
    contacts: [
      { name: 'Backup', email: 'backup@clinic.test', phone: '+34 600 999 001' },
      { name: 'Second', email: 'second@clinic.test' },
    ],
  },
};
const END = '2026-04-06T12:00:00.000Z';

function label(key: string, names: ReadonlyMap<string, string>): string {
  const [type, id = '', a = '', b = ''] = key.split(':');
  if (type === 'reminder') return `reminder ${names.get(id) ?? id} ${a}h`;
  if (type === 'alert') return `alert ${names.get(id) ?? id} ${a}`;
  if (type === 'escalation') return `escalation ${names.get(id) ?? id} ${a} step ${b}`;
  return key;
}

describeEachDialect('jobs: a simulated week', (ctx) => {
  it('sends the right reminders at the right local times, escalates on the minute, follows up missed thoracic check-ins', async () => {
    const clock = testClock('2026-03-27T17:00:00.000Z');
    // Thoracic: Friday 27 March, 18:30 in Madrid (CET). Non-thoracic: the same day, 20:00.
    const t: Seeded = await seedSessionWithReminders(ctx.db, {
      performedAt: '2026-03-27T17:30:00.000Z',
      thoracic: true,
      email: 't@example.test',
      phone: '+34 600 000 001',
      practitionerEmail: 'dana-t@clinic.test',
      clinic: CLINIC,
    });
    const n: Seeded = await seedSessionWithReminders(ctx.db, {
      performedAt: '2026-03-27T19:00:00.000Z',
      thoracic: false,
      email: 'n@example.test',
      practitionerEmail: 'dana-n@clinic.test',
      clinic: CLINIC,
    });
    expect(t.plan.thoracic).toBe(true);
    expect(n.plan.thoracic).toBe(false);

    const names = new Map<string, string>([
      [t.session.id, 'T'],
      [n.session.id, 'N'],
    ]);
    const log: string[] = [];
    const mailer: Mailer = {
      async send(m) {
        log.push(
          `${clock.now().toISOString()} email ${m.to} ${label(m.headers['X-Needlecare-Dedupe-Key'] ?? '', names)}`,
        );
      },
    };
    const sms: SmsSender = {
      async send(m) {
        log.push(`${clock.now().toISOString()} sms ${m.to} ${label(m.idempotencyKey, names)}`);
      },
    };
    const logger = recordingLogger();
    const worker = createWorker({
      db: ctx.db,
      clock,
      logger,
      mailer,
      sms,
      webhooks: recordingWebhooks(),
      workerId: 'week',
      config: { publicUrl: PUBLIC_URL },
    });

    const checkIn = (s: Seeded, at: string) =>
      insertCheckIn(ctx.db, {
        sessionId: s.session.id,
        clinicId: s.clinic.id,
        receivedAt: at,
        hoursAfter: (Date.parse(at) - Date.parse(s.session.performedAt)) / 3_600_000,
        soreness: 3,
        symptoms: [],
        source: 'patient',
      });
    const raise = (s: Seeded, at: string, severity: 'urgent' | 'emergency') =>
      withTransaction(ctx.db, async (trx) => {
        const alert = await insertAlert(trx, {
          clinicId: s.clinic.id,
          sessionId: s.session.id,
          patientId: s.patient.id,
          assessmentId: null,
          severity,
          createdAt: at,
        });
        names.set(alert.id, `N-${severity}`);
        await enqueueAlertDelivery(trx, {
          clinic: s.clinic,
          alert,
          patient: s.patient,
          session: s.session,
          practitioner: s.practitioner,
          dashboardUrl: productUrls(PUBLIC_URL).dashboardAlert(alert.id),
        });
      });
    const acknowledge = async (s: Seeded, at: string) => {
      const open = await findOpenAlertForSession(ctx.db, s.session.id);
      expect(open).toBeDefined();
      await acknowledgeAlert(ctx.db, s.clinic.id, open?.id ?? '', s.practitioner.id, at);
    };

    const actions: Array<{ at: string; run: () => Promise<unknown> }> = [
      { at: '2026-03-27T19:40:00.000Z', run: () => checkIn(t, '2026-03-27T19:40:00.000Z') },
      { at: '2026-03-28T09:00:00.000Z', run: () => acknowledge(t, '2026-03-28T09:00:00.000Z') },
      { at: '2026-03-28T17:40:00.000Z', run: () => checkIn(t, '2026-03-28T17:40:00.000Z') },
      {
        at: '2026-03-30T10:00:00.000Z',
        run: async () => {
          await checkIn(n, '2026-03-30T10:00:00.000Z');
          await raise(n, '2026-03-30T10:00:00.000Z', 'emergency');
          expect(clinicIsOpen(n.clinic, clock.now())).toEqual({ open: true });
        },
      },
      { at: '2026-03-30T10:20:00.000Z', run: () => acknowledge(n, '2026-03-30T10:20:00.000Z') },
      // The thoracic patient answers the 72 h check-in half an hour before it is due.
      { at: '2026-03-30T17:00:00.000Z', run: () => checkIn(t, '2026-03-30T17:00:00.000Z') },
      {
        at: '2026-04-03T15:30:00.000Z',
        run: async () => {
          await checkIn(n, '2026-04-03T15:30:00.000Z');
          await raise(n, '2026-04-03T15:30:00.000Z', 'urgent');
        },
      },
      {
        at: '2026-04-03T19:00:00.000Z',
        run: async () => {
          expect(clinicIsOpen(n.clinic, clock.now())).toEqual({
            open: false,
            opensAt: '2026-04-06T06:00:00.000Z',
          });
        },
      },
    ];

    let rounds = 0;
    for (;;) {
      const due = await nextPendingDueAt(ctx.db);
      const candidates = [due, actions[0]?.at].filter((x): x is string => x !== undefined);
      const next = candidates.sort()[0];
      if (next === undefined || next > END) break;
      if (next > clock.now().toISOString()) clock.set(next);
      while (actions[0] && actions[0].at <= clock.now().toISOString()) {
        await actions.shift()?.run();
      }
      while ((await worker.runOnce()).claimed > 0) rounds += 1;
      if (rounds > 500) throw new Error('simulation does not settle');
    }
    expect(actions).toEqual([]);

    // Same-minute messages may go in any order: compare time-sorted (email before sms).
    expect([...log].sort()).toEqual([
      // Early thoracic check-ins go at the planned time, even at night.
      '2026-03-27T19:30:00.000Z email t@example.test reminder T 2h',
      '2026-03-27T19:30:00.000Z sms +34 600 000 001 reminder T 2h',
      '2026-03-27T23:30:00.000Z email t@example.test reminder T 6h',
      '2026-03-27T23:30:00.000Z sms +34 600 000 001 reminder T 6h',
      // The 6 h check-in went unanswered: a routine "call the patient" alert, 90 min later.
      expect.stringMatching(
        /^2026-03-28T01:00:00\.000Z email dana-t@clinic\.test alert \S+ routine$/,
      ),
      // Non-thoracic +4 h (00:00 local) waits for the end of quiet hours: 08:00 CET.
      '2026-03-28T07:00:00.000Z email n@example.test reminder N 4h',
      '2026-03-28T17:30:00.000Z email t@example.test reminder T 24h',
      '2026-03-28T17:30:00.000Z sms +34 600 000 001 reminder T 24h',
      '2026-03-28T19:00:00.000Z email n@example.test reminder N 24h',
      '2026-03-29T17:30:00.000Z email t@example.test reminder T 48h',
      '2026-03-29T17:30:00.000Z sms +34 600 000 001 reminder T 48h',
      expect.stringMatching(
        /^2026-03-29T19:00:00\.000Z email dana-t@clinic\.test alert \S+ routine$/,
      ),
      // +48 h is 21:00 CEST on Sunday: moved to Monday 08:00 CEST (UTC+2 after the change).
      '2026-03-30T06:00:00.000Z email n@example.test reminder N 48h',
      '2026-03-30T10:00:00.000Z email dana-n@clinic.test alert N-emergency emergency',
      // Unacknowledged 15 minutes: the backup contact, by e-mail and SMS.
      '2026-03-30T10:15:00.000Z email backup@clinic.test escalation N-emergency emergency step 0',
      '2026-03-30T10:15:00.000Z sms +34 600 999 001 escalation N-emergency emergency step 0',
      // Acknowledged at 10:20: the second contact is not called at 10:30. T answered 72 h early.
      '2026-03-31T06:00:00.000Z email n@example.test reminder N 72h',
      '2026-04-03T15:30:00.000Z email dana-n@clinic.test alert N-urgent urgent',
      '2026-04-03T17:30:00.000Z email t@example.test reminder T 168h',
      '2026-04-03T17:30:00.000Z sms +34 600 000 001 reminder T 168h',
      '2026-04-04T06:00:00.000Z email n@example.test reminder N 168h',
      // Urgent at 17:30 Friday: 2 h later the clinic is closed, so Monday 08:00 CEST …
      '2026-04-06T06:00:00.000Z email backup@clinic.test escalation N-urgent urgent step 0',
      '2026-04-06T06:00:00.000Z sms +34 600 999 001 escalation N-urgent urgent step 0',
      // … and the next contact 2 h after that.
      '2026-04-06T08:00:00.000Z email second@clinic.test escalation N-urgent urgent step 1',
    ]);

    // The worker's logs carry ids and kinds, never addresses, numbers or links.
    const logged = JSON.stringify(logger.records);
    expect(logged).not.toMatch(/@|\+34|\/p\/|Rosa/);

    const tAudit = await listAuditEvents(ctx.db, { clinicId: t.clinic.id, limit: 50 });
    const missed = tAudit.filter((e) => e.action === 'alert.create');
    expect(missed).toHaveLength(2);
    expect(missed[0]?.details).toMatchObject({ reason: 'missed_checkin' });
    const nAudit = await listAuditEvents(ctx.db, { clinicId: n.clinic.id, limit: 50 });
    expect(nAudit.filter((e) => e.action === 'alert.escalate')).toHaveLength(3);
    // No reminder for the non-thoracic patient was ever turned into an alert.
    expect(nAudit.filter((e) => e.action === 'alert.create')).toHaveLength(0);
  });
});
