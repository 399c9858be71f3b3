import type { ParameterName, RuleParameters } from './parameters.ts';
import type { Disposition, SymptomCode, Text } from './types.ts';

/** A number written in a rule: a literal, or one of the rulebook's named parameters. */
export type NumberRef = number | { readonly param: ParameterName };

export type Comparison = 'gt' | 'gte' | 'lt' | 'lte';

/**
 * The condition language of the rules. It has no negation, and every leaf either ignores the
 * symptoms, the last soreness and the sites or grows with them, which is what keeps the
 * safety properties of RULES.md true for any rule a clinic adds.
 */
export type Condition =
  /** The last report lists any of these symptoms. */
  | { readonly kind: 'anySymptom'; readonly symptoms: readonly SymptomCode[] }
  /** Any needled muscle is marked thoracic in the catalogue. */
  | { readonly kind: 'thoracic' }
  /** Hours since the session, compared with a value. */
  | { readonly kind: 'hoursAfter'; readonly op: Comparison; readonly value: NumberRef }
  /**
   * The last soreness, compared with a value (only `gt`/`gte`: a rule never fires for low
   * soreness alone). False when the last report has no soreness (RULES.md v1.1).
   */
  | { readonly kind: 'soreness'; readonly op: 'gt' | 'gte'; readonly value: NumberRef }
  /**
   * Last soreness minus the previous report's; false when there is no previous report with a
   * soreness, or the last report has none.
   */
  | { readonly kind: 'sorenessRise'; readonly op: 'gt' | 'gte'; readonly value: NumberRef }
  /** No report before the last one has a soreness (reports without one are skipped). */
  | { readonly kind: 'noPreviousReport' }
  | { readonly kind: 'all'; readonly of: readonly Condition[] }
  | { readonly kind: 'any'; readonly of: readonly Condition[] };

export interface RuleTexts {
  /** What the patient reads: plain words, what it means and what to do. */
  readonly patient: Text;
  /** Replaces `patient` when the session was thoracic. */
  readonly patientThoracic?: Text;
  /** What the clinic reads. */
  readonly clinician: Text;
}

export interface Rule {
  readonly id: string;
  readonly disposition: Disposition;
  /** Absent for the fallback rule, which fires when no other rule does. */
  readonly when: Condition | 'no_other_rule';
  readonly texts: RuleTexts;
  /** Where the rule comes from: the article, RULES.md, the evidence file. */
  readonly source: string;
  /** False for rules a clinic may not touch (the emergency rule). */
  readonly configurable: boolean;
  /** Set on rules a clinic added. */
  readonly addedBy?: string;
}

export interface Rulebook {
  /** Recorded with every assessment; a clinic's overrides extend it (`1.1.0+clinic-…`). */
  readonly version: string;
  readonly parameters: RuleParameters;
  /** In the order RULES.md lists them; ties in disposition are reported in this order. */
  readonly rules: readonly Rule[];
}

/** What a condition is evaluated against: one reading of the last report and its predecessor. */
export interface RuleInput {
  readonly hoursAfter: number;
  /** Null when the last report has no soreness: every soreness leaf is then false. */
  readonly soreness: number | null;
  readonly symptoms: ReadonlySet<SymptomCode>;
  readonly previousSoreness: number | undefined;
  readonly thoracic: boolean;
}

export function resolveNumber(ref: NumberRef, params: RuleParameters): number {
  return typeof ref === 'number' ? ref : params[ref.param];
}

function compare(left: number, op: Comparison, right: number): boolean {
  switch (op) {
    case 'gt':
      return left > right;
    case 'gte':
      return left >= right;
    case 'lt':
      return left < right;
    case 'lte':
      return left <= right;
  }
}

export function evaluateCondition(c: Condition, input: RuleInput, params: RuleParameters): boolean {
  switch (c.kind) {
    case 'anySymptom':
      return c.symptoms.some((s) => input.symptoms.has(s));
    case 'thoracic':
      return input.thoracic;
    case 'hoursAfter':
      return compare(input.hoursAfter, c.op, resolveNumber(c.value, params));
    case 'soreness':
      return (
        input.soreness !== null && compare(input.soreness, c.op, resolveNumber(c.value, params))
      );
    case 'sorenessRise':
      return (
        input.soreness !== null &&
        input.previousSoreness !== undefined &&
        compare(input.soreness - input.previousSoreness, c.op, resolveNumber(c.value, params))
      );
    case 'noPreviousReport':
      return input.previousSoreness === undefined;
    case 'all':
      return c.of.every((inner) => evaluateCondition(inner, input, params));
    case 'any':
      return c.of.some((inner) => evaluateCondition(inner, input, params));
  }
}

export function findRule(rulebook: Rulebook, id: string): Rule | undefined {
  return rulebook.rules.find((rule) => rule.id === id);
}
