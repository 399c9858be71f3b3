import { describe, expect, it } from 'vitest';
import { fill, negotiateLocale } from './catalogue.ts';

describe('negotiateLocale', () => {
  it.each([
    [{ explicit: 'es', acceptLanguage: 'en', offered: ['en', 'es'], fallback: 'en' }, 'es'],
    [
      {
        explicit: 'fr',
        acceptLanguage: 'es-MX,es;q=0.9,en;q=0.5',
        offered: ['en', 'es'],
        fallback: 'en',
      },
      'es',
    ],
    [{ acceptLanguage: 'fr-FR, en;q=0.2, es;q=0.8', offered: ['en', 'es'], fallback: 'en' }, 'es'],
    [{ acceptLanguage: 'de', offered: ['en', 'es'], fallback: 'es' }, 'es'],
    [{ acceptLanguage: 'es', offered: ['en'], fallback: 'en' }, 'en'],
    [{ explicit: 'es', offered: ['en'], fallback: 'en' }, 'en'],
    [{ acceptLanguage: 'es;q=0, en', offered: ['en', 'es'], fallback: 'es' }, 'en'],
  ] as const)('%j → %s', (options, expected) => {
    expect(negotiateLocale(options)).toBe(expected);
  });
});

describe('fill', () => {
  it('fills the slots it has values for and leaves the others visible', () => {
    expect(fill('{who} called {n} times; {missing}', { who: 'Ana', n: 2 })).toBe(
      'Ana called 2 times; {missing}',
    );
  });
  it('gives a message without slots back as it is', () => {
    const plain = 'No open alerts, like “none”.';
    expect(fill(plain, { who: 'Ana' })).toBe(plain);
    expect(fill('', {})).toBe('');
  });
});
