/**
 * A tiny HTML builder: `html` tagged templates escape every interpolated value unless it is
 * already `SafeHtml`, so patient-entered text can never become markup.
 */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

export type HtmlValue =
  | SafeHtml
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Markup's five, and every character above U+00FF: those become numeric references, so a page
 * is a one-byte string in V8, and encoding it to UTF-8 took about a quarter less time than the
 * same page as a two-byte string (decision 1458). The browser reads `&#8220;` as “, in text
 * and in attributes alike.
 */
const NEEDS_ESCAPE = /[&<>"'\u0100-\uffff]/;
const TO_ESCAPE = /[&<>"']|[\u0100-\u{10ffff}]/gu;

function escapeOne(c: string): string {
  return ESCAPES[c] ?? `&#${c.codePointAt(0)};`;
}

export function escapeHtml(text: string): string {
  // Most values (ids, numbers, words) have nothing to escape: test before copying.
  return NEEDS_ESCAPE.test(text) ? text.replace(TO_ESCAPE, escapeOne) : text;
}

function render(value: HtmlValue): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value as readonly HtmlValue[]) out += render(item);
    return out;
  }
  return escapeHtml(String(value));
}

/**
 * Markup kept in parts of a few kilobytes (`inParts`), each encoded and sent on its own
 * (`pageChunks`). Its `value` is the whole, for any use that wants one string.
 */
export class HtmlParts extends SafeHtml {
  readonly parts: readonly string[];
  constructor(parts: readonly string[]) {
    let whole = '';
    for (const part of parts) whole += part;
    super(whole);
    this.parts = parts;
  }
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  // Parts interpolated here stay parts: the markup before the first joins it, after the last
  // joins it too, and the ones between are kept as they are.
  let parts: string[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value instanceof HtmlParts && value.parts.length > 1) {
      const inner = value.parts;
      parts ??= [];
      parts.push(out + inner[0]);
      for (let k = 1; k < inner.length - 1; k++) parts.push(inner[k] as string);
      out = inner[inner.length - 1] as string;
    } else out += render(value);
    out += strings[i + 1] ?? '';
  }
  if (parts === undefined) return new SafeHtml(out);
  parts.push(out);
  return new HtmlParts(parts);
}

/** Characters per part (`inParts`): a part's string and its bytes stay far below 128 KiB. */
const PART_LENGTH = 16 * 1024;

/**
 * `items` one after another, in parts of about `PART_LENGTH` characters (decision 1458). The
 * alert queue page (~190 kB) encoded as one string took ~2.3 ms on this machine class: V8 first
 * copies its thousands of pieces into one new string, and that string and the bytes are each
 * too large for the young generation's or the allocator's reused memory, so each lands in fresh
 * pages. In parts of 16 K its encoding took 0.6 ms of the server's thread instead of 2.9 in the
 * CPU profile.
 */
export function inParts(items: readonly SafeHtml[], partLength = PART_LENGTH): SafeHtml {
  const parts: string[] = [];
  let current = '';
  for (const item of items) {
    current += item.value;
    if (current.length >= partLength) {
      parts.push(current);
      current = '';
    }
  }
  if (current !== '' || parts.length === 0) parts.push(current);
  return parts.length === 1 ? new SafeHtml(parts[0] as string) : new HtmlParts(parts);
}

/** Trusted markup (our own SVG, our own CSS). Never pass user input. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

const UTF8 = new TextEncoder();

/**
 * A page as the bytes to send. Given a string, Fastify measures it (`Buffer.byteLength`) and
 * the socket then encodes it again, each pass first flattening the thousands of pieces the
 * templates joined; here that is done once. `TextEncoder` rather than `Buffer.from`: on Node 20
 * it encoded a ~190 kB queue page in 1.8 ms against 2.2 (decision 1457). The bytes are a view
 * of the encoder's output, not a copy.
 */
export function pageBytes(page: string | SafeHtml): Buffer {
  return utf8(typeof page === 'string' ? page : page.value);
}

/** A page as bytes in one buffer per part (`inParts`); one buffer for a page without parts. */
export function pageChunks(page: string | SafeHtml): Buffer[] {
  return page instanceof HtmlParts ? page.parts.map(utf8) : [pageBytes(page)];
}

function utf8(text: string): Buffer {
  const bytes = UTF8.encode(text);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Where a slot's value goes in a `slotted` rendering: a NUL, its name, a NUL. */
const SLOT_EDGE = '\u0000';

/**
 * Markup that depends on the locale and a few values only (a card's forms: the alert's id, the
 * person's CSRF token, what they typed): `template` runs once per locale with each value's place
 * marked, and then each use joins the pieces around the values, escaped as `html` escapes them.
 * On the alert queue, where each of up to ~60 cards carries the same forms, that replaces ~50
 * template pieces and ~10 message lookups per card with a handful (decision 1458).
 */
export function slotted<K extends string, L extends string = string>(
  template: (locale: L, slot: (name: K) => SafeHtml) => SafeHtml,
): (locale: L, values: Readonly<Record<K, HtmlValue>>) => SafeHtml {
  const byLocale = new Map<
    L,
    { readonly texts: readonly string[]; readonly names: readonly K[] }
  >();
  const slot = (name: K) => new SafeHtml(`${SLOT_EDGE}${name}${SLOT_EDGE}`);
  return (locale, values) => {
    let parts = byLocale.get(locale);
    if (parts === undefined) {
      const pieces = template(locale, slot).value.split(SLOT_EDGE);
      parts = {
        texts: pieces.filter((_, i) => i % 2 === 0),
        names: pieces.filter((_, i) => i % 2 === 1) as K[],
      };
      byLocale.set(locale, parts);
    }
    const { texts, names } = parts;
    let out = texts[0] ?? '';
    for (let i = 0; i < names.length; i++)
      out += render(values[names[i] as K]) + (texts[i + 1] ?? '');
    return new SafeHtml(out);
  };
}
