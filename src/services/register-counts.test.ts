import { describe, expect, it } from 'vitest';
import {
  classesOfReport,
  countAdverseEvents,
  perThousand,
  type RegisterReport,
  type RegisterSession,
} from './register-counts.ts';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const DAY = 86_400_000;

const r = (
  hoursAfter: number,
  soreness: number,
  symptoms: RegisterReport['symptoms'] = [],
  disposition: RegisterReport['disposition'] = 'self_care',
): RegisterReport => ({
  hoursAfter,
  soreness,
  symptoms,
  disposition,
});

let n = 0;
const s = (daysAgo: number, thoracic: boolean, reports: RegisterReport[]): RegisterSession => ({
  id: `s${++n}`,
  performedAt: new Date(NOW.getTime() - daysAgo * DAY).toISOString(),
  thoracic,
  reports,
});

describe('classesOfReport', () => {
  it.each([
    ['within the band at 24 h', r(24, 6), []],
    ['above the band at 24 h', r(24, 7), ['mild']],
    ['easing ache at 80 h is tolerated', r(80, 3), []],
    ['soreness 4 at 80 h is above the tolerated edge', r(80, 4), ['mild']],
    ['any soreness after 96 h', r(100, 1), ['mild']],
    ['bruising', r(24, 1, ['bruising']), ['mild']],
    ['minor bleeding', r(2, 1, ['minor_bleeding']), ['mild']],
    ['tiredness is not an adverse event', r(24, 1, ['tiredness']), []],
    ['urgent disposition', r(24, 2, ['fever'], 'urgent_same_day'), ['significant']],
    ['emergency disposition', r(3, 2, ['chest_pain'], 'emergency'), ['serious']],
    [
      'contact_practitioner alone is no class',
      r(24, 2, ['tenderness'], 'contact_practitioner'),
      [],
    ],
    ['no assessment', r(24, 2, [], null), []],
    ['several classes at once', r(24, 8, ['bruising'], 'emergency'), ['mild', 'serious']],
  ] as const)('%s', (_name, report, expected) => {
    expect(classesOfReport(report)).toEqual(expected);
  });
});

describe('countAdverseEvents', () => {
  it('counts a session once per class however many reports qualify', () => {
    const sessions = [
      s(1, false, [r(4, 7), r(24, 8, ['bruising']), r(48, 9)]),
      s(2, false, [r(24, 2)]),
    ];
    const c = countAdverseEvents(sessions, NOW, 30);
    expect(c.all.sessions).toBe(2);
    expect(c.all.classes.mild).toEqual({ sessions: 1, perThousand: 500 });
  });

  it('splits thoracic and other sessions, and counts sessions without check-ins in the denominator', () => {
    const sessions = [
      s(1, true, [r(3, 2, ['chest_pain'], 'emergency')]),
      s(1, true, []),
      s(3, false, [r(24, 2, ['fever'], 'urgent_same_day')]),
      s(3, false, [r(24, 1)]),
    ];
    const c = countAdverseEvents(sessions, NOW, 30);
    expect(c.thoracic).toMatchObject({
      sessions: 2,
      withCheckIns: 1,
      classes: { serious: { sessions: 1, perThousand: 500 }, significant: { sessions: 0 } },
    });
    expect(c.other).toMatchObject({
      sessions: 2,
      withCheckIns: 2,
      classes: { significant: { sessions: 1, perThousand: 500 }, serious: { sessions: 0 } },
    });
    expect(c.all).toMatchObject({
      sessions: 4,
      withCheckIns: 3,
      classes: {
        serious: { perThousand: 250 },
        significant: { perThousand: 250 },
        mild: { perThousand: 0 },
      },
    });
  });

  it.each([
    [30, 2],
    [90, 3],
    [365, 4],
  ] as const)('the last %i days hold %i sessions', (days, expected) => {
    const sessions = [
      s(0, false, []),
      s(29.9, false, []),
      s(31, false, []),
      s(200, false, []),
      s(400, false, []),
      s(-1, false, []),
    ];
    expect(countAdverseEvents(sessions, NOW, days).all.sessions).toBe(expected);
  });

  it('is all zeros without sessions', () => {
    const c = countAdverseEvents([], NOW, 365);
    expect(c.all).toEqual({
      sessions: 0,
      withCheckIns: 0,
      classes: {
        mild: { sessions: 0, perThousand: 0 },
        significant: { sessions: 0, perThousand: 0 },
        serious: { sessions: 0, perThousand: 0 },
      },
    });
  });

  it.each([
    [1, 3, 333.3],
    [192, 1000, 192],
    [1, 7629, 0.1],
    [0, 0, 0],
  ])('perThousand(%i, %i) = %d', (count, total, expected) => {
    expect(perThousand(count, total)).toBe(expected);
  });
});
