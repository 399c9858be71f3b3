import { describe, expect, it } from 'vitest';
import {
  renderAlertEmail,
  renderAlertSms,
  renderReminderEmail,
  renderReminderSms,
} from './messages.ts';
import type { AlertMessagePayload, ReminderPayload } from './payloads.ts';

const reminder: ReminderPayload = {
  sessionId: 's1',
  hoursAfter: 24,
  plannedAt: '2026-11-26T10:00:00.000Z',
  early: false,
  to: 'x@example.test',
  language: 'en',
  linkUrl: 'https://care.example.test/p/TOKEN',
  stopUrl: 'https://care.example.test/p/TOKEN/stop',
  clinicName: 'Harbour Physio',
  contactPhone: '+34 910 000 000',
  emergencyNumber: '112',
};

const alert: AlertMessagePayload = {
  alertId: 'a1',
  severity: 'emergency',
  event: 'alert.created',
  reason: 'checkin',
  to: 'dana@clinic.test',
  dashboardUrl: 'https://care.example.test/app#alert-a1',
  clinicName: 'Harbour Physio',
  timeZone: 'Europe/Madrid',
  raisedAt: '2026-11-25T10:00:00.000Z',
};

describe('patient reminders', () => {
  for (const language of ['en', 'es'] as const) {
    it(`${language}: link, stop link, emergency number, clinic phone`, () => {
      const p = { ...reminder, language };
      const mail = renderReminderEmail(p);
      const sms = renderReminderSms(p);
      for (const text of [mail.text, sms]) {
        expect(text).toContain(p.linkUrl);
        expect(text).toContain(p.stopUrl);
        expect(text).toContain('112');
      }
      expect(mail.text).toContain('+34 910 000 000');
    });
  }

  it('SMS stays short enough for a few segments', () => {
    expect(renderReminderSms(reminder).length).toBeLessThan(300);
    expect(renderReminderSms({ ...reminder, language: 'es' }).length).toBeLessThan(300);
  });

  it('Spanish differs from English', () => {
    expect(renderReminderEmail({ ...reminder, language: 'es' }).subject).toContain('seguimiento');
  });
});

describe('staff alerts', () => {
  it('subject has severity only; body has the dashboard link and the clinic-local time', () => {
    const mail = renderAlertEmail(alert);
    expect(mail.subject).toBe('[Needlecare] EMERGENCY alert from a patient check-in');
    expect(mail.text).toContain(alert.dashboardUrl);
    expect(mail.text).toContain('11:00');
  });

  it('escalation and missed check-in have their own words', () => {
    expect(renderAlertEmail({ ...alert, escalation: { step: 0, minutesOpen: 15 } }).text).toContain(
      '15 minutes',
    );
    const missed = renderAlertEmail({ ...alert, severity: 'routine', reason: 'missed_checkin' });
    expect(missed.subject).toContain('call the patient');
    expect(renderAlertSms({ ...alert, escalation: { step: 1, minutesOpen: 30 } })).toContain(
      '30 min',
    );
  });
});
