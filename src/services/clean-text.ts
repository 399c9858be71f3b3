import { AppError } from './errors.ts';

/**
 * Free text as every service stores it (decision 1201): whatever a person typed must never
 * cost the write it came with. PostgreSQL refuses a NUL in a text column (a 500, and the
 * chest-pain report with it was lost); control characters are invisible noise in a note, an
 * e-mail or a CSV. So, once, at the edge of each service:
 * - NUL and the other C0/C1 control characters go, except tab and line breaks in multi-line
 *   text (a line break becomes `\n`; one-line text becomes one line, runs of space one space);
 * - lone UTF-16 surrogates (not valid Unicode, refused by PostgreSQL's UTF-8) become U+FFFD;
 * - the text is normalised to NFC and trimmed;
 * - it is cut to `max` characters (code points), never refused for its length.
 */
export interface CleanTextOptions {
  /** Most characters kept; longer text is cut, not refused. */
  readonly max: number;
  /** Keep line breaks and tabs (a note); otherwise one line (a name). */
  readonly multiline?: boolean;
}

// C0 controls but tab and line feed, DEL, C1 controls; carriage returns are handled apart.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_ONE_LINE = /[\u0000-\u001F\u007F-\u009F]+/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The cleaned text; `''` when nothing printable is left. */
export function cleanText(value: string, options: CleanTextOptions): string {
  let text = value.replace(LONE_SURROGATE, '\uFFFD').normalize('NFC');
  text = options.multiline
    ? text.replace(/\r\n?/g, '\n').replace(CONTROL_MULTILINE, '')
    : text.replace(CONTROL_ONE_LINE, ' ').replace(/\s{2,}/g, ' ');
  text = text.trim();
  const chars = Array.from(text);
  return chars.length > options.max ? chars.slice(0, options.max).join('').trimEnd() : text;
}

/** `cleanText` for an optional field: undefined, null or nothing left → undefined. */
export function cleanOptionalText(
  value: string | null | undefined,
  options: CleanTextOptions,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = cleanText(value, options);
  return text === '' ? undefined : text;
}

/**
 * `cleanText` for a required one-line field (a name): blank after cleaning is a
 * `validation_failed` naming the field, as the schema's `minLength: 1` would have been.
 */
export function requireText(value: string, field: string, options: CleanTextOptions): string {
  const text = cleanText(value, options);
  if (text === '') {
    throw new AppError('validation_failed', `Invalid ${field}`, {
      errors: [{ field, message: 'must not be blank' }],
    });
  }
  return text;
}
