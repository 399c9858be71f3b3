import { EARLY_END_H } from './course.ts';
import type { RuleParameters } from './parameters.ts';
import type { Comparison, Condition, Rule, Rulebook } from './rulebook.ts';
import { resolveNumber } from './rulebook.ts';
import type { Disposition, Phase, SorenessBand, SymptomCode, Text } from './types.ts';
import { compareDispositions, SYMPTOM_CODES } from './types.ts';

/**
 * A rulebook turned, once, into closures (docs/decisions/1001-compiled-rulebook.md).
 *
 * The interpreter (`evaluateCondition`) walks the condition tree, resolves named parameters
 * and looks symptoms up in a `Set` for every rule of every case. The compiled form does that
 * work when the rulebook is compiled: parameters become constants, a symptom list becomes a
 * bit mask, and each rule becomes one function of five numbers. Evaluating a rule allocates
 * nothing. The interpreter stays the reference; a property test checks that both agree.
 */

/**
 * A compiled condition. Numbers only, so the functions stay monomorphic:
 * `soreness` and `previousSoreness` are NaN when unknown, and every comparison with NaN is
 * false, which is exactly the interpreter's "false when there is no soreness" (RULES.md v1.1).
 */
export type CompiledCondition = (
  hoursAfter: number,
  soreness: number,
  symptomMask: number,
  previousSoreness: number,
  thoracic: boolean,
) => boolean;

export interface FiredRuleView {
  readonly id: string;
  readonly disposition: Disposition;
  readonly patientText: Text;
  readonly clinicianText: Text;
}

export interface CompiledRule {
  readonly rule: Rule;
  readonly test: CompiledCondition;
  /** What the assessment reports for this rule, prepared for each kind of session. */
  readonly firedPlain: FiredRuleView;
  readonly firedThoracic: FiredRuleView;
}

export interface CompiledRulebook {
  readonly source: Rulebook;
  /** Every rule but the fallback, highest disposition first, then in rulebook order. */
  readonly ordered: readonly CompiledRule[];
  /** The fallback rules (`no_other_rule`), in the same order. */
  readonly fallback: readonly CompiledRule[];
  readonly phaseAt: (hoursAfter: number) => Phase;
  readonly bandAt: (hoursAfter: number) => SorenessBand;
  /**
   * The outcome of each set of fired rules met so far (key: fired-rule bits × 2 + thoracic),
   * built once and frozen. A memo of a pure function: it changes no answer.
   */
  readonly outcomes: Map<number, Outcome>;
}

/** What a set of fired rules adds up to, shared by every assessment with that set. */
export interface Outcome {
  readonly disposition: Disposition;
  readonly rules: readonly FiredRuleView[];
  readonly ruleIds: readonly string[];
}

const SYMPTOM_BIT: ReadonlyMap<string, number> = new Map(
  SYMPTOM_CODES.map((code, i) => [code, 1 << i]),
);

/** The bit mask of a symptom list; codes outside the checklist have no bit. */
export function symptomMaskOf(symptoms: readonly SymptomCode[]): number {
  let mask = 0;
  for (let i = 0; i < symptoms.length; i++) mask |= SYMPTOM_BIT.get(symptoms[i] as string) ?? 0;
  return mask;
}

function comparator(op: Comparison, right: number): (left: number) => boolean {
  switch (op) {
    case 'gt':
      return (left) => left > right;
    case 'gte':
      return (left) => left >= right;
    case 'lt':
      return (left) => left < right;
    case 'lte':
      return (left) => left <= right;
  }
}

const ALWAYS_FALSE: CompiledCondition = () => false;

/** Compile one condition with the rulebook's parameters fixed. */
export function compileCondition(c: Condition, params: RuleParameters): CompiledCondition {
  switch (c.kind) {
    case 'anySymptom': {
      const mask = symptomMaskOf(c.symptoms);
      return (_h, _s, m) => (m & mask) !== 0;
    }
    case 'thoracic':
      return (_h, _s, _m, _p, thoracic) => thoracic;
    case 'hoursAfter': {
      const cmp = comparator(c.op, resolveNumber(c.value, params));
      return (h) => cmp(h);
    }
    case 'soreness': {
      const cmp = comparator(c.op, resolveNumber(c.value, params));
      return (_h, s) => cmp(s);
    }
    case 'sorenessRise': {
      const cmp = comparator(c.op, resolveNumber(c.value, params));
      return (_h, s, _m, p) => cmp(s - p);
    }
    case 'noPreviousReport':
      return (_h, _s, _m, p) => Number.isNaN(p);
    case 'all': {
      const parts = c.of.map((inner) => compileCondition(inner, params));
      if (parts.length === 0) return () => true;
      if (parts.length === 1) return parts[0] as CompiledCondition;
      if (parts.length === 2) {
        const [a, b] = parts as [CompiledCondition, CompiledCondition];
        return (h, s, m, p, t) => a(h, s, m, p, t) && b(h, s, m, p, t);
      }
      return (h, s, m, p, t) => {
        for (let i = 0; i < parts.length; i++) {
          if (!(parts[i] as CompiledCondition)(h, s, m, p, t)) return false;
        }
        return true;
      };
    }
    case 'any': {
      const parts = c.of.map((inner) => compileCondition(inner, params));
      if (parts.length === 0) return ALWAYS_FALSE;
      if (parts.length === 1) return parts[0] as CompiledCondition;
      if (parts.length === 2) {
        const [a, b] = parts as [CompiledCondition, CompiledCondition];
        return (h, s, m, p, t) => a(h, s, m, p, t) || b(h, s, m, p, t);
      }
      return (h, s, m, p, t) => {
        for (let i = 0; i < parts.length; i++) {
          if ((parts[i] as CompiledCondition)(h, s, m, p, t)) return true;
        }
        return false;
      };
    }
  }
}

function firedView(rule: Rule, thoracic: boolean): FiredRuleView {
  return Object.freeze({
    id: rule.id,
    disposition: rule.disposition,
    patientText:
      thoracic && rule.texts.patientThoracic !== undefined
        ? rule.texts.patientThoracic
        : rule.texts.patient,
    clinicianText: rule.texts.clinician,
  });
}

function compileRule(rule: Rule, params: RuleParameters): CompiledRule {
  return {
    rule,
    test: rule.when === 'no_other_rule' ? ALWAYS_FALSE : compileCondition(rule.when, params),
    firedPlain: firedView(rule, false),
    firedThoracic: firedView(rule, true),
  };
}

/** Highest disposition first; `Array#sort` is stable, so ties keep rulebook order. */
function byDispositionDescending(rules: readonly CompiledRule[]): CompiledRule[] {
  return [...rules].sort((a, b) => compareDispositions(b.rule.disposition, a.rule.disposition));
}

/** Compile a rulebook. Pure; the result may be shared (its only state is a memo). */
export function compileRulebook(rulebook: Rulebook): CompiledRulebook {
  const params = rulebook.parameters;
  const compiled = rulebook.rules.map((rule) => compileRule(rule, params));
  // The same bands as course.ts (`expectedBandAt`, `phaseAt`), built once and frozen.
  const moderateMax = params.severeMin - 1;
  const peakBand = Object.freeze({ min: 0, max: moderateMax, toleratedMax: moderateMax });
  const lingerBand = Object.freeze({ min: 0, max: params.mildMax, toleratedMax: params.mildMax });
  const graceBand = Object.freeze({ min: 0, max: 0, toleratedMax: params.mildMax });
  const afterBand = Object.freeze({ min: 0, max: 0, toleratedMax: 0 });
  const { peakEndH, lingerEndH, graceEndH } = params;
  return {
    source: rulebook,
    ordered: byDispositionDescending(compiled.filter((c) => c.rule.when !== 'no_other_rule')),
    fallback: byDispositionDescending(compiled.filter((c) => c.rule.when === 'no_other_rule')),
    phaseAt: (h) => {
      if (h < EARLY_END_H) return 'early';
      if (h <= peakEndH) return 'peak';
      if (h <= lingerEndH) return 'easing';
      return 'beyond';
    },
    bandAt: (h) => {
      if (h <= peakEndH) return peakBand;
      if (h <= lingerEndH) return lingerBand;
      if (h <= graceEndH) return graceBand;
      return afterBand;
    },
    outcomes: new Map(),
  };
}
