import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatInstant,
  formatWallTimeInput,
  instantAt,
  isTimeZone,
  offsetAt,
  parseWallTimeInput,
  wallTimeAt,
  weekdayAndTime,
  weekdayOf,
} from './time-zone.ts';

type Wall = { year: number; month: number; day: number; hour?: number; minute?: number };
const at = (year: number, month: number, day: number, hour = 0, minute = 0): Wall => ({
  year,
  month,
  day,
  hour,
  minute,
});

describe('instantAt: wall time → instant, over daylight-saving changes', () => {
  // [case, zone, wall time, instant, wall clock that instant reads]
  const cases: Array<[string, string, Wall, string, string]> = [
    [
      'Madrid winter (UTC+1)',
      'Europe/Madrid',
      at(2026, 1, 15, 10),
      '2026-01-15T09:00:00.000Z',
      '10:00',
    ],
    [
      'Madrid summer (UTC+2)',
      'Europe/Madrid',
      at(2026, 7, 15, 10),
      '2026-07-15T08:00:00.000Z',
      '10:00',
    ],
    [
      'Madrid, a minute before the spring gap',
      'Europe/Madrid',
      at(2026, 3, 29, 1, 59),
      '2026-03-29T00:59:00.000Z',
      '01:59',
    ],
    [
      'Madrid, inside the spring gap → after the jump',
      'Europe/Madrid',
      at(2026, 3, 29, 2, 30),
      '2026-03-29T01:30:00.000Z',
      '03:30',
    ],
    [
      'Madrid, the end of the spring gap',
      'Europe/Madrid',
      at(2026, 3, 29, 3),
      '2026-03-29T01:00:00.000Z',
      '03:00',
    ],
    [
      'Madrid, autumn 02:30 happens twice → the first',
      'Europe/Madrid',
      at(2026, 10, 25, 2, 30),
      '2026-10-25T00:30:00.000Z',
      '02:30',
    ],
    [
      'Madrid, after the autumn overlap',
      'Europe/Madrid',
      at(2026, 10, 25, 3),
      '2026-10-25T02:00:00.000Z',
      '03:00',
    ],
    [
      'New York, inside the spring gap',
      'America/New_York',
      at(2026, 3, 8, 2, 30),
      '2026-03-08T07:30:00.000Z',
      '03:30',
    ],
    [
      'New York, autumn 01:30 twice → the first (EDT)',
      'America/New_York',
      at(2026, 11, 1, 1, 30),
      '2026-11-01T05:30:00.000Z',
      '01:30',
    ],
    [
      'Sydney, April 02:30 twice → the first (AEDT)',
      'Australia/Sydney',
      at(2026, 4, 5, 2, 30),
      '2026-04-04T15:30:00.000Z',
      '02:30',
    ],
    [
      'Sydney, inside the October gap',
      'Australia/Sydney',
      at(2026, 10, 4, 2, 30),
      '2026-10-03T16:30:00.000Z',
      '03:30',
    ],
    [
      'Lord Howe, inside its half-hour gap',
      'Australia/Lord_Howe',
      at(2026, 10, 4, 2, 15),
      '2026-10-03T15:45:00.000Z',
      '02:45',
    ],
    [
      'Lord Howe, its half-hour overlap → the first',
      'Australia/Lord_Howe',
      at(2026, 4, 5, 1, 45),
      '2026-04-04T14:45:00.000Z',
      '01:45',
    ],
    [
      'Kolkata (UTC+5:30, no DST)',
      'Asia/Kolkata',
      at(2026, 6, 1, 9),
      '2026-06-01T03:30:00.000Z',
      '09:00',
    ],
    [
      'Chatham (UTC+13:45 in summer)',
      'Pacific/Chatham',
      at(2026, 1, 10, 12),
      '2026-01-09T22:15:00.000Z',
      '12:00',
    ],
    ['UTC', 'UTC', at(2026, 6, 1, 9), '2026-06-01T09:00:00.000Z', '09:00'],
    [
      '24:00 is the next midnight',
      'Europe/Madrid',
      at(2026, 3, 28, 24),
      '2026-03-28T23:00:00.000Z',
      '00:00',
    ],
  ];
  it.each(cases)('%s', (_name, zone, wall, instant, reads) => {
    const t = instantAt(wall, zone);
    expect(t.toISOString()).toBe(instant);
    const back = wallTimeAt(t, zone);
    expect(`${String(back.hour).padStart(2, '0')}:${String(back.minute).padStart(2, '0')}`).toBe(
      reads,
    );
  });
});

describe('wallTimeAt: instant → wall time', () => {
  // [zone, instant, YYYY-MM-DD HH:MM:SS weekday]
  const cases: Array<[string, string, string]> = [
    ['Europe/Madrid', '2026-03-29T00:59:59.000Z', '2026-03-29 01:59:59 sun'],
    ['Europe/Madrid', '2026-03-29T01:00:00.000Z', '2026-03-29 03:00:00 sun'],
    ['Europe/Madrid', '2026-10-25T00:30:00.000Z', '2026-10-25 02:30:00 sun'],
    ['Europe/Madrid', '2026-10-25T01:30:00.000Z', '2026-10-25 02:30:00 sun'],
    ['America/New_York', '2026-01-01T04:59:00.000Z', '2025-12-31 23:59:00 wed'],
    ['Pacific/Kiritimati', '2026-06-01T10:00:00.000Z', '2026-06-02 00:00:00 tue'],
    ['Pacific/Pago_Pago', '2026-06-01T10:00:00.000Z', '2026-05-31 23:00:00 sun'],
  ];
  it.each(cases)('%s at %s', (zone, instant, expected) => {
    const w = wallTimeAt(instant, zone);
    const p = (n: number) => String(n).padStart(2, '0');
    expect(
      `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}:${p(w.second)} ${w.weekday}`,
    ).toBe(expected);
  });

  it('gives the offset in effect', () => {
    expect(offsetAt('2026-01-15T12:00:00.000Z', 'Europe/Madrid')).toBe(3_600_000);
    expect(offsetAt('2026-07-15T12:00:00.000Z', 'Europe/Madrid')).toBe(7_200_000);
    expect(offsetAt('2026-07-15T12:00:00.000Z', 'America/New_York')).toBe(-4 * 3_600_000);
  });

  it('rejects what is not an instant', () => {
    expect(() => wallTimeAt('yesterday', 'UTC')).toThrow(RangeError);
  });
});

describe('wall time and instant agree across a whole year', () => {
  it.each(['Europe/Madrid', 'America/New_York', 'Australia/Lord_Howe'])('%s', (zone) => {
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    for (let t = start; t < start + 365 * 86_400_000; t += 30 * 60_000) {
      const wall = wallTimeAt(t, zone);
      const back = instantAt(wall, zone).getTime();
      // Every wall time maps back to its instant, except the second pass of an autumn overlap,
      // which maps to the first pass: an earlier instant that reads the same.
      if (back !== t) {
        expect(back).toBeLessThan(t);
        expect(wallTimeAt(back, zone)).toEqual(wall);
      }
    }
  });
});

describe('calendar helpers', () => {
  it.each([
    [{ year: 2026, month: 2, day: 28 }, 1, { year: 2026, month: 3, day: 1 }],
    [{ year: 2028, month: 2, day: 28 }, 1, { year: 2028, month: 2, day: 29 }],
    [{ year: 2026, month: 12, day: 31 }, 1, { year: 2027, month: 1, day: 1 }],
    [{ year: 2026, month: 3, day: 1 }, -1, { year: 2026, month: 2, day: 28 }],
  ])('addDays(%j, %i)', (date, days, expected) => {
    expect(addDays(date, days)).toEqual(expected);
  });

  it('names weekdays', () => {
    expect(weekdayOf({ year: 2026, month: 11, day: 25 })).toBe('wed');
  });

  it('knows time zones', () => {
    expect(isTimeZone('Europe/Madrid')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('datetime-local values', () => {
  it.each([
    ['2026-11-25T15:03', { year: 2026, month: 11, day: 25, hour: 15, minute: 3, second: 0 }],
    [' 2026-11-25T15:03:09 ', { year: 2026, month: 11, day: 25, hour: 15, minute: 3, second: 9 }],
    ['2026-02-29T10:00', undefined],
    ['2026-04-31T10:00', undefined],
    ['2026-11-25T24:00', undefined],
    ['2026-11-25 15:03', undefined],
    ['', undefined],
  ])('parseWallTimeInput(%j)', (text, expected) => {
    expect(parseWallTimeInput(text)).toEqual(expected);
  });

  it('writes the wall time of an instant', () => {
    expect(formatWallTimeInput('2026-11-25T14:03:00.000Z', 'Europe/Madrid')).toBe(
      '2026-11-25T15:03',
    );
    expect(formatWallTimeInput('2026-03-29T01:00:00.000Z', 'Europe/Madrid')).toBe(
      '2026-03-29T03:00',
    );
  });
});

describe('formatInstant', () => {
  const instant = '2026-11-25T14:03:00.000Z';
  it.each([
    ['en-GB', 'date-time', '25 Nov 2026, 15:03'],
    ['es-ES', 'date-time', '25 nov 2026, 15:03'],
    ['en-GB', 'short-weekday-date-time', 'Wed 25 Nov, 15:03'],
    ['es-ES', 'short-weekday-date-time', 'mié, 25 nov, 15:03'],
    ['es-ES', 'weekday-date-time', 'miércoles, 25 de noviembre, 15:03'],
  ] as const)('%s %s', (locale, style, expected) => {
    expect(formatInstant(instant, 'Europe/Madrid', locale, style)).toBe(expected);
  });

  it('formats in the zone, on the far side of a DST change', () => {
    expect(formatInstant('2026-03-29T01:00:00.000Z', 'Europe/Madrid', 'en-GB', 'date-time')).toBe(
      '29 Mar 2026, 03:00',
    );
    expect(weekdayAndTime('2026-03-09T13:30:00.000Z', 'America/New_York', 'en-GB')).toEqual({
      weekday: 'Monday',
      time: '09:30',
    });
  });

  // Each formatter holds ~12 KB of ICU memory that V8 does not count: one built per call grew
  // a busy server to 1.2 GB (decision 1412). Equal arguments must reuse one formatter.
  it('builds one formatter per language, zone and style, however often it formats', () => {
    const Real = Intl.DateTimeFormat;
    let built = 0;
    class Counting extends Real {
      constructor(...args: ConstructorParameters<typeof Real>) {
        super(...args);
        built += 1;
      }
    }
    Intl.DateTimeFormat = Counting as typeof Intl.DateTimeFormat;
    try {
      for (let i = 0; i < 200; i++) {
        const minute = `2026-11-25T14:${String(i % 60).padStart(2, '0')}:00.000Z`;
        formatInstant(minute, 'Pacific/Chatham', 'en-GB', 'date-time');
        formatInstant(minute, 'Pacific/Chatham', 'es-ES', 'date-time');
        weekdayAndTime(minute, 'Pacific/Chatham', 'en-GB');
      }
      expect(built).toBe(3);
      expect(formatInstant(instant, 'Pacific/Chatham', 'es-ES', 'date-time')).toBe(
        '26 nov 2026, 03:48', // Chatham is UTC+13:45 in its summer
      );
    } finally {
      Intl.DateTimeFormat = Real;
    }
  });
});
