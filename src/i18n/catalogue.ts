import type { Locale, Text } from '../clinical/types.ts';
import { LOCALES } from '../clinical/types.ts';

/**
 * The one message catalogue module of the product (issue 9): patient pages, the dashboard and
 * the worker's e-mails and SMS all keep their strings as a `Catalogue` and fill them here.
 * A message is a template with `{name}` slots, or — when it counts something — one template per
 * plural category of `Intl.PluralRules` ("1 alert" / "3 alerts", "1 aviso" / "3 avisos"), so no
 * text reads "alert(s)".
 */

/** Plural forms of one message in one language; `other` is always there. */
export interface PluralMessage {
  readonly one?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
  readonly zero?: string;
  readonly other: string;
}

export type Message = string | PluralMessage;

/** A message catalogue: every key has every language, checked by the compiler. */
export type Catalogue<K extends string> = Readonly<Record<K, Text>>;

/** A catalogue whose messages may have plural forms. */
export type PluralCatalogue<K extends string> = Readonly<
  Record<K, Readonly<Record<Locale, Message>>>
>;

export type MessageValues = Readonly<Record<string, string | number>>;

/** Fill `{name}` slots; a slot without a value stays as it is (so a missing one is visible). */
export function fill(template: string, values: MessageValues): string {
  // Most messages have no slot, and a queue page asks for many (decision 1457).
  if (!template.includes('{')) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

/** The template of `message` for `count` in `locale` (its plural category, else `other`). */
export function pluralForm(message: Message, locale: Locale, count: number | undefined): string {
  if (typeof message === 'string') return message;
  if (count === undefined) return message.other;
  let rules = pluralRules.get(locale);
  if (rules === undefined) {
    rules = new Intl.PluralRules(intlTag(locale));
    pluralRules.set(locale, rules);
  }
  const category = rules.select(count) as keyof PluralMessage;
  return message[category] ?? message.other;
}

/**
 * The message `key` of `catalogue` in `locale`, its slots filled from `values`. A plural
 * message picks its form by `values.count`.
 */
export function translate<K extends string>(
  catalogue: PluralCatalogue<K>,
  locale: Locale,
  key: K,
  values: MessageValues = {},
): string {
  const count = typeof values.count === 'number' ? values.count : undefined;
  return fill(pluralForm(catalogue[key][locale], locale, count), values);
}

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

/** How a number is written: one decimal at most, exactly one, a whole percentage, as it is. */
export type NumberStyle = 'upTo1' | 'fixed1' | 'percent' | 'whole';

const NUMBER_STYLES: Readonly<Record<NumberStyle, Intl.NumberFormatOptions>> = {
  upTo1: { maximumFractionDigits: 1 },
  fixed1: { minimumFractionDigits: 1, maximumFractionDigits: 1 },
  percent: { style: 'percent', maximumFractionDigits: 0 },
  whole: {},
};

/**
 * Number formatters kept per language and style: each holds ICU memory outside the JavaScript
 * heap that V8 does not count, so one per table cell adds up (decision 1412).
 */
const numberFormats = new Map<string, Intl.NumberFormat>();

/** `n` written as readers of `locale` write it (`1,234.5`, `1.234,5`, `12 %`). */
export function formatNumber(locale: Locale, n: number, style: NumberStyle = 'whole'): string {
  const key = `${locale}|${style}`;
  let format = numberFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(intlTag(locale), NUMBER_STYLES[style]);
    numberFormats.set(key, format);
  }
  return format.format(n);
}
