import type { Locale } from '../../clinical/types.ts';
import { intlTag } from '../shared/i18n.ts';

/**
 * Instants are stored in UTC and shown in the clinic's time zone (DESIGN.md "Time"). These
 * helpers convert both ways for the pages and the `datetime-local` inputs of the forms.
 */

/** `25 Nov 2026, 15:03` in the clinic's zone and the page's language. */
export function formatInstant(iso: string, timeZone: string, locale: Locale): string {
  return new Intl.DateTimeFormat(intlTag(locale), {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function partsIn(date: Date, timeZone: string): Parts {
  const out: Record<string, number> = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The value of a `datetime-local` input showing `date` in `timeZone`: `2026-11-25T15:03`. */
export function toLocalInput(date: Date, timeZone: string): string {
  const p = partsIn(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * The UTC instant of a wall-clock time in `timeZone` (`2026-11-25T15:03` → 14:03Z in Madrid).
 * A time skipped by a DST change resolves forwards; an ambiguous one to its first occurrence.
 * Undefined when the text is not a `YYYY-MM-DDTHH:MM` time.
 */
export function fromLocalInput(text: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const wallOf = (t: number) => {
    const p = partsIn(new Date(t), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  };
  // The zone's offsets a day either side of the time (a DST change lies between at most).
  const before = wallOf(wall - 86_400_000) - (wall - 86_400_000);
  const after = wallOf(wall + 86_400_000) - (wall + 86_400_000);
  const valid = [wall - before, wall - after]
    .filter((t) => wallOf(t) === wall)
    .sort((a, b) => a - b);
  // No valid instant: the time was skipped; the offset before the change moves it forwards.
  return new Date(valid[0] ?? wall - before);
}

/** Hours between two instants, one decimal. */
export function hoursBetween(fromIso: string, to: Date): number {
  return Math.round(((to.getTime() - Date.parse(fromIso)) / 3_600_000) * 10) / 10;
}
