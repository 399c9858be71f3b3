import { describe, expect, it } from 'vitest';
import type { Message } from '../../i18n/catalogue.ts';
import { DASHBOARD_MESSAGES, tr } from './messages.ts';

/** Every template of a message: itself, or each of its plural forms. */
const forms = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m));

describe('dashboard messages', () => {
  it.each(Object.entries(DASHBOARD_MESSAGES))(
    '%s has both languages with the same placeholders',
    (_key, text: { en: Message; es: Message }) => {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const expected = names(forms(text.en)[0] ?? '');
      for (const form of [...forms(text.en), ...forms(text.es)]) {
        expect(form.trim()).not.toBe('');
        expect(names(form)).toEqual(expected);
      }
    },
  );

  it('counts in words, never "(s)": one alert, three alerts', () => {
    expect(tr('en', 'emergencyBanner', { count: 1 })).toBe(
      '1 emergency alert not yet acknowledged',
    );
    expect(tr('en', 'emergencyBanner', { count: 3 })).toBe(
      '3 emergency alerts not yet acknowledged',
    );
    expect(tr('es', 'emergencyBanner', { count: 1 })).toBe('1 aviso de emergencia sin confirmar');
    expect(tr('es', 'emergencyBanner', { count: 2 })).toBe('2 avisos de emergencia sin confirmar');
    for (const text of Object.values(DASHBOARD_MESSAGES))
      for (const form of [...forms(text.en), ...forms(text.es)])
        expect(form).not.toMatch(/\(e?s\)/);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(tr('es', 'lastDays', { n: 30 })).toBe('Últimos 30 días');
    expect(tr('en', 'lastDays')).toBe('Last {n} days');
  });
});
