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

export function searchKeyOf(
  displayName: string,
  email: string | null | undefined,
  phone: string | null | undefined,
): string {
  return [displayName, email ?? '', phone ?? ''].map(normaliseForSearch).join('\n');
}
