import { expectedBandAt, phaseAt } from './course.ts';
import { isThoracicSession } from './muscles.ts';
import type { Rule, RuleInput, Rulebook } from './rulebook.ts';
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
 * The case must be valid (see `validateCase`); the rulebook's emergency rule cannot be removed.
 */
export function triage(triageCase: TriageCase, rulebook: Rulebook): Assessment {
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
 * same-hour siblings, any sibling with a soreness may be placed just before it; when none has
 * one, the latest earlier reports with a soreness are the candidates.
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
    const previous = scoredSiblings.length > 0 ? scoredSiblings : previousGroup;
    const previousSorenesses =
      previous.length > 0 ? previous.map((r) => r.soreness ?? undefined) : [undefined];
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
