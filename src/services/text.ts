/**
 * Names people type (a patient's or a staff member's display name, a clinic or contact name)
 * reach pages, e-mail headers and bodies, SMS and exports. One check, used by every door
 * through the services (issue 12, finding 6):
 *
 * - surrounding white space is trimmed and inner runs of spaces become one space;
 * - a name made only of white space is refused;
 * - control characters are refused — C0 (incl. CR and LF, which would split an e-mail header),
 *   DEL and C1;
 * - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) are refused: they make
 *   a name render in another order than it is stored ("Trojan Source"-style spoofing);
 * - longer than `max` characters (code points) is refused.
 *
 * Pure: no I/O, so a door can call it while parsing and a service while validating.
 * `requireName` is the services' form: every name that enters the system goes through it
 * (patients, staff, clinics, API tokens; escalation contacts through `checkName`).
 */
import { AppError, type FieldIssue } from './errors.ts';

export interface NameCheckOptions {
  /** The field named in the message, e.g. `displayName` or `patient.displayName`. */
  readonly field: string;
  /** Longest accepted name in characters (default 200). */
  readonly max?: number;
}

export type NameCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly field: string; readonly message: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;
/** Other invisible format characters that pad a name without showing: ZW space, BOM, LRM/RLM. */
const INVISIBLE = /[\u200b\u200e\u200f\u2028\u2029\ufeff]/u;

/** Check and clean one name. The message names the field and says what to change. */
export function checkName(input: unknown, options: NameCheckOptions): NameCheck {
  const { field } = options;
  const max = options.max ?? 200;
  if (typeof input !== 'string') return { ok: false, field, message: 'must be text' };
  if (/[\r\n]/.test(input)) {
    return { ok: false, field, message: 'must be on one line (no line breaks)' };
  }
  if (CONTROL.test(input)) {
    return { ok: false, field, message: 'must not contain control characters' };
  }
  if (BIDI_CONTROL.test(input)) {
    return {
      ok: false,
      field,
      message: 'must not contain text-direction override characters (U+202A–U+202E, U+2066–U+2069)',
    };
  }
  if (INVISIBLE.test(input)) {
    return { ok: false, field, message: 'must not contain invisible characters' };
  }
  const value = input.trim().replace(/\s+/gu, ' ');
  if (value === '') return { ok: false, field, message: 'must not be empty or only spaces' };
  if ([...value].length > max) {
    return { ok: false, field, message: `must be at most ${max} characters` };
  }
  return { ok: true, value };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `checkName` as a field issue, on the NFC form of the text (lone surrogates, which PostgreSQL
 * refuses, become U+FFFD first): the cleaned name, or the issue naming the field.
 */
export function nameIssue(
  input: unknown,
  options: NameCheckOptions,
): { value: string; issue?: undefined } | { value?: undefined; issue: FieldIssue } {
  const text =
    typeof input === 'string' ? input.replace(LONE_SURROGATE, '\uFFFD').normalize('NFC') : input;
  const r = checkName(text, options);
  return r.ok ? { value: r.value } : { issue: { field: r.field, message: r.message } };
}

/**
 * A required name, checked by `checkName` (issue 12, finding 6; decision 1122): the cleaned name,
 * or `validation_failed` naming the field and what to change. Refused rather than silently
 * cleaned: a name is typed by staff, who can correct it, and it reaches e-mail headers.
 */
export function requireName(input: unknown, field: string, max = 200): string {
  const r = nameIssue(input, { field, max });
  if (r.issue !== undefined)
    throw new AppError('validation_failed', `Invalid ${field}: ${r.issue.message}`, {
      errors: [r.issue],
    });
  return r.value;
}
