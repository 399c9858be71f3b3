/**
 * Pure time helpers of the jobs: quiet hours and escalation timing. No I/O and no clock: every
 * instant comes in as an argument. Coverage hours are the clinical core's
 * (src/clinical/clinic-hours.ts, shared with the patient answer page); wall time ↔ instant its
 * one time-zone module (src/clinical/time-zone.ts).
 */
import {
  minutesOfDay,
  nextCoverageStart,
  parseClockTime,
  type WeeklyCoverage,
  zonedInstant,
} from '../clinical/clinic-hours.ts';
import {
  addDays,
  type Instant,
  wallTimeAt as localDateTime,
  epochMs as toMs,
} from '../clinical/time-zone.ts';
import type { EscalationTiming } from '../services/job-settings.ts';
import type { AlertSeverity } from '../store/alerts.repository.ts';
import type { QuietHours } from '../store/clinics.repository.ts';

// The worker reads coverage through this module.
export { isWithinCoverage, nextCoverageStart } from '../clinical/clinic-hours.ts';

const MINUTE_MS = 60_000;

/**
 * Move `instant` to the end of the clinic's quiet hours when it falls inside them (start
 * inclusive, end exclusive; a window such as 21:00–08:00 wraps midnight). Outside quiet hours,
 * or with none configured, the instant comes back unchanged.
 */
export function moveOutOfQuietHours(
  instant: Instant,
  quietHours: QuietHours,
  timeZone: string,
): Date {
  const ms = toMs(instant);
  if (quietHours === null) return new Date(ms);
  const start = parseClockTime(quietHours.start);
  const end = parseClockTime(quietHours.end);
  if (start === end) return new Date(ms);
  const local = localDateTime(ms, timeZone);
  const t = minutesOfDay(local);
  const wraps = start > end;
  const quiet = wraps ? t >= start || t < end : t >= start && t < end;
  if (!quiet) return new Date(ms);
  const day = wraps && t >= start ? addDays(local, 1) : local;
  return zonedInstant(day, end, timeZone);
}

export function escalationDelayMinutes(
  severity: AlertSeverity,
  timing: EscalationTiming,
): number | null {
  switch (severity) {
    case 'emergency':
      return timing.emergencyMinutes;
    case 'urgent':
      return timing.urgentMinutes;
    case 'routine':
      return timing.routineMinutes;
  }
}

export interface EscalationScheduleSettings {
  readonly timing: EscalationTiming;
  readonly coverage: WeeklyCoverage;
  readonly timeZone: string;
}

/**
 * When to check whether an alert was acknowledged: `createdAt` (or the moment it was raised)
 * plus the clinic's time for its severity, moved to the next coverage opening when that falls
 * outside coverage hours. `null` when the severity does not escalate.
 */
export function escalationDueAt(
  alert: { readonly severity: AlertSeverity; readonly createdAt: Instant },
  settings: EscalationScheduleSettings,
): Date | null {
  const minutes = escalationDelayMinutes(alert.severity, settings.timing);
  if (minutes === null) return null;
  const due = toMs(alert.createdAt) + minutes * MINUTE_MS;
  return nextCoverageStart(due, settings.coverage, settings.timeZone);
}
