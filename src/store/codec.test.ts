import { describe, expect, it } from 'vitest';
import { toIso } from './codec.ts';

describe('toIso', () => {
  it('writes each instant in the stored form, whatever came before it', () => {
    const a = new Date('2026-12-07T10:00:00.000Z');
    const b = new Date('2026-12-07T10:00:00.001Z');
    expect([a, a, b, a, b, b].map(toIso)).toEqual([
      '2026-12-07T10:00:00.000Z',
      '2026-12-07T10:00:00.000Z',
      '2026-12-07T10:00:00.001Z',
      '2026-12-07T10:00:00.000Z',
      '2026-12-07T10:00:00.001Z',
      '2026-12-07T10:00:00.001Z',
    ]);
  });

  it('normalises a string with an offset to the same text as its Date', () => {
    const at = new Date('2026-12-07T10:00:00.000Z');
    expect(toIso(at)).toBe('2026-12-07T10:00:00.000Z');
    expect(toIso('2026-12-07T11:00:00+01:00')).toBe('2026-12-07T10:00:00.000Z');
    expect(toIso('2026-12-07T12:30:00.250+01:00')).toBe('2026-12-07T11:30:00.250Z');
  });

  it('refuses an invalid instant right after a valid one', () => {
    expect(toIso(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(() => toIso('not a date')).toThrow(RangeError);
    expect(() => toIso(new Date(Number.NaN))).toThrow(RangeError);
    expect(toIso(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});
