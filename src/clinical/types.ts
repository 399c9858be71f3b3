/**
 * The closed vocabularies of the clinical core and the shapes it reads and returns.
 * Everything here is plain data: no classes, no I/O.
 */

/** Triage outcomes, lowest first. The order is the order of severity. */
export const DISPOSITIONS = [
  'self_care',
  'contact_practitioner',
  'urgent_same_day',
  'emergency',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Symptom codes of RULES.md, in checklist order (breathing and chest first). */
export const SYMPTOM_CODES = [
  'chest_pain',
  'shortness_of_breath',
  'pain_on_breathing',
  'dry_cough',
  'spreading_redness',
  'increased_warmth',
  'significant_swelling',
  'discharge',
  'fever',
  'fainting',
  'numbness_beyond_area',
  'tingling_beyond_area',
  'weakness_beyond_area',
  'bruising',
  'tenderness',
  'tiredness',
  'minor_bleeding',
] as const;
export type SymptomCode = (typeof SYMPTOM_CODES)[number];

/**
 * The symptoms that belong to a rule above `self_care` (RULES.md v1.1 "red-flag symptom"):
 * every code but the expected ones. A report with any of these may leave soreness out.
 */
export const RED_FLAG_SYMPTOMS: readonly SymptomCode[] = SYMPTOM_CODES.filter(
  (code) => !['bruising', 'tenderness', 'tiredness', 'minor_bleeding'].includes(code),
);

export function hasRedFlag(symptoms: readonly SymptomCode[]): boolean {
  return symptoms.some((code) => RED_FLAG_SYMPTOMS.includes(code));
}

export const SIDES = ['left', 'right', 'midline'] as const;
export type Side = (typeof SIDES)[number];

export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/** A text in every supported language. */
export type Text = Readonly<Record<Locale, string>>;

export const SORENESS_MIN = 0;
export const SORENESS_MAX = 10;

export interface Site {
  readonly muscle: string;
  readonly side?: Side;
}

export interface Report {
  /** Hours since the session, ≥ 0, fractions allowed. */
  readonly hoursAfter: number;
  /**
   * 0–10 numeric rating scale, or null when the patient ticked a red-flag symptom without
   * choosing a number (RULES.md v1.1): unknown, never read as 0.
   */
  readonly soreness: number | null;
  readonly symptoms: readonly SymptomCode[];
}

/** One session and its reports; the last report is the one assessed. */
export interface TriageCase {
  readonly session: { readonly sites: readonly Site[] };
  readonly reports: readonly Report[];
}

export const PHASES = ['early', 'peak', 'easing', 'beyond'] as const;
export type Phase = (typeof PHASES)[number];

/** The soreness a patient can expect at a given hour (inclusive bounds). */
export interface SorenessBand {
  readonly min: number;
  readonly max: number;
  /** Highest soreness tolerated without comment when it is easing (72–96 h). */
  readonly toleratedMax: number;
}

export type Result<T, E> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/** Compare two dispositions: negative when a is lower, 0 when equal, positive when higher. */
export function compareDispositions(a: Disposition, b: Disposition): number {
  return DISPOSITIONS.indexOf(a) - DISPOSITIONS.indexOf(b);
}

export function highestDisposition(list: readonly Disposition[]): Disposition {
  let best: Disposition = 'self_care';
  for (const d of list) if (compareDispositions(d, best) > 0) best = d;
  return best;
}
