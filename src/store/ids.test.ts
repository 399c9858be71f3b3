import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './ids.ts';

describe('time-ordered ids', () => {
  it('are UUIDs of version 7 with the RFC variant and the time in their first 48 bits', () => {
    const at = Date.parse('2026-12-02T04:00:00.000Z');
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sort after the ids of earlier milliseconds, and differ within one', () => {
    const at = Date.parse('2026-12-02T04:00:00.000Z');
    const ids = Array.from({ length: 200 }, (_, i) => timeOrderedId(at + i));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => timeOrderedId(at)));
    expect(same.size).toBe(1000);
  });

  it('carry the time they were given when times come back and forth', () => {
    const a = Date.parse('2026-12-02T04:00:00.000Z');
    const b = a + 1;
    for (const at of [a, b, a, a, b]) {
      const id = timeOrderedId(at);
      expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    }
  });
});
