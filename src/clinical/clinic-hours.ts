/**
 * Clinic hours, pure: clinic-local wall time, weekly coverage ("is someone on duty?") and
 * whether the clinic is open now. No I/O and no clock: every instant comes in as an argument.
 * Wall time ↔ instant comes from the one time-zone module (time-zone.ts). Used by the jobs (escalation,
 * quiet hours) and by the patient answer page ("the clinic is closed now").
 */

import {
  addDays,
  epochMs,
  type Instant,
  instantAt,
  type LocalDate,
  type LocalDateTime,
  type Weekday,
  wallTimeAt,
  weekdayOf,
} from './time-zone.ts';

/** `[start, end]` as local `HH:MM` in the clinic's time zone. */
export type TimeRange = readonly [string, string];
/** Staffed hours per weekday; a missing day means no cover. */
export type WeeklyCoverage = Readonly<Partial<Record<Weekday, readonly TimeRange[]>>>;

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

export function minutesOfDay(l: LocalDateTime): number {
  return l.hour * 60 + l.minute + l.second / 60;
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

/** Whether a clinic is staffed now; when not, its next opening. */
export interface ClinicOpenStatus {
  readonly open: boolean;
  /** Next opening (ISO-8601 UTC) when closed. */
  readonly opensAt?: string;
}

/**
 * Is the clinic staffed at `now` (its coverage hours, in its time zone)? When not, `opensAt`
 * is the next opening, for the patient's answer page ("the clinic is closed now; …"). A clinic
 * without configured coverage counts as always open.
 */
export function clinicIsOpen(
  clinic: { readonly coverage: WeeklyCoverage; readonly timeZone: string },
  now: Date,
): ClinicOpenStatus {
  if (isWithinCoverage(now, clinic.coverage, clinic.timeZone)) return { open: true };
  const opens = nextCoverageStart(now, clinic.coverage, clinic.timeZone);
  return opens.getTime() > now.getTime()
    ? { open: false, opensAt: opens.toISOString() }
    : { open: false };
}
