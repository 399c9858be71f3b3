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

/** English words that would show an untranslated line in a Spanish staff message. */
const ENGLISH =
  /\b(alert|patient|check-in|raised|dashboard|please|minutes|phone|none given|sign in)\b/i;
/** A message's words, without its links (the dashboard's address says `alert`). */
const wordsOf = (text: string) => text.replace(/https?:\/\/\S+/g, '');

describe('staff alerts in Spanish (decision 0501)', () => {
  const es = (p: AlertMessagePayload, contact?: Parameters<typeof renderAlertEmail>[1]) =>
    renderAlertEmail(p, contact, 'es');

  it('a check-in alert: severity in the subject, what the patient was told, the clinic-local time', () => {
    const mail = es(alert);
    expect(mail.subject).toBe('[Needlecare] Aviso de EMERGENCIA por el seguimiento de un paciente');
    expect(mail.text).toContain('necesita atención (aviso de emergencia)');
    expect(mail.text).toContain('llame ya al número de emergencias');
    expect(mail.text).toContain('Aviso emitido:');
    expect(mail.text).toContain('11:00');
    expect(mail.text).toContain(`Ábralo en el panel: ${alert.dashboardUrl}`);
    expect(mail.text).toContain('Este correo no lleva datos del paciente');
    // The date in Spanish too: a weekday and month written as Spanish readers write them.
    expect(mail.text).not.toMatch(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Nov)\b/);
    expect(wordsOf(`${mail.subject}\n${mail.text}`)).not.toMatch(ENGLISH);
    const raised = es({ ...alert, severity: 'urgent', event: 'alert.raised' });
    expect(raised.subject).toBe(
      '[Needlecare] Aviso urgente (ha subido de nivel) por el seguimiento de un paciente',
    );
    expect(raised.text).toContain('contacte hoy con su fisioterapeuta o con un médico');
    expect(es({ ...alert, severity: 'routine' }).text).toContain('sin prisa');
  });

  it('escalation, missed check-in and SMS have their own Spanish words', () => {
    const escalation = es({ ...alert, escalation: { step: 0, minutesOpen: 15 } });
    expect(escalation.subject).toBe(
      '[Needlecare] Aviso de EMERGENCIA sin confirmar: actúe, por favor',
    );
    expect(escalation.text).toContain('lleva 15 minutos sin que nadie lo confirme');
    expect(escalation.text).toContain('contacto de escalado');
    const missed = es({ ...alert, severity: 'routine', reason: 'missed_checkin' });
    expect(missed.subject).toContain('llame al paciente');
    expect(missed.text).toContain('cerca del tórax');
    for (const mail of [escalation, missed])
      expect(wordsOf(`${mail.subject}\n${mail.text}`)).not.toMatch(ENGLISH);
    expect(renderAlertSms(alert, 'es')).toBe(
      `Needlecare: Aviso de EMERGENCIA en Harbour Physio. ${alert.dashboardUrl}`,
    );
    expect(renderAlertSms({ ...alert, escalation: { step: 1, minutesOpen: 30 } }, 'es')).toContain(
      'sin confirmar desde hace 30 min',
    );
  });

  it('the patient contact block in Spanish, in the text and the HTML (lang="es")', () => {
    const mail = es(alert, { phone: '+34 600 123 456', email: 'rosa@example.test' });
    expect(mail.text).toContain('Cómo contactar con el paciente:');
    expect(mail.text).toContain('Teléfono: +34 600 123 456 (tel:+34600123456)');
    expect(mail.text).toContain('Correo: rosa@example.test');
    expect(mail.text).toContain('Inicie sesión para ver el nombre del paciente');
    expect(mail.html).toContain('<html lang="es">');
    expect(mail.html).toContain('<strong>Cómo contactar con el paciente:</strong>');
    expect(mail.html).toContain('<a href="tel:+34600123456">+34 600 123 456</a>');
    // The contact block is not repeated as a plain paragraph.
    expect(mail.html?.match(/Cómo contactar/g)).toHaveLength(1);
    expect(wordsOf(`${mail.subject}\n${mail.text}`)).not.toMatch(ENGLISH);
    const none = es(alert, { phone: null, email: null });
    expect(none.text).toContain('Sin datos de contacto: el paciente no dio teléfono ni correo.');
    const half = es(alert, { phone: null, email: 'rosa@example.test' });
    expect(half.text).toContain('Teléfono: no lo dio');
    expect(half.html).toContain('<li>Teléfono: no lo dio</li>');
  });

  it('English stays as it was: the default, and lang="en" in the HTML', () => {
    expect(renderAlertEmail(alert, undefined, 'en')).toEqual(renderAlertEmail(alert));
    const mail = renderAlertEmail(alert, { phone: null, email: null });
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.html?.match(/How to reach the patient/g)).toHaveLength(1);
  });
});
