/**
 * Pure calendar helpers for the jobs: quiet hours, coverage hours and escalation timing. No I/O
 * and no clock: every instant comes in as an argument. Wall time ↔ instant and formatting come
 * from the clinical core's one time-zone module (src/clinical/time-zone.ts).
 */
import {
  addDays,
  epochMs,
  type Instant,
  instantAt,
  type LocalDate,
  type LocalDateTime,
  wallTimeAt,
  weekdayOf,
} from '../clinical/time-zone.ts';
import type { AlertSeverity } from '../store/alerts.repository.ts';
import type {
  QuietHours,
  TimeRange,
  Weekday,
  WeeklyCoverage,
} from '../store/clinics.repository.ts';

const MINUTE_MS = 60_000;
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * The instant at which the wall clock in `timeZone` reads `date` `minutes` (minutes after local
 * midnight; 24:00 is the next midnight). Daylight-saving gaps and overlaps resolve as
 * src/clinical/time-zone.ts says.
 */
export function zonedInstant(date: LocalDate, minutes: number, timeZone: string): Date {
  return instantAt(
    { year: date.year, month: date.month, day: date.day, minute: minutes },
    timeZone,
  );
}

/** `HH:MM` → minutes after midnight; `24:00` is allowed (end of day). */
export function parseClockTime(text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) throw new RangeError(`not a HH:MM time: ${text}`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) {
    throw new RangeError(`not a HH:MM time: ${text}`);
  }
  return h * 60 + min;
}

function minutesOfDay(l: LocalDateTime): number {
  return l.hour * 60 + l.minute + l.second / 60;
}

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
  const ms = epochMs(instant);
  if (quietHours === null) return new Date(ms);
  const start = parseClockTime(quietHours.start);
  const end = parseClockTime(quietHours.end);
  if (start === end) return new Date(ms);
  const local = wallTimeAt(ms, timeZone);
  const t = minutesOfDay(local);
  const wraps = start > end;
  const quiet = wraps ? t >= start || t < end : t >= start && t < end;
  if (!quiet) return new Date(ms);
  const day = wraps && t >= start ? addDays(local, 1) : local;
  return zonedInstant(day, end, timeZone);
}

function rangesOf(coverage: WeeklyCoverage, day: Weekday): Array<{ start: number; end: number }> {
  const list: readonly TimeRange[] = coverage[day] ?? [];
  const out: Array<{ start: number; end: number }> = [];
  for (const range of list) {
    try {
      out.push({ start: parseClockTime(range[0]), end: parseClockTime(range[1]) });
    } catch {
      // A malformed range gives no cover; the settings validator reports it to the admin.
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * True when the clinic has configured no coverage at all. Such a clinic is treated as always
 * covered, so escalations never wait for an opening that will not come
 * (docs/decisions/0500-jobs-outbox-delivery.md).
 */
export function coverageIsUnset(coverage: WeeklyCoverage): boolean {
  return WEEKDAYS.every((d) => (coverage[d] ?? []).length === 0);
}

/**
 * Is someone on duty at `instant`? A range `[start, end)` with end ≤ start runs overnight into
 * the next day (`['22:00', '06:00']`). No coverage configured at all means always covered.
 */
export function isWithinCoverage(
  instant: Instant,
  coverage: WeeklyCoverage,
  timeZone: string,
): boolean {
  if (coverageIsUnset(coverage)) return true;
  const local = wallTimeAt(instant, timeZone);
  const t = minutesOfDay(local);
  for (const r of rangesOf(coverage, local.weekday)) {
    if (r.end > r.start ? t >= r.start && t < r.end : t >= r.start) return true;
  }
  for (const r of rangesOf(coverage, weekdayOf(addDays(local, -1)))) {
    if (r.end <= r.start && t < r.end) return true;
  }
  return false;
}

/**
 * The first instant at or after `instant` that is within coverage: `instant` itself when
 * covered now, otherwise the next opening (looking up to eight days ahead).
 */
export function nextCoverageStart(
  instant: Instant,
  coverage: WeeklyCoverage,
  timeZone: string,
): Date {
  const ms = epochMs(instant);
  if (isWithinCoverage(ms, coverage, timeZone)) return new Date(ms);
  const today = wallTimeAt(ms, timeZone);
  for (let i = 0; i <= 8; i += 1) {
    const date = addDays(today, i);
    for (const r of rangesOf(coverage, weekdayOf(date))) {
      if (r.start === r.end) continue;
      const opening = zonedInstant(date, r.start, timeZone);
      if (opening.getTime() > ms) return opening;
    }
  }
  // Only malformed ranges: nothing ever opens, so do not hold the escalation back.
  return new Date(ms);
}

/** Minutes an alert may stay unacknowledged before the next contact is told. */
export interface EscalationTiming {
  readonly emergencyMinutes: number;
  readonly urgentMinutes: number;
  /** `null`: routine alerts never escalate. */
  readonly routineMinutes: number | null;
}

export const DEFAULT_ESCALATION_TIMING: EscalationTiming = {
  emergencyMinutes: 15,
  urgentMinutes: 120,
  routineMinutes: null,
};

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
  const due = epochMs(alert.createdAt) + minutes * MINUTE_MS;
  return nextCoverageStart(due, settings.coverage, settings.timeZone);
}
