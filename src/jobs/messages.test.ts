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

  it('carries how to reach the patient when given: the phone as a tel: link, or "no contact given" (decision 1221)', () => {
    const mail = renderAlertEmail(alert, { phone: '+34 600 123 456', email: 'rosa@example.test' });
    expect(mail.text).toContain('Phone: +34 600 123 456 (tel:+34600123456)');
    expect(mail.text).toContain('E-mail: rosa@example.test');
    expect(mail.text).not.toContain('holds no patient details');
    expect(mail.html).toContain('<a href="tel:+34600123456">+34 600 123 456</a>');
    expect(mail.html).toContain('<a href="mailto:rosa@example.test">rosa@example.test</a>');
    expect(mail.html).toContain(`<a href="${alert.dashboardUrl}">`);
    const none = renderAlertEmail(alert, { phone: null, email: null });
    expect(none.text).toContain('No contact given: the patient gave no phone or e-mail.');
    expect(none.html).toContain('No contact given');
    const off = renderAlertEmail(alert);
    expect(off.html).toBeUndefined();
    expect(off.text).not.toMatch(/Phone|tel:/);
    expect(off.text).toContain('This e-mail holds no patient details');
  });
});
