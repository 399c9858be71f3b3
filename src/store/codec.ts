/**
 * Row ↔ domain conversions shared by the repositories (docs/decisions/0100).
 * Nothing outside src/store needs these.
 */

/** An instant given by a caller: a Date or any string `Date` parses. */
export type InstantInput = Date | string;

/**
 * The last instant `toIso` wrote, and its text. V8 formats a date with the C library's
 * `snprintf` (~7,500 instructions a call under callgrind); a check-in stores one instant up to
 * three times (its row, its assessment, its audit event), and a group's check-ins share a few
 * milliseconds. An invalid date is never kept: its time is NaN, and `toISOString` throws.
 */
let lastIsoTime = Number.NaN;
let lastIso = '';

/**
 * Normalise an instant to the stored form (`2026-11-25T14:03:00.000Z`). Stored instants
 * compare correctly as text only when every one has this exact shape.
 * @throws RangeError when the input is not a valid instant.
 */
export function toIso(instant: InstantInput): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  const time = date.getTime();
  if (time !== lastIsoTime) {
    lastIso = date.toISOString();
    lastIsoTime = time;
  }
  return lastIso;
}

export function toIsoOrNull(instant: InstantInput | null | undefined): string | null {
  return instant == null ? null : toIso(instant);
}

export function toIntBool(value: boolean): number {
  return value ? 1 : 0;
}

export function fromIntBool(value: number | boolean): boolean {
  return value === true || value === 1;
}

/** Parse a JSON column written by this layer. Trusted: the store wrote it. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Recursively key-sorted JSON, so equal values always give equal text (hashing, audit). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

/** Kysely returns bigint counts for some drivers; callers want a number. */
export function toCount(value: bigint | number | string | undefined): number {
  return value === undefined ? 0 : Number(value);
}
