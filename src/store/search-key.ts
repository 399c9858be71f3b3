/**
 * The text a patient search matches against (decision 1310): display name, e-mail and phone,
 * lower-cased, with diacritics stripped (Unicode NFD, combining marks removed), one per line.
 * Queries go through `normaliseForSearch` too, so "LUCIA", "lucia" and "Lucía" meet. Computed in
 * JavaScript rather than SQL because SQLite has no accent folding and PostgreSQL's `unaccent` is
 * an extension a hosted database may not allow.
 */
export function normaliseForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Name, e-mail and phone as typed, then the phone's digits alone (decision 1227), so a number
 * typed without its spaces, or with its country code, finds the patient (`phoneQueryDigits`).
 */
export function searchKeyOf(
  displayName: string,
  email: string | null | undefined,
  phone: string | null | undefined,
): string {
  const lines = [displayName, email ?? '', phone ?? ''].map(normaliseForSearch);
  return [...lines, (phone ?? '').replace(/\D/g, '')].join('\n');
}

/** A query of digits with at most spaces, dots, dashes, brackets and a leading `+`. */
const PHONE_LIKE = /^\+?[\d\s().-]+$/;

/**
 * What a phone-like query matches in the key's digits line: its digits; when they start with a
 * trunk `0` ("07700 900999"), also the rest, which is what follows the country code in a number
 * stored as "+44 7700 900999"; and for ten digits or more, the last nine. Undefined for a query
 * that is not a phone number or has fewer than 4 digits (too short to mean one patient).
 */
export function phoneQueryDigits(query: string): readonly string[] | undefined {
  const q = query.trim();
  if (!PHONE_LIKE.test(q)) return undefined;
  const digits = q.replace(/\D/g, '');
  if (digits.length < 4) return undefined;
  const found = [digits];
  const national = digits.replace(/^0+/, '');
  if (national !== digits && national.length >= 4) found.push(national);
  // "+44 7700 900123" against a stored "07700 900123": the last nine digits are the
  // subscriber's in both, whatever the country code or trunk prefix.
  if (digits.length >= 10) found.push(digits.slice(-9));
  return found;
}
