import type { ParameterName } from './parameters.ts';
import { PARAMETER_FLOORS, PARAMETER_NAMES } from './parameters.ts';
import type { Condition, Rule, Rulebook, RuleTexts } from './rulebook.ts';
import { findRule } from './rulebook.ts';
import type { Disposition, Result } from './types.ts';
import { compareDispositions, DISPOSITIONS, err, ok } from './types.ts';

/**
 * What a clinic may change. Every change can only make the triage stricter: lower a
 * threshold, raise a rule's disposition, or add a rule. Removing or loosening a rule, and
 * touching the emergency rule, are refused.
 */
export interface RulebookOverrides {
  /** Who the overrides belong to; it becomes part of the rulebook version. */
  readonly clinicId: string;
  /** A short revision tag of the clinic's override set, e.g. "r3". */
  readonly revision: string;
  readonly parameters?: Partial<Record<ParameterName, number>>;
  readonly raise?: Readonly<Record<string, Disposition>>;
  readonly add?: readonly {
    readonly id: string;
    readonly disposition: Disposition;
    readonly when: Condition;
    readonly texts: RuleTexts;
    readonly source: string;
  }[];
}

export interface OverrideError {
  readonly field: string;
  readonly message: string;
}

/**
 * Apply a clinic's overrides to a rulebook. The result's version names the base version, the
 * clinic and the revision, so every stored assessment says exactly which rules decided it.
 */
export function applyOverrides(
  base: Rulebook,
  overrides: RulebookOverrides,
): Result<Rulebook, OverrideError[]> {
  const errors: OverrideError[] = [];
  const parameters = { ...base.parameters };

  for (const [name, value] of Object.entries(overrides.parameters ?? {})) {
    const field = `parameters.${name}`;
    if (!PARAMETER_NAMES.includes(name as ParameterName)) {
      errors.push({ field, message: `unknown parameter; allowed: ${PARAMETER_NAMES.join(', ')}` });
      continue;
    }
    const key = name as ParameterName;
    const floor = PARAMETER_FLOORS[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      errors.push({ field, message: 'must be a number' });
    } else if (value > base.parameters[key]) {
      errors.push({
        field,
        message: `${value} would loosen the rule (the base is ${base.parameters[key]}); clinics may only lower it, to make the triage stricter`,
      });
    } else if (value < floor) {
      errors.push({ field, message: `must be at least ${floor}` });
    } else {
      parameters[key] = value;
    }
  }
  if (parameters.mildMax >= parameters.severeMin) {
    errors.push({ field: 'parameters.mildMax', message: 'must stay below severeMin' });
  }
  if (
    !(parameters.peakEndH <= parameters.lingerEndH && parameters.lingerEndH <= parameters.graceEndH)
  ) {
    errors.push({ field: 'parameters', message: 'must keep peakEndH ≤ lingerEndH ≤ graceEndH' });
  }

  const raised = new Map<string, Disposition>();
  for (const [id, disposition] of Object.entries(overrides.raise ?? {})) {
    const field = `raise.${id}`;
    const rule = findRule(base, id);
    if (rule === undefined) {
      errors.push({ field, message: 'unknown rule' });
    } else if (!rule.configurable) {
      errors.push({ field, message: `the rule "${id}" is not configurable` });
    } else if (!DISPOSITIONS.includes(disposition)) {
      errors.push({ field, message: `must be one of ${DISPOSITIONS.join(', ')}` });
    } else if (compareDispositions(disposition, rule.disposition) < 0) {
      errors.push({
        field,
        message: `${disposition} is lower than ${rule.disposition}; clinics may only raise a rule`,
      });
    } else {
      raised.set(id, disposition);
    }
  }

  const added: Rule[] = [];
  (overrides.add ?? []).forEach((rule, i) => {
    const field = `add[${i}]`;
    if (!/^[a-z][a-z0-9_]{2,40}$/.test(rule.id)) {
      errors.push({
        field: `${field}.id`,
        message: 'must be 3–41 lower-case letters, digits or _',
      });
    } else if (findRule(base, rule.id) !== undefined || added.some((r) => r.id === rule.id)) {
      errors.push({ field: `${field}.id`, message: `a rule "${rule.id}" already exists` });
    }
    if (!DISPOSITIONS.includes(rule.disposition) || rule.disposition === 'self_care') {
      errors.push({
        field: `${field}.disposition`,
        message: 'must be contact_practitioner, urgent_same_day or emergency',
      });
    }
    added.push({ ...rule, configurable: true, addedBy: overrides.clinicId });
  });

  if (errors.length > 0) return err(errors);
  const rules = base.rules.map((rule) => {
    const disposition = raised.get(rule.id);
    return disposition === undefined ? rule : { ...rule, disposition };
  });
  // Added rules go before the fallback so the table reads top to bottom.
  const fallbackAt = rules.findIndex((rule) => rule.when === 'no_other_rule');
  rules.splice(fallbackAt === -1 ? rules.length : fallbackAt, 0, ...added);
  return ok({
    version: `${base.version}+${overrides.clinicId}.${overrides.revision}`,
    parameters,
    rules,
  });
}
