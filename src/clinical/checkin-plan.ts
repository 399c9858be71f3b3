import { isThoracicSession } from './muscles.ts';
import type { Result, Site } from './types.ts';
import { err, ok } from './types.ts';

/** Hours after the session (RULES.md "Check-in plan"): a one-week look catches late infection. */
export const DEFAULT_PLAN_HOURS: readonly number[] = [4, 24, 48, 72, 168];
/** After needling near the chest: earlier looks, as pneumothorax has shown from minutes to ~2 days. */
export const THORACIC_PLAN_HOURS: readonly number[] = [2, 6, 24, 48, 72, 168];
/** The check-ins up to this hour after thoracic needling are the "early" ones (never moved by quiet hours; missed → call). */
export const THORACIC_EARLY_END_H = 48;

export interface CheckInPlanSettings {
  readonly planHours?: readonly number[];
  readonly thoracicPlanHours?: readonly number[];
}

export interface PlannedCheckIn {
  readonly hoursAfter: number;
  /** UTC instant, ISO 8601. */
  readonly dueAt: string;
  /** An early check-in after thoracic needling: a miss is followed up by phone. */
  readonly early: boolean;
}

export interface CheckInPlan {
  readonly thoracic: boolean;
  readonly checkIns: readonly PlannedCheckIn[];
}

const HOUR_MS = 3_600_000;

/**
 * Plan a session's check-ins. `performedAt` is the session's instant (ISO 8601 with offset);
 * the result is a command for the shell to schedule, not a side effect.
 */
export function planCheckIns(
  session: { readonly performedAt: string; readonly sites: readonly Site[] },
  settings: CheckInPlanSettings = {},
): CheckInPlan {
  const thoracic = isThoracicSession(session.sites);
  const hours = thoracic
    ? (settings.thoracicPlanHours ?? THORACIC_PLAN_HOURS)
    : (settings.planHours ?? DEFAULT_PLAN_HOURS);
  const start = Date.parse(session.performedAt);
  if (Number.isNaN(start))
    throw new RangeError(`planCheckIns: performedAt is not an instant: ${session.performedAt}`);
  return {
    thoracic,
    checkIns: [...hours]
      .sort((a, b) => a - b)
      .map((h) => ({
        hoursAfter: h,
        dueAt: new Date(start + h * HOUR_MS).toISOString(),
        early: thoracic && h <= THORACIC_EARLY_END_H,
      })),
  };
}

/**
 * Check a clinic's plan: 1 to 12 distinct hours between 0.5 and 720 (30 days). A thoracic plan
 * must keep a check-in within the first 6 hours and one at 24 h or earlier on day one, because
 * that is when pneumothorax presents.
 */
export function validatePlanHours(hours: unknown, thoracic: boolean): Result<number[], string> {
  if (!Array.isArray(hours) || hours.length === 0 || hours.length > 12) {
    return err('must be a list of 1 to 12 hours after the session');
  }
  if (!hours.every((h) => typeof h === 'number' && Number.isFinite(h) && h >= 0.5 && h <= 720)) {
    return err('each hour must be a number from 0.5 to 720');
  }
  const sorted = [...(hours as number[])].sort((a, b) => a - b);
  if (new Set(sorted).size !== sorted.length) return err('hours must not repeat');
  if (thoracic && (sorted[0] ?? Number.POSITIVE_INFINITY) > 6) {
    return err('a thoracic plan needs its first check-in within 6 hours of the session');
  }
  return ok(sorted);
}

/** The planned check-in due next at `now` (ISO), if any. */
export function nextCheckIn(plan: CheckInPlan, now: string): PlannedCheckIn | undefined {
  const t = Date.parse(now);
  return plan.checkIns.find((c) => Date.parse(c.dueAt) > t);
}
