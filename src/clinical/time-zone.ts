/**
 * Wall time ↔ instant in an IANA time zone, and formatting in one, for everything that shows or
 * plans clinic-local times: the jobs (quiet hours, coverage), the dashboard (its
 * `datetime-local` inputs and dates), the patient advice ("until Thursday 15:00").
 *
 * Pure: no Node APIs and no clock; every instant comes in as an argument. Time zones go through
 * `Intl` (the ICU data of the runtime), so daylight-saving rules are the platform's own.
 * Instants are stored in UTC; a wall time is what a clock on the clinic's wall reads.
 *
 * Daylight-saving changes (docs/decisions/0631-one-time-zone-module.md):
 * - a wall time that happens twice (clocks go back) resolves to the **first** occurrence;
 * - a wall time that never happens (clocks go forward) resolves to the instant the same distance
 *   after the change, i.e. it reads as just after the jump (02:30 in a 02:00→03:00 gap → 03:30).
 */

/** An instant: a Date, an ISO-8601 string or epoch milliseconds. */
export type Instant = Date | string | number;

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_MS = 86_400_000;

/** A calendar date in some zone (month 1–12). */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A wall-clock reading (hour 0–23). */
export interface WallTime extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export interface LocalDateTime extends WallTime {
  readonly weekday: Weekday;
}

/** Epoch milliseconds of an instant; a RangeError for text that is not one. */
export function epochMs(instant: Instant): number {
  const ms =
    typeof instant === 'string'
      ? Date.parse(instant)
      : typeof instant === 'number'
        ? instant
        : instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return ms;
}

/**
 * One formatter per zone for reading wall clocks: building an `Intl.DateTimeFormat` costs far
 * more than using one, and the jobs read wall clocks in loops. A memo, not state: the same zone
 * always gives an equal formatter.
 */
const wallReaders = new Map<string, Intl.DateTimeFormat>();

function wallReader(timeZone: string): Intl.DateTimeFormat {
  let reader = wallReaders.get(timeZone);
  if (reader === undefined) {
    reader = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallReaders.set(timeZone, reader);
  }
  return reader;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    wallReader(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading in `timeZone` at `instant` (to the second). */
export function wallTimeAt(instant: Instant, timeZone: string): LocalDateTime {
  const parts = wallReader(timeZone).formatToParts(new Date(epochMs(instant)));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  const date = { year: get('year'), month: get('month'), day: get('day') };
  return {
    ...date,
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
    weekday: weekdayOf(date),
  };
}

/** A wall time as if it were UTC, in ms: the arithmetic form of a wall time. */
function wallMs(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** UTC offset of `timeZone` at `ms`, in ms (east positive). */
export function offsetAt(instant: Instant, timeZone: string): number {
  const ms = epochMs(instant);
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return wallMs(wallTimeAt(whole, timeZone)) - whole;
}

/**
 * The instant at which the wall clock in `timeZone` reads `wall`. Fields may overflow
 * (`hour: 24` is midnight of the next day, `minute: 90` is 01:30), as with `Date.UTC`.
 * Daylight-saving gaps and overlaps resolve as the module comment says.
 */
export function instantAt(
  wall: LocalDate & { readonly hour?: number; readonly minute?: number; readonly second?: number },
  timeZone: string,
): Date {
  const naive = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour ?? 0,
    wall.minute ?? 0,
    wall.second ?? 0,
  );
  // The zone's offsets a day either side: a daylight-saving change lies between at most.
  const before = offsetAt(naive - DAY_MS, timeZone);
  const after = offsetAt(naive + DAY_MS, timeZone);
  const valid = [naive - before, naive - after]
    .filter((t) => wallMs(wallTimeAt(t, timeZone)) === naive)
    .sort((a, b) => a - b);
  // No valid instant: the wall time was skipped; the offset before the change moves it forwards.
  return new Date(valid[0] ?? naive - before);
}

export function weekdayOf(date: LocalDate): Weekday {
  return WEEKDAYS[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()] ?? 'sun';
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The `YYYY-MM-DDTHH:MM` text of `instant` in `timeZone` (an HTML `datetime-local` value). */
export function formatWallTimeInput(instant: Instant, timeZone: string): string {
  const w = wallTimeAt(instant, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/**
 * Read a `YYYY-MM-DDTHH:MM[:SS]` wall time (an HTML `datetime-local` value). Undefined when the
 * text is not one or names no real calendar date (31 April, 25:00).
 */
export function parseWallTimeInput(text: string): WallTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const check = addDays({ year, month, day }, 0);
  if (check.year !== year || check.month !== month || check.day !== day) return undefined;
  return { year, month, day, hour, minute, second };
}

/** How an instant is written for people. */
export type InstantStyle =
  /** `25 Nov 2026, 15:03` — the dashboard's lists. */
  | 'date-time'
  /** `Wed 25 Nov, 15:03` — messages to staff and patients. */
  | 'short-weekday-date-time'
  /** `Wednesday 25 November, 15:03` — the patient pages. */
  | 'weekday-date-time'
  /** `25 November`, `25 de noviembre` — a date inside a sentence (with `weekdayAndTime`). */
  | 'day-month';

const STYLES: Readonly<Record<InstantStyle, Intl.DateTimeFormatOptions>> = {
  'date-time': {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
  'short-weekday-date-time': {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
  'weekday-date-time': {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
  'day-month': { day: 'numeric', month: 'long' },
};

const WEEKDAY_TIME: Intl.DateTimeFormatOptions = {
  weekday: 'long',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

/**
 * Formatters kept by language, zone and style. Each `Intl.DateTimeFormat` holds ~12 KB of ICU
 * memory outside the JavaScript heap, which V8 neither counts nor hurries to free: built once
 * per message or page line, they grew a busy `serve` to 1.2 GB of resident memory (issue 14,
 * decision 1412). Building one also costs ~35 times what formatting with it does. A memo, not
 * state: equal arguments always give an equal formatter. Bounded, because the zone of a
 * malformed outbox row is whatever the row says.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 512;

function formatter(
  intlLocale: string,
  timeZone: string,
  style: InstantStyle | 'weekday-time',
): Intl.DateTimeFormat {
  const key = `${style}|${intlLocale}|${timeZone}`;
  let found = formatters.get(key);
  if (found === undefined) {
    const options = style === 'weekday-time' ? WEEKDAY_TIME : STYLES[style];
    found = new Intl.DateTimeFormat(intlLocale, { timeZone, ...options });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(key, found);
  }
  return found;
}

/** `instant` as people in `timeZone` read it, in the language `intlLocale` (a BCP 47 tag). */
export function formatInstant(
  instant: Instant,
  timeZone: string,
  intlLocale: string,
  style: InstantStyle,
): string {
  return formatter(intlLocale, timeZone, style).format(new Date(epochMs(instant)));
}

/** The weekday name and 24-hour time of `instant` in `timeZone`: `Thursday`, `15:00`. */
export function weekdayAndTime(
  instant: Instant,
  timeZone: string,
  intlLocale: string,
): { readonly weekday: string; readonly time: string } {
  const parts = formatter(intlLocale, timeZone, 'weekday-time').formatToParts(
    new Date(epochMs(instant)),
  );
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: get('weekday'), time: `${get('hour')}:${get('minute')}` };
}
