import type { Locale, Text } from '../../clinical/types.ts';
import { LOCALES } from '../../clinical/types.ts';

/** A message catalogue: every key has every language, checked by the compiler. */
export type Catalogue<K extends string> = Readonly<Record<K, Text>>;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * Choose the page language: an explicit choice (query or cookie) first, then the browser's
 * Accept-Language in its order of preference, then the clinic's default. Only languages the
 * clinic offers are chosen.
 */
export function negotiateLocale(options: {
  readonly explicit?: string | undefined;
  readonly acceptLanguage?: string | undefined;
  readonly offered: readonly Locale[];
  readonly fallback: Locale;
}): Locale {
  const offered = options.offered.length > 0 ? options.offered : LOCALES;
  if (isLocale(options.explicit) && offered.includes(options.explicit)) return options.explicit;
  const ranked = (options.acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return {
        lang: tag.toLowerCase().split('-')[0] ?? '',
        q: q === undefined ? 1 : Number(q.slice(2)) || 0,
        index,
      };
    })
    .filter((x) => x.lang !== '' && x.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { lang } of ranked) {
    if (isLocale(lang) && offered.includes(lang)) return lang;
  }
  return offered.includes(options.fallback) ? options.fallback : (offered[0] ?? 'en');
}

/** BCP 47 tag for Intl formatting. */
export function intlTag(locale: Locale): string {
  return locale === 'es' ? 'es-ES' : 'en-GB';
}
