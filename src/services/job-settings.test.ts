import { describe, expect, it } from 'vitest';
import {
  readJobSettings,
  validateCoverage,
  validateJobSettings,
  validateQuietHours,
} from './job-settings.ts';

describe('job settings (clinic escalation_json)', () => {
  it('defaults: 15 min emergency, 2 h urgent, routine never, 90 min answer window', () => {
    expect(readJobSettings({})).toEqual({
      timing: { emergencyMinutes: 15, urgentMinutes: 120, routineMinutes: null },
      contacts: [],
      alertEmail: null,
      webhooks: [],
      missedCheckInMinutes: 90,
      afterHoursPhone: null,
    });
  });

  it('reads a full configuration', () => {
    const s = readJobSettings({
      emergencyMinutes: 10,
      urgentMinutes: 60,
      routineMinutes: 1440,
      contacts: [
        { name: 'Backup', email: 'b@clinic.test' },
        { name: 'Night', phone: '+34 600 000 000' },
      ],
      webhooks: [{ id: 'ehr', url: 'https://ehr.example/hook', secret: '0123456789abcdef' }],
      alertEmail: 'desk@clinic.test',
    });
    expect(s.timing).toEqual({ emergencyMinutes: 10, urgentMinutes: 60, routineMinutes: 1440 });
    expect(s.contacts).toEqual([
      { name: 'Backup', email: 'b@clinic.test', phone: null },
      { name: 'Night', email: null, phone: '+34 600 000 000' },
    ]);
    expect(s.webhooks).toHaveLength(1);
  });

  it("a contact's own language is kept; an unknown one is named and read as the clinic's (decision 0502)", () => {
    const contacts = [
      { name: 'Guardia', email: 'g@clinic.test', language: 'es' },
      { name: 'Night', phone: '+34 600 000 000', language: 'fr' },
    ];
    expect(readJobSettings({ contacts }).contacts).toEqual([
      { name: 'Guardia', email: 'g@clinic.test', phone: null, language: 'es' },
      { name: 'Night', email: null, phone: '+34 600 000 000' },
    ]);
    expect(validateJobSettings({ contacts })).toEqual({
      ok: false,
      problems: ['escalation.contacts[1].language: must be one of en, es'],
    });
  });

  it('lenient read ignores bad parts; strict validation names each one', () => {
    const raw = {
      emergencyMinutes: 0,
      contacts: [{ name: '' }],
      webhooks: [{ id: 'bad id', url: 'ftp://x', secret: 'short' }],
    };
    expect(readJobSettings(raw).timing.emergencyMinutes).toBe(15);
    expect(readJobSettings(raw).webhooks).toEqual([]);
    const result = validateJobSettings(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([
        'escalation.emergencyMinutes: must be a whole number of minutes from 1 to 10080',
        'escalation.contacts[0].name: required',
        'escalation.contacts[0]: needs an email or a phone',
        'escalation.webhooks[0].id: 1–40 letters, digits, - or _',
        'escalation.webhooks[0].url: must be an http(s) URL',
        'escalation.webhooks[0].secret: at least 16 characters',
      ]);
    }
  });

  it('refuses contact names that would break an e-mail header or spoof their order', () => {
    const result = validateJobSettings({
      contacts: [
        { name: 'Dr Backup\r\nBcc: x@evil.example', email: 'backup@clinic.example' },
        { name: 'Dr \u202eputs', email: 'b2@clinic.example' },
        { name: '  Dr   Lopez ', email: 'b3@clinic.example' },
      ],
    });
    expect(result.ok ? [] : result.problems).toEqual([
      'escalation.contacts[0].name: must be on one line (no line breaks)',
      expect.stringContaining('escalation.contacts[1].name: must not contain text-direction'),
    ]);
    expect(
      readJobSettings({ contacts: [{ name: '  Dr   Lopez ', phone: '+34 600 000 000' }] }).contacts,
    ).toEqual([{ name: 'Dr Lopez', email: null, phone: '+34 600 000 000' }]);
  });
});

describe('webhook format (decision 0910)', () => {
  const hook = (extra: object) => ({
    webhooks: [
      { id: 'ehr', url: 'https://ehr.example.com/h', secret: '0123456789abcdef', ...extra },
    ],
  });

  it('defaults to the native form; accepts "fhir"', () => {
    expect(readJobSettings(hook({})).webhooks[0]?.format).toBe('native');
    expect(readJobSettings(hook({ format: 'fhir' })).webhooks[0]?.format).toBe('fhir');
  });

  it('refuses an unknown format, and the FHIR form over plain http unless the host is allowed', () => {
    expect(validateJobSettings(hook({ format: 'xml' }))).toEqual({
      ok: false,
      problems: ['escalation.webhooks[0].format: must be "native" or "fhir"'],
    });
    const plain = hook({ format: 'fhir', url: 'http://ehr.example.com/h' });
    expect(validateJobSettings(plain)).toEqual({
      ok: false,
      problems: [
        'escalation.webhooks[0].url: the FHIR form carries patient data: use an https URL',
      ],
    });
    expect(validateJobSettings(plain, { allowHosts: ['ehr.example.com'] }).ok).toBe(true);
    expect(
      validateJobSettings({ ...plain, webhooks: [{ ...plain.webhooks[0], format: 'native' }] }).ok,
    ).toBe(true);
  });
});

describe('coverage and quiet hours validation', () => {
  it('accepts good values', () => {
    expect(
      validateCoverage({ mon: [['08:00', '18:00']], fri: [['22:00', '06:00']], sat: [] }),
    ).toEqual([]);
    expect(validateCoverage({})).toEqual([]);
    expect(validateQuietHours(null)).toEqual([]);
    expect(validateQuietHours({ start: '21:00', end: '08:00' })).toEqual([]);
  });
  it('names each problem', () => {
    expect(
      validateCoverage({ monday: [], tue: [['8:00', '18:00']], wed: [['09:00', '09:00']] }),
    ).toEqual([
      'coverage.monday: not a weekday (mon, tue, wed, thu, fri, sat, sun)',
      'coverage.tue[0]: must be ["HH:MM", "HH:MM"] with different times',
      'coverage.wed[0]: must be ["HH:MM", "HH:MM"] with different times',
    ]);
    expect(validateQuietHours({ start: '25:00', end: '07:00' })).toEqual([
      'quietHours.start: must be a time "HH:MM"',
    ]);
    expect(validateQuietHours({ start: '07:00', end: '07:00' })).toEqual([
      'quietHours: start and end must differ',
    ]);
  });
});
