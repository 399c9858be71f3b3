/**
 * The symptoms of a check-in form body, under every spelling a client may use (issue 12,
 * finding 6): our form sends `symptoms=…` repeated, PHP-style clients send `symptoms[]=…` or
 * `symptoms[0]=…`. All of them are symptoms; a ticked red flag must never be dropped because
 * of how its field was spelled. A field the form does not have that names symptoms another
 * way (`symptom_list`, `Symptoms[x]`) or carries a symptom code is reported as `stray`: the
 * door answers 400 naming it rather than storing the report without it.
 */
import { SYMPTOM_CODES } from '../../clinical/types.ts';

/** `symptoms`, `symptom`, `symptoms[]`, `symptoms[3]`, any case. */
const SYMPTOM_FIELD = /^symptoms?(\[\d*\])?$/i;
/** The form's other fields, and what a browser or proxy may add. */
const KNOWN_FIELDS = new Set(['soreness', 'note', 'idempotencyKey', '_csrf', 'lang']);

export interface FormSymptoms {
  /** Every value sent under a symptoms spelling, in order. */
  readonly symptoms: string[];
  /** Names of fields the form does not have that look like symptoms. */
  readonly stray: string[];
}

export function formSymptoms(form: Readonly<Record<string, unknown>>): FormSymptoms {
  const symptoms: string[] = [];
  const stray: string[] = [];
  for (const [name, raw] of Object.entries(form)) {
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) =>
      typeof v === 'string' ? v : String(v),
    );
    if (SYMPTOM_FIELD.test(name)) symptoms.push(...values);
    else if (
      !KNOWN_FIELDS.has(name) &&
      (/symptom/i.test(name) ||
        values.some((v) => (SYMPTOM_CODES as readonly string[]).includes(v)))
    )
      stray.push(name);
  }
  return { symptoms, stray };
}
