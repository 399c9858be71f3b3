import {
  formatInstant as formatInZone,
  formatWallTimeInput,
  instantAt,
  parseWallTimeInput,
} from '../../clinical/time-zone.ts';
import type { Locale } from '../../clinical/types.ts';
import { intlTag } from '../../i18n/catalogue.ts';

/**
 * Instants are stored in UTC and shown in the clinic's time zone (docs/design.md "Time"). The
 * conversions are the clinical core's (src/clinical/time-zone.ts); these name them for the
 * pages and the `datetime-local` inputs of the forms.
 */

/** `25 Nov 2026, 15:03` in the clinic's zone and the page's language. */
export function formatInstant(iso: string, timeZone: string, locale: Locale): string {
  return formatInZone(iso, timeZone, intlTag(locale), 'date-time');
}

/** The value of a `datetime-local` input showing `date` in `timeZone`: `2026-11-25T15:03`. */
export function toLocalInput(date: Date, timeZone: string): string {
  return formatWallTimeInput(date, timeZone);
}

/**
 * The UTC instant of a wall-clock time in `timeZone` (`2026-11-25T15:03` → 14:03Z in Madrid).
 * A time skipped by a DST change resolves forwards; an ambiguous one to its first occurrence.
 * Undefined when the text is not a `YYYY-MM-DDTHH:MM` time.
 */
export function fromLocalInput(text: string, timeZone: string): Date | undefined {
  const wall = parseWallTimeInput(text);
  return wall === undefined ? undefined : instantAt(wall, timeZone);
}

/** Hours between two instants, one decimal. */
export function hoursBetween(fromIso: string, to: Date): number {
  return Math.round(((to.getTime() - Date.parse(fromIso)) / 3_600_000) * 10) / 10;
}
