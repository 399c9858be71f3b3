import { describe, expect, it } from 'vitest';
import { isWithinCoverage, nextCoverageStart, zonedInstant } from '../clinical/clinic-hours.ts';
import { wallTimeAt } from '../clinical/time-zone.ts';
import { DEFAULT_ESCALATION_TIMING } from '../services/job-settings.ts';
import type { QuietHours, WeeklyCoverage } from '../store/clinics.repository.ts';
import { escalationDueAt, moveOutOfQuietHours } from './schedule.ts';

const MADRID = 'Europe/Madrid';
const NEW_YORK = 'America/New_York';
const NIGHT: QuietHours = { start: '21:00', end: '08:00' };
const OFFICE: WeeklyCoverage = {
  mon: [['08:00', '18:00']],
  tue: [['08:00', '18:00']],
  wed: [['08:00', '18:00']],
  thu: [['08:00', '18:00']],
  fri: [['08:00', '18:00']],
  sat: [['09:00', '13:00']],
};

describe('moveOutOfQuietHours', () => {
  const cases: Array<[string, string, QuietHours, string, string]> = [
    [
      'evening before quiet hours',
      '2026-06-10T18:00:00.000Z',
      NIGHT,
      MADRID,
      '2026-06-10T18:00:00.000Z',
    ],
    [
      'late evening → next morning',
      '2026-06-10T19:30:00.000Z',
      NIGHT,
      MADRID,
      '2026-06-11T06:00:00.000Z',
    ],
    [
      'small hours → same morning',
      '2026-06-11T03:00:00.000Z',
      NIGHT,
      MADRID,
      '2026-06-11T06:00:00.000Z',
    ],
    [
      'exactly at the end is not quiet',
      '2026-06-11T06:00:00.000Z',
      NIGHT,
      MADRID,
      '2026-06-11T06:00:00.000Z',
    ],
    [
      'exactly at the start is quiet',
      '2026-06-10T19:00:00.000Z',
      NIGHT,
      MADRID,
      '2026-06-11T06:00:00.000Z',
    ],
    // Spring forward in Madrid: 2026-03-29 02:00 CET → 03:00 CEST. 08:00 next day is UTC+2.
    [
      'across the spring DST change',
      '2026-03-28T22:00:00.000Z',
      NIGHT,
      MADRID,
      '2026-03-29T06:00:00.000Z',
    ],
    // Fall back in Madrid: 2026-10-25 03:00 CEST → 02:00 CET. 08:00 next day is UTC+1.
    [
      'across the autumn DST change',
      '2026-10-24T20:00:00.000Z',
      NIGHT,
      MADRID,
      '2026-10-25T07:00:00.000Z',
    ],
    [
      'daytime window',
      '2026-06-10T16:30:00.000Z',
      { start: '12:00', end: '14:00' },
      NEW_YORK,
      '2026-06-10T18:00:00.000Z',
    ],
    ['no quiet hours', '2026-06-10T02:00:00.000Z', null, MADRID, '2026-06-10T02:00:00.000Z'],
    // New York springs forward 2026-03-08 02:00 EST → 03:00 EDT: 02:30 never happens → 03:30 EDT.
    [
      'end inside the DST gap',
      '2026-03-08T06:00:00.000Z',
      { start: '22:00', end: '02:30' },
      NEW_YORK,
      '2026-03-08T07:30:00.000Z',
    ],
  ];
  it.each(cases)('%s', (_name, instant, quiet, zone, expected) => {
    expect(moveOutOfQuietHours(instant, quiet, zone).toISOString()).toBe(expected);
  });
});

describe('isWithinCoverage', () => {
  const cases: Array<[string, string, WeeklyCoverage, boolean]> = [
    ['Wednesday 11:00 local', '2026-11-25T10:00:00.000Z', OFFICE, true],
    ['Wednesday 18:00 local (end is exclusive)', '2026-11-25T17:00:00.000Z', OFFICE, false],
    ['Wednesday 07:59 local', '2026-11-25T06:59:00.000Z', OFFICE, false],
    ['Sunday noon', '2026-11-29T11:00:00.000Z', OFFICE, false],
    ['Saturday 12:00 local', '2026-11-28T11:00:00.000Z', OFFICE, true],
    [
      'overnight range, next morning',
      '2026-11-28T04:00:00.000Z',
      { fri: [['22:00', '06:00']] },
      true,
    ],
    ['overnight range, evening', '2026-11-27T22:30:00.000Z', { fri: [['22:00', '06:00']] }, true],
    ['overnight range, after it', '2026-11-28T06:00:00.000Z', { fri: [['22:00', '06:00']] }, false],
    ['no coverage configured = always', '2026-11-29T03:00:00.000Z', {}, true],
  ];
  it.each(cases)('%s', (_name, instant, coverage, expected) => {
    expect(isWithinCoverage(instant, coverage, MADRID)).toBe(expected);
  });
});

describe('nextCoverageStart', () => {
  const cases: Array<[string, string, string]> = [
    ['within coverage: now', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.000Z'],
    ['Friday evening → Saturday 09:00', '2026-11-27T17:30:00.000Z', '2026-11-28T08:00:00.000Z'],
    ['Saturday afternoon → Monday 08:00', '2026-11-28T13:00:00.000Z', '2026-11-30T07:00:00.000Z'],
    ['early morning → same day 08:00', '2026-11-25T05:00:00.000Z', '2026-11-25T07:00:00.000Z'],
    // Saturday 28 March 2026 evening (CET) → Monday 30 March 08:00 CEST (UTC+2).
    ['across the spring DST change', '2026-03-28T19:00:00.000Z', '2026-03-30T06:00:00.000Z'],
  ];
  it.each(cases)('%s', (_name, instant, expected) => {
    expect(nextCoverageStart(instant, OFFICE, MADRID).toISOString()).toBe(expected);
  });
});

describe('escalationDueAt', () => {
  const settings = { timing: DEFAULT_ESCALATION_TIMING, coverage: OFFICE, timeZone: MADRID };
  const cases: Array<[string, 'emergency' | 'urgent' | 'routine', string, string | null]> = [
    ['emergency: 15 minutes', 'emergency', '2026-11-25T10:00:00.000Z', '2026-11-25T10:15:00.000Z'],
    ['urgent: 2 hours', 'urgent', '2026-11-25T10:00:00.000Z', '2026-11-25T12:00:00.000Z'],
    ['routine: never', 'routine', '2026-11-25T10:00:00.000Z', null],
    [
      'emergency after closing → Saturday opening',
      'emergency',
      '2026-11-27T17:50:00.000Z',
      '2026-11-28T08:00:00.000Z',
    ],
    [
      'urgent running past closing → next opening',
      'urgent',
      '2026-11-25T16:30:00.000Z',
      '2026-11-26T07:00:00.000Z',
    ],
  ];
  it.each(cases)('%s', (_name, severity, createdAt, expected) => {
    expect(escalationDueAt({ severity, createdAt }, settings)?.toISOString() ?? null).toBe(
      expected,
    );
  });

  it('uses the clinic time when set', () => {
    const custom = { ...settings, timing: { ...DEFAULT_ESCALATION_TIMING, emergencyMinutes: 5 } };
    const due = escalationDueAt(
      { severity: 'emergency', createdAt: '2026-11-25T10:00:00.000Z' },
      custom,
    );
    expect(due?.toISOString()).toBe('2026-11-25T10:05:00.000Z');
  });
});

describe('zonedInstant', () => {
  it('gives the first of two 02:30s on the autumn change', () => {
    const t = zonedInstant({ year: 2026, month: 10, day: 25 }, 150, MADRID);
    expect(t.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(wallTimeAt(t, MADRID).hour).toBe(2);
  });
});
