import { describe, expect, it } from 'vitest';
import { formatInstant, fromLocalInput, toLocalInput } from './time.ts';

describe('clinic time zone helpers', () => {
  it.each([
    ['2026-11-25T15:03', 'Europe/Madrid', '2026-11-25T14:03:00.000Z'],
    ['2026-07-01T09:00', 'Europe/Madrid', '2026-07-01T07:00:00.000Z'],
    ['2026-07-01T09:00', 'America/New_York', '2026-07-01T13:00:00.000Z'],
    ['2026-11-25T00:30', 'UTC', '2026-11-25T00:30:00.000Z'],
    // Spring forward in Madrid: 02:30 does not exist, resolves to 03:30 CEST.
    ['2026-03-29T02:30', 'Europe/Madrid', '2026-03-29T01:30:00.000Z'],
    // Fall back: 02:30 happens twice, the first (CEST) is chosen.
    ['2026-10-25T02:30', 'Europe/Madrid', '2026-10-25T00:30:00.000Z'],
  ])('%s in %s is %s', (local, zone, utc) => {
    expect(fromLocalInput(local, zone)?.toISOString()).toBe(utc);
  });

  it.each(['', '2026-13-01T00:00', 'yesterday', '2026-11-25 15:03:00Z'])('refuses %j', (text) => {
    expect(fromLocalInput(text, 'Europe/Madrid')).toBeUndefined();
  });

  it('round-trips the input value', () => {
    const d = new Date('2026-11-25T14:03:00.000Z');
    expect(toLocalInput(d, 'Europe/Madrid')).toBe('2026-11-25T15:03');
    expect(fromLocalInput(toLocalInput(d, 'Europe/Madrid'), 'Europe/Madrid')?.getTime()).toBe(
      d.getTime(),
    );
  });

  it('formats in the clinic zone and language', () => {
    expect(formatInstant('2026-11-25T14:03:00.000Z', 'Europe/Madrid', 'en')).toContain('15:03');
    expect(formatInstant('2026-11-25T14:03:00.000Z', 'Europe/Madrid', 'es')).toContain('nov');
  });
});
