import { describe, expect, it } from 'vitest';
import { DASHBOARD_MESSAGES, tr } from './messages.ts';

describe('dashboard messages', () => {
  it.each(Object.entries(DASHBOARD_MESSAGES))(
    '%s has both languages with the same placeholders',
    (_key, text) => {
      expect(text.en.trim()).not.toBe('');
      expect(text.es.trim()).not.toBe('');
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(text.es)).toEqual(names(text.en));
    },
  );

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(tr('es', 'lastDays', { n: 30 })).toBe('Últimos 30 días');
    expect(tr('en', 'lastDays')).toBe('Last {n} days');
  });
});
