import { randomUUID } from 'node:crypto';

/**
 * A UUID whose first 48 bits are the time in milliseconds (RFC 9562 version 7), the rest random
 * as in `randomUUID`: for rows written at high rates (check-ins, assessments, audit events).
 * New ids then sort after older ones, so their unique indexes (and the audit subject index)
 * take each new key on the rightmost leaf instead of on a random page: a group of check-ins
 * touches a handful of index pages instead of one per key, and SQLite's WAL writes and fsyncs
 * that much less per commit (decision 1416). Ids stay opaque to every reader: nothing orders by
 * them, and ties within a millisecond are random.
 */
export function timeOrderedId(now = Date.now()): string {
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0');
  // randomUUID: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx; keep from the version digit's end.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
