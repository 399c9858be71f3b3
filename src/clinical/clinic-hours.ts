/**
 * Clinic hours, pure: clinic-local wall time, weekly coverage ("is someone on duty?") and
 * whether the clinic is open now. No I/O and no clock: every instant comes in as an argument.
 * Time zones go through `Intl` (the ICU data the platform ships), so daylight-saving changes
 * are handled by the same tables the rest of the platform uses. Used by the jobs (escalation,
 * quiet hours) and by the patient answer page ("the clinic is closed now").
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** `[start, end]` as local `HH:MM` in the clinic's time zone. */
export type TimeRange = readonly [string, string];
/** Staffed hours per weekday; a missing day means no cover. */
export type WeeklyCoverage = Readonly<Partial<Record<Weekday, readonly TimeRange[]>>>;

const DAY_MS = 86_400_000;
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** An instant: a Date, an ISO-8601 string or epoch milliseconds. */
export type Instant = Date | string | number;

/** A calendar date in some zone (month 1–12). */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export interface LocalDateTime extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: Weekday;
}

/** Epoch milliseconds of an instant; throws on an unparseable one. */
export function toMs(instant: Instant): number {
  const ms =
    typeof instant === 'string'
      ? Date.parse(instant)
      : typeof instant === 'number'
        ? instant
        : instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return ms;
}

/** The wall-clock reading in `timeZone` at `instant`. */
export function localDateTime(instant: Instant, timeZone: string): LocalDateTime {
  const ms = toMs(instant);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  const year = get('year');
  const month = get('month');
  const day = get('day');
  return {
    year,
    month,
    day,
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
    weekday: weekdayOf({ year, month, day }),
  };
}

/** UTC offset of `timeZone` at `ms`, in ms (east positive). */
function offsetAt(ms: number, timeZone: string): number {
  const l = localDateTime(ms - (ms % 1000), timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - (ms - (ms % 1000));
}

export function weekdayOf(date: LocalDate): Weekday {
  return WEEKDAYS[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()] ?? 'sun';
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * The instant at which the wall clock in `timeZone` reads `date` `minutes` (minutes after local
 * midnight). DST: a wall time that happens twice (autumn) gives the first; one that never
 * happens (spring gap) gives the instant the same distance after the gap's start, i.e. the
 * clock reading just after the jump (02:30 in a 02:00→03:00 gap becomes 03:30).
 */
export function zonedInstant(date: LocalDate, minutes: number, timeZone: string): Date {
  const naive = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const before = offsetAt(naive - DAY_MS, timeZone);
  const after = offsetAt(naive + DAY_MS, timeZone);
  const wantH = Math.floor(minutes / 60) % 24;
  const wantDate = minutes >= 1440 ? addDays(date, Math.floor(minutes / 1440)) : date;
  const valid = [...new Set([before, after])]
    .map((offset) => naive - offset)
    .filter((t) => {
      const l = localDateTime(t, timeZone);
      return (
        l.year === wantDate.year &&
        l.month === wantDate.month &&
        l.day === wantDate.day &&
        l.hour === wantH &&
        l.minute === minutes % 60
      );
    })
    .sort((a, b) => a - b);
  return new Date(valid[0] ?? naive - before);
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
  const local = localDateTime(instant, timeZone);
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
  const ms = toMs(instant);
  if (isWithinCoverage(ms, coverage, timeZone)) return new Date(ms);
  const today = localDateTime(ms, timeZone);
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

/** `Mon 08:00`-style local label, for messages (language-neutral digits). */
export function formatLocal(instant: Instant, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(toMs(instant)));
}
