import type { CheckInPlanSettings } from '../clinical/checkin-plan.ts';
import { validatePlanHours } from '../clinical/checkin-plan.ts';
import { compileCondition } from '../clinical/compiled-rulebook.ts';
import { applyOverrides, type RulebookOverrides } from '../clinical/overrides.ts';
import type { Rulebook } from '../clinical/rulebook.ts';
import type { Result } from '../clinical/types.ts';
import { err, ok } from '../clinical/types.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A clinic override file (the shape of `RulebookOverrides`) applied to the base rulebook; the
 * error names the first bad field. `clinicId` and `revision` default to "what-if" and "file".
 */
export function rulebookFromOverrides(value: unknown, base: Rulebook): Result<Rulebook, string> {
  if (!isObject(value)) return err('must be a JSON object of clinic overrides');
  const known = ['clinicId', 'revision', 'parameters', 'raise', 'add'];
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) return err(`${unknown}: unknown field; allowed: ${known.join(', ')}`);
  for (const key of ['clinicId', 'revision'] as const) {
    if (value[key] !== undefined && (typeof value[key] !== 'string' || value[key] === ''))
      return err(`${key}: must be a non-empty string`);
  }
  for (const key of ['parameters', 'raise'] as const) {
    if (value[key] !== undefined && !isObject(value[key])) return err(`${key}: must be an object`);
  }
  if (value.add !== undefined) {
    if (!Array.isArray(value.add)) return err('add: must be a list of rules');
    for (const [i, rule] of (value.add as unknown[]).entries()) {
      if (!isObject(rule) || !isObject(rule.when))
        return err(`add[${i}].when: must be a condition object`);
      const texts = rule.texts;
      if (!isObject(texts) || !isObject(texts.patient) || !isObject(texts.clinician))
        return err(`add[${i}].texts: needs patient and clinician texts`);
      if (typeof rule.source !== 'string') return err(`add[${i}].source: must be a string`);
    }
  }
  const overrides = {
    ...value,
    clinicId: (value.clinicId as string | undefined) ?? 'what-if',
    revision: (value.revision as string | undefined) ?? 'file',
  } as RulebookOverrides;
  const applied = applyOverrides(base, overrides);
  if (!applied.ok) {
    const first = applied.error[0];
    return err(first === undefined ? 'invalid overrides' : `${first.field}: ${first.message}`);
  }
  // An added rule's condition must be one the engine can read: compiled now, a condition outside
  // the language is refused here with its field, not at the first triage (decision 1479).
  for (const [i, rule] of (overrides.add ?? []).entries()) {
    try {
      compileCondition(rule.when, applied.value.parameters);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return err(`add[${i}].when: ${error.message}`);
    }
  }
  return ok(applied.value);
}

/** A check-in plan file: `{ "planHours": [...], "thoracicPlanHours": [...] }`, either optional. */
export function planFromJson(value: unknown): Result<CheckInPlanSettings, string> {
  if (!isObject(value)) return err('must be a JSON object with planHours and/or thoracicPlanHours');
  const unknown = Object.keys(value).find((k) => k !== 'planHours' && k !== 'thoracicPlanHours');
  if (unknown !== undefined)
    return err(`${unknown}: unknown field; allowed: planHours, thoracicPlanHours`);
  let settings: CheckInPlanSettings = {};
  if (value.planHours !== undefined) {
    const hours = validatePlanHours(value.planHours, false);
    if (!hours.ok) return err(`planHours: ${hours.error}`);
    settings = { ...settings, planHours: hours.value };
  }
  if (value.thoracicPlanHours !== undefined) {
    const hours = validatePlanHours(value.thoracicPlanHours, true);
    if (!hours.ok) return err(`thoracicPlanHours: ${hours.error}`);
    settings = { ...settings, thoracicPlanHours: hours.value };
  }
  return ok(settings);
}
