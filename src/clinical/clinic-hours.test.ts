import { describe, expect, it } from 'vitest';
import { clinicIsOpen, type WeeklyCoverage } from './clinic-hours.ts';

const WEEKDAYS_9_TO_5: WeeklyCoverage = {
  mon: [['09:00', '17:00']],
  tue: [['09:00', '17:00']],
  wed: [['09:00', '17:00']],
  thu: [['09:00', '17:00']],
  fri: [['09:00', '17:00']],
};
const NIGHTS: WeeklyCoverage = { fri: [['22:00', '06:00']] };

describe('clinicIsOpen', () => {
  const cases: Array<[string, WeeklyCoverage, string, string, ReturnType<typeof clinicIsOpen>]> = [
    [
      'no coverage configured: always open',
      {},
      'Europe/Madrid',
      '2026-11-29T03:00:00.000Z',
      { open: true },
    ],
    [
      'Wednesday 10:00 Madrid',
      WEEKDAYS_9_TO_5,
      'Europe/Madrid',
      '2026-11-25T09:00:00.000Z',
      { open: true },
    ],
    [
      'Friday 17:00 Madrid, the end is exclusive',
      WEEKDAYS_9_TO_5,
      'Europe/Madrid',
      '2026-11-27T16:00:00.000Z',
      { open: false, opensAt: '2026-11-30T08:00:00.000Z' },
    ],
    [
      'Saturday 03:00 Madrid, inside an overnight range begun on Friday',
      NIGHTS,
      'Europe/Madrid',
      '2026-11-28T02:00:00.000Z',
      { open: true },
    ],
    [
      'Sunday before the spring DST change in New York opens Monday 09:00 EDT',
      WEEKDAYS_9_TO_5,
      'America/New_York',
      '2026-03-08T12:00:00.000Z',
      { open: false, opensAt: '2026-03-09T13:00:00.000Z' },
    ],
  ];
  it.each(cases)('%s', (_name, coverage, timeZone, now, expected) => {
    expect(clinicIsOpen({ coverage, timeZone }, new Date(now))).toEqual(expected);
  });
});
