import type { CompiledRule, CompiledRulebook, Outcome } from './compiled-rulebook.ts';
import { compileRulebook, firesIn, symptomMaskOf } from './compiled-rulebook.ts';
import { expectedBandAt, phaseAt } from './course.ts';
import { isThoracicSession } from './muscles.ts';
import type { Rule, Rulebook, RuleInput } from './rulebook.ts';
import { evaluateCondition } from './rulebook.ts';
import type { Disposition, Phase, Report, SorenessBand, Text, TriageCase } from './types.ts';
import { compareDispositions, highestDisposition } from './types.ts';

export interface FiredRule {
  readonly id: string;
  readonly disposition: Disposition;
  readonly patientText: Text;
  readonly clinicianText: Text;
}

export interface Assessment {
  /** The highest disposition of all fired rules. */
  readonly disposition: Disposition;
  /** Every fired rule, highest disposition first, then in rulebook order. */
  readonly rules: readonly FiredRule[];
  readonly ruleIds: readonly string[];
  readonly rulebookVersion: string;
  readonly thoracic: boolean;
  /** Hours after the session of the assessed (last) report. */
  readonly hoursAfter: number;
  /** The assessed report's soreness; null when the patient gave none (RULES.md v1.1). */
  readonly soreness: number | null;
  readonly phase: Phase;
  readonly expectedBand: SorenessBand;
}

/**
 * Triage the last report of a case against a rulebook (RULES.md).
 *
 * Reports are taken in time order whatever order they arrive in. When several reports share
 * the latest hour (or the hour before it), any of them could be "the last" or "the previous";
 * a rule fires if it fires under any such reading, so the answer never depends on the order of
 * simultaneous reports and is never lower than the one the given order would produce
 * (docs/decisions/0004-simultaneous-reports.md).
 *
 * The rulebook is compiled once and the compiled form is kept for as long as the rulebook
 * object lives (docs/decisions/1001-compiled-rulebook.md); `triageInterpreted` is the
 * reference it must agree with.
 *
 * The case must be valid (see `validateCase`); the rulebook's emergency rule cannot be removed.
 */
export function triage(triageCase: TriageCase, rulebook: Rulebook): Assessment {
  if (rulebook !== lastRulebook) {
    let compiled = COMPILED.get(rulebook);
    if (compiled === undefined) {
      compiled = compileRulebook(rulebook);
      COMPILED.set(rulebook, compiled);
    }
    lastRulebook = rulebook;
    lastCompiled = compiled;
  }
  return triageCompiled(triageCase, lastCompiled as CompiledRulebook);
}

/** Compiled rulebooks, kept while their rulebook lives (a cache of a pure function). */
const COMPILED = new WeakMap<Rulebook, CompiledRulebook>();

/**
 * The rulebook of the last call and its compiled form: nearly every call triages against the
 * same rulebook, and this skips the `WeakMap` lookup for it. Holds one rulebook alive at most.
 */
let lastRulebook: Rulebook | undefined;
let lastCompiled: CompiledRulebook | undefined;

/**
 * Triage against a compiled rulebook. With distinct report times (the common case) there is
 * one reading and no allocation beyond the result; ties fall back to enumerating readings.
 */
export function triageCompiled(triageCase: TriageCase, book: CompiledRulebook): Assessment {
  const reports = triageCase.reports;
  const n = reports.length;
  if (n === 0) throw new RangeError('triage: a case needs at least one report');
  const thoracic = isThoracicSession(triageCase.session.sites);

  let lastHour = Number.NEGATIVE_INFINITY;
  let lastCount = 0;
  let lastIndex = 0;
  for (let i = 0; i < n; i++) {
    const h = (reports[i] as Report).hoursAfter;
    if (h > lastHour) {
      lastHour = h;
      lastCount = 1;
      lastIndex = i;
    } else if (h === lastHour) lastCount++;
  }
  let previousHour = Number.NEGATIVE_INFINITY;
  let previousCount = 0;
  let previousSoreness = Number.NaN;
  for (let i = 0; i < n; i++) {
    const r = reports[i] as Report;
    if (r.soreness === null || r.hoursAfter >= lastHour) continue;
    if (r.hoursAfter > previousHour) {
      previousHour = r.hoursAfter;
      previousCount = 1;
      previousSoreness = r.soreness;
    } else if (r.hoursAfter === previousHour) previousCount++;
  }

  let firedCount = 0;
  let firedBits = 0;
  const ordered = book.ordered;
  const flags: boolean[] | undefined = ordered.length > 30 ? [] : undefined;
  let soreness: number | null;
  if (lastCount === 1 && previousCount <= 1) {
    // One reading: the fast path.
    const last = reports[lastIndex] as Report;
    soreness = last.soreness;
    const s = soreness === null ? Number.NaN : soreness;
    const mask = symptomMaskOf(last.symptoms);
    const program = book.program;
    for (let k = 0; k < ordered.length; k++) {
      const entry = (ordered[k] as CompiledRule).entry;
      if (firesIn(program, entry, lastHour, s, mask, previousSoreness, thoracic)) {
        firedCount++;
        if (flags === undefined) firedBits |= 1 << k;
        else flags[k] = true;
      }
    }
  } else {
    // Ties: every (last, previous) pair of decision 0004, as parallel arrays of numbers.
    const sorenesses: number[] = [];
    const masks: number[] = [];
    const previous: number[] = [];
    soreness = null;
    for (let i = 0; i < n; i++) {
      const last = reports[i] as Report;
      if (last.hoursAfter !== lastHour) continue;
      if (last.soreness !== null && (soreness === null || last.soreness > soreness)) {
        soreness = last.soreness;
      }
      const s = last.soreness === null ? Number.NaN : last.soreness;
      const mask = symptomMaskOf(last.symptoms);
      // A same-hour sibling with a soreness may be read as the previous report…
      for (let j = 0; j < n; j++) {
        const sibling = reports[j] as Report;
        if (j === i || sibling.hoursAfter !== lastHour || sibling.soreness === null) continue;
        sorenesses.push(s);
        masks.push(mask);
        previous.push(sibling.soreness);
      }
      // …and so may the latest earlier reports with a soreness, or none: this report may come
      // first in its hour, and a sibling's number never hides a rise from the hour before.
      const before = sorenesses.length;
      for (let j = 0; j < n; j++) {
        const earlier = reports[j] as Report;
        if (earlier.soreness === null || earlier.hoursAfter !== previousHour) continue;
        sorenesses.push(s);
        masks.push(mask);
        previous.push(earlier.soreness);
      }
      if (sorenesses.length === before) {
        sorenesses.push(s);
        masks.push(mask);
        previous.push(Number.NaN);
      }
    }
    const program = book.program;
    for (let k = 0; k < ordered.length; k++) {
      const entry = (ordered[k] as CompiledRule).entry;
      for (let j = 0; j < sorenesses.length; j++) {
        if (
          firesIn(
            program,
            entry,
            lastHour,
            sorenesses[j] as number,
            masks[j] as number,
            previous[j] as number,
            thoracic,
          )
        ) {
          firedCount++;
          if (flags === undefined) firedBits |= 1 << k;
          else flags[k] = true;
          break;
        }
      }
    }
  }

  let outcome: Outcome | undefined;
  if (flags === undefined) {
    // Few distinct sets of fired rules occur; each one's lists are built once and shared.
    const key = firedBits * 2 + (thoracic ? 1 : 0);
    outcome = book.outcomes.get(key);
    if (outcome === undefined) {
      outcome = outcomeOf(book, thoracic, firedCount, (k) => (firedBits & (1 << k)) !== 0);
      if (book.outcomes.size < MAX_OUTCOMES) book.outcomes.set(key, outcome);
    }
  } else {
    outcome = outcomeOf(book, thoracic, firedCount, (k) => flags[k] === true);
  }

  return {
    disposition: outcome.disposition,
    rules: outcome.rules,
    ruleIds: outcome.ruleIds,
    rulebookVersion: book.source.version,
    thoracic,
    hoursAfter: lastHour,
    soreness,
    phase: book.phaseAt(lastHour),
    expectedBand: book.bandAt(lastHour),
  };
}

/** Bounds the shared outcomes of one compiled rulebook (2 × 2^rules at most in theory). */
const MAX_OUTCOMES = 4096;

/** The fired rules in report order (highest disposition first), their ids and the highest. */
function outcomeOf(
  book: CompiledRulebook,
  thoracic: boolean,
  firedCount: number,
  fired: (k: number) => boolean,
): Outcome {
  const chosen = firedCount > 0 ? book.ordered : book.fallback;
  const rules: FiredRule[] = [];
  for (let k = 0; k < chosen.length; k++) {
    if (firedCount > 0 && !fired(k)) continue;
    const c = chosen[k] as CompiledRule;
    rules.push(thoracic ? c.firedThoracic : c.firedPlain);
  }
  return Object.freeze({
    disposition: highestDisposition(rules.map((rule) => rule.disposition)),
    rules: Object.freeze(rules),
    ruleIds: Object.freeze(rules.map((rule) => rule.id)),
  });
}
/**
 * The reports that decide a case: every report at its latest hour, and every report with a
 * soreness at the latest earlier hour. Triage reads nothing else (the last report, the
 * previous report with a soreness, and their same-hour siblings, decision 0004), so triage of
 * these equals triage of all (a property test holds it to that). The set is closed: the
 * deciding reports of `decidingReports(a)` plus one more report are the deciding reports of
 * `a` plus that report, so a check-in path may keep only these (decision 1413). Order kept.
 */
export function decidingReports<R extends Report>(reports: readonly R[]): R[] {
  let lastHour = Number.NEGATIVE_INFINITY;
  for (const r of reports) if (r.hoursAfter > lastHour) lastHour = r.hoursAfter;
  let previousHour = Number.NEGATIVE_INFINITY;
  for (const r of reports) {
    if (r.soreness !== null && r.hoursAfter < lastHour && r.hoursAfter > previousHour) {
      previousHour = r.hoursAfter;
    }
  }
  return reports.filter(
    (r) => r.hoursAfter === lastHour || (r.soreness !== null && r.hoursAfter === previousHour),
  );
}

/**
 * The interpreter: walks each condition tree for every rule and case. It is the reference the
 * compiled form is tested against (src/clinical/compiled-rulebook.test.ts).
 */
export function triageInterpreted(triageCase: TriageCase, rulebook: Rulebook): Assessment {
  const thoracic = isThoracicSession(triageCase.session.sites);
  const readings = readingsOf(triageCase.reports, thoracic);
  const first = readings[0];
  if (first === undefined) throw new RangeError('triage: a case needs at least one report');

  const fired = rulebook.rules.filter(
    (rule) =>
      rule.when !== 'no_other_rule' &&
      readings.some((reading) =>
        evaluateCondition(
          rule.when as Exclude<Rule['when'], 'no_other_rule'>,
          reading,
          rulebook.parameters,
        ),
      ),
  );
  const chosen =
    fired.length > 0 ? fired : rulebook.rules.filter((rule) => rule.when === 'no_other_rule');
  const ordered = [...chosen].sort((a, b) => compareDispositions(b.disposition, a.disposition));
  const rules = ordered.map((rule) => toFiredRule(rule, thoracic));

  return {
    disposition: highestDisposition(rules.map((rule) => rule.disposition)),
    rules,
    ruleIds: rules.map((rule) => rule.id),
    rulebookVersion: rulebook.version,
    thoracic,
    hoursAfter: first.hoursAfter,
    soreness: highestSoreness(readings),
    phase: phaseAt(first.hoursAfter, rulebook.parameters),
    expectedBand: expectedBandAt(first.hoursAfter, rulebook.parameters),
  };
}

function toFiredRule(rule: Rule, thoracic: boolean): FiredRule {
  return {
    id: rule.id,
    disposition: rule.disposition,
    patientText:
      thoracic && rule.texts.patientThoracic !== undefined
        ? rule.texts.patientThoracic
        : rule.texts.patient,
    clinicianText: rule.texts.clinician,
  };
}

function highestSoreness(readings: readonly RuleInput[]): number | null {
  let highest: number | null = null;
  for (const { soreness } of readings) {
    if (soreness !== null && (highest === null || soreness > highest)) highest = soreness;
  }
  return highest;
}

/**
 * Every (last, previous) pair that some time-consistent ordering of the reports would produce.
 * With distinct times this is exactly one pair.
 *
 * The "previous" of the soreness rules is the latest earlier report that has a soreness
 * (RULES.md v1.1): reports without one are skipped, never read as 0. When the last report has
 * same-hour siblings, any sibling with a soreness may be placed just before it, and it may also
 * come first in its hour, after the latest earlier reports with a soreness (or none): a
 * sibling's number never hides a rise from the hour before (decision 0004, forty-sixth round).
 */
function readingsOf(reports: readonly Report[], thoracic: boolean): RuleInput[] {
  if (reports.length === 0) return [];
  const sorted = [...reports].sort((a, b) => a.hoursAfter - b.hoursAfter);
  const lastHour = sorted[sorted.length - 1]?.hoursAfter ?? 0;
  const lastGroup = sorted.filter((r) => r.hoursAfter === lastHour);
  const scoredEarlier = sorted.filter((r) => r.hoursAfter < lastHour && r.soreness !== null);
  const previousHour = scoredEarlier[scoredEarlier.length - 1]?.hoursAfter;
  const previousGroup = scoredEarlier.filter((r) => r.hoursAfter === previousHour);

  const readings: RuleInput[] = [];
  lastGroup.forEach((last, i) => {
    const scoredSiblings = lastGroup.filter((r, j) => j !== i && r.soreness !== null);
    const previousSorenesses = [
      ...scoredSiblings.map((r) => r.soreness ?? undefined),
      ...(previousGroup.length > 0
        ? previousGroup.map((r) => r.soreness ?? undefined)
        : [undefined]),
    ];
    for (const previousSoreness of previousSorenesses) {
      readings.push({
        hoursAfter: last.hoursAfter,
        soreness: last.soreness,
        symptoms: new Set(last.symptoms),
        previousSoreness,
        thoracic,
      });
    }
  });
  return readings;
}
