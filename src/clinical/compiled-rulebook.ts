import { EARLY_END_H } from './course.ts';
import type { RuleParameters } from './parameters.ts';
import type { Comparison, Condition, NumberRef, Rule, Rulebook } from './rulebook.ts';
import { resolveNumber } from './rulebook.ts';
import type { Disposition, Phase, SorenessBand, SymptomCode, Text } from './types.ts';
import { compareDispositions, SYMPTOM_CODES } from './types.ts';

/**
 * A rulebook compiled, once, for fast triage (docs/decisions/1001-compiled-rulebook.md,
 * 1479-conditions-as-one-flat-program.md).
 *
 * The interpreter (`evaluateCondition`) walks the condition tree, resolves named parameters
 * and looks symptoms up in a `Set` for every rule of every case. The compiled form does that
 * work when the rulebook is compiled: parameters become constants, a symptom list becomes a
 * bit mask, and every rule's condition becomes part of one flat program of numbers, read by
 * `firesIn` with five numbers of the case. Evaluating a rule allocates nothing. The
 * interpreter stays the reference; property tests check that both agree.
 */

/**
 * One condition compiled on its own (`compileCondition`). Numbers only: `soreness` and
 * `previousSoreness` are NaN when unknown, and every comparison with NaN is false, which is
 * exactly the interpreter's "false when there is no soreness" (RULES.md v1.1).
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
  /** Where the rule's condition starts in its rulebook's `program` (`firesIn`). */
  readonly entry: number;
  /** What the assessment reports for this rule, prepared for each kind of session. */
  readonly firedPlain: FiredRuleView;
  readonly firedThoracic: FiredRuleView;
}

export interface CompiledRulebook {
  readonly source: Rulebook;
  /** Every rule's condition, as one flat program (`firesIn`). */
  readonly program: ConditionProgram;
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

/**
 * Conditions as one flat program (decision 1479): a condition tree becomes a graph of tests,
 * one per leaf, each with where to go when it holds and when it does not. `all` and `any` are
 * only those jumps: a test of `all` that fails goes to the node's "false" exit at once, a test
 * of `any` that holds to its "true" exit, in the tree's order, so a condition reads as far as
 * the interpreter's `every`/`some` would. One function (`firesIn`) walks the graph with a
 * `switch` over small numbers. Where each rule was a tree of closures, every call through
 * them was to one of many functions and could not be inlined; the walk allocates nothing and
 * calls nothing.
 */
export interface ConditionProgram {
  /** What each test reads and how it compares (the `OP_*` codes). */
  readonly op: Uint8Array;
  /** The test's value: a parameter resolved to its number, or a symptom bit mask. */
  readonly value: Float64Array;
  /** Where to go next when the test holds, and when it does not: a test, or an exit. */
  readonly ifTrue: Int32Array;
  readonly ifFalse: Int32Array;
}

/** The two exits of a condition's graph. Tests are numbered from 0. */
const HOLDS = -1;
const FAILS = -2;

const OP_SYMPTOM = 0;
const OP_THORACIC = 1;
const OP_NO_PREVIOUS = 2;
/**
 * A number of the case compared with the test's value: hours, soreness and rise each take four
 * codes from here, in the order of `COMPARISONS`. The condition types allow only `gt`/`gte` for
 * soreness and rise; the program compares as the interpreter's `compare` does whatever it is
 * given, and refuses a comparison it does not know.
 */
const OP_HOURS = 3;
const OP_SORENESS = 7;
const OP_RISE = 11;
const COMPARISONS: readonly Comparison[] = ['gt', 'gte', 'lt', 'lte'];

function comparisonCode(base: number, op: Comparison): number {
  const at = COMPARISONS.indexOf(op);
  if (at === -1) throw new RangeError(`no comparison "${String(op)}"`);
  return base + at;
}

/** Tests being laid out, before they become a `ConditionProgram`. */
class ProgramBuilder {
  readonly op: number[] = [];
  readonly value: number[] = [];
  readonly ifTrue: number[] = [];
  readonly ifFalse: number[] = [];

  /**
   * Lay out `c` to go to `onTrue` when it holds and `onFalse` when not; returns its entry.
   * A condition outside the language (a rulebook read from a file) is refused here, with what
   * is wrong: laid out anyway, it could only ever read as "does not fire".
   */
  add(c: Condition, params: RuleParameters, onTrue: number, onFalse: number): number {
    switch (c.kind) {
      case 'anySymptom':
        if (!Array.isArray(c.symptoms))
          throw new RangeError('"anySymptom" needs a list of symptoms');
        return this.#test(OP_SYMPTOM, symptomMaskOf(c.symptoms), onTrue, onFalse);
      case 'thoracic':
        return this.#test(OP_THORACIC, 0, onTrue, onFalse);
      case 'noPreviousReport':
        return this.#test(OP_NO_PREVIOUS, 0, onTrue, onFalse);
      case 'hoursAfter':
        return this.#compare(OP_HOURS, c.op, c.value, params, onTrue, onFalse);
      case 'soreness':
        return this.#compare(OP_SORENESS, c.op, c.value, params, onTrue, onFalse);
      case 'sorenessRise':
        return this.#compare(OP_RISE, c.op, c.value, params, onTrue, onFalse);
      case 'all': {
        if (!Array.isArray(c.of)) throw new RangeError('"all" needs a list of conditions');
        // Laid out from the last part back, so each part knows the entry of the next.
        let next = onTrue;
        for (let i = c.of.length - 1; i >= 0; i--) {
          next = this.add(c.of[i] as Condition, params, next, onFalse);
        }
        return next;
      }
      case 'any': {
        if (!Array.isArray(c.of)) throw new RangeError('"any" needs a list of conditions');
        let next = onFalse;
        for (let i = c.of.length - 1; i >= 0; i--) {
          next = this.add(c.of[i] as Condition, params, onTrue, next);
        }
        return next;
      }
      default:
        throw new RangeError(`no condition "${String((c as { kind?: unknown }).kind)}"`);
    }
  }

  build(): ConditionProgram {
    return {
      op: Uint8Array.from(this.op),
      value: Float64Array.from(this.value),
      ifTrue: Int32Array.from(this.ifTrue),
      ifFalse: Int32Array.from(this.ifFalse),
    };
  }

  #compare(
    base: number,
    op: Comparison,
    value: NumberRef,
    params: RuleParameters,
    onTrue: number,
    onFalse: number,
  ): number {
    const resolved = resolveNumber(value, params);
    if (typeof resolved !== 'number' || !Number.isFinite(resolved)) {
      throw new RangeError(`no number for ${JSON.stringify(value)}`);
    }
    return this.#test(comparisonCode(base, op), resolved, onTrue, onFalse);
  }

  #test(op: number, value: number, onTrue: number, onFalse: number): number {
    this.op.push(op);
    this.value.push(value);
    this.ifTrue.push(onTrue);
    this.ifFalse.push(onFalse);
    return this.op.length - 1;
  }
}

/**
 * Whether the condition starting at `entry` holds. Numbers only: `soreness` and
 * `previousSoreness` are NaN when unknown, and every comparison with NaN is false, which is
 * exactly the interpreter's "false when there is no soreness" (RULES.md v1.1).
 */
export function firesIn(
  program: ConditionProgram,
  entry: number,
  hoursAfter: number,
  soreness: number,
  symptomMask: number,
  previousSoreness: number,
  thoracic: boolean,
): boolean {
  const { op, value, ifTrue, ifFalse } = program;
  let at = entry;
  // Every jump goes to a test laid out before this one, or to an exit: the walk always ends.
  while (at >= 0) {
    const v = value[at] as number;
    let holds: boolean;
    switch (op[at]) {
      case OP_SYMPTOM:
        holds = (symptomMask & v) !== 0;
        break;
      case OP_THORACIC:
        holds = thoracic;
        break;
      case OP_NO_PREVIOUS:
        holds = Number.isNaN(previousSoreness);
        break;
      case OP_HOURS:
        holds = hoursAfter > v;
        break;
      case OP_HOURS + 1:
        holds = hoursAfter >= v;
        break;
      case OP_HOURS + 2:
        holds = hoursAfter < v;
        break;
      case OP_HOURS + 3:
        holds = hoursAfter <= v;
        break;
      case OP_SORENESS:
        holds = soreness > v;
        break;
      case OP_SORENESS + 1:
        holds = soreness >= v;
        break;
      case OP_SORENESS + 2:
        holds = soreness < v;
        break;
      case OP_SORENESS + 3:
        holds = soreness <= v;
        break;
      case OP_RISE:
        holds = soreness - previousSoreness > v;
        break;
      case OP_RISE + 1:
        holds = soreness - previousSoreness >= v;
        break;
      case OP_RISE + 2:
        holds = soreness - previousSoreness < v;
        break;
      case OP_RISE + 3:
        holds = soreness - previousSoreness <= v;
        break;
      default:
        // Only `ProgramBuilder` writes programs; a code it does not write is a bug, never "no".
        throw new Error(`condition program: no test ${op[at]}`);
    }
    at = holds ? (ifTrue[at] as number) : (ifFalse[at] as number);
  }
  return at === HOLDS;
}

/** Compile one condition with the rulebook's parameters fixed: a program of its own. */
export function compileCondition(c: Condition, params: RuleParameters): CompiledCondition {
  const builder = new ProgramBuilder();
  const entry = builder.add(c, params, HOLDS, FAILS);
  const program = builder.build();
  return (h, s, m, p, t) => firesIn(program, entry, h, s, m, p, t);
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

function compileRule(rule: Rule, params: RuleParameters, builder: ProgramBuilder): CompiledRule {
  return {
    rule,
    // The fallback is never tested: it fires when nothing else does.
    entry: rule.when === 'no_other_rule' ? FAILS : builder.add(rule.when, params, HOLDS, FAILS),
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
  const builder = new ProgramBuilder();
  const compiled = rulebook.rules.map((rule) => compileRule(rule, params, builder));
  // The same bands as course.ts (`expectedBandAt`, `phaseAt`), built once and frozen.
  const moderateMax = params.severeMin - 1;
  const peakBand = Object.freeze({ min: 0, max: moderateMax, toleratedMax: moderateMax });
  const lingerBand = Object.freeze({ min: 0, max: params.mildMax, toleratedMax: params.mildMax });
  const graceBand = Object.freeze({ min: 0, max: 0, toleratedMax: params.mildMax });
  const afterBand = Object.freeze({ min: 0, max: 0, toleratedMax: 0 });
  const { peakEndH, lingerEndH, graceEndH } = params;
  return {
    source: rulebook,
    program: builder.build(),
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
