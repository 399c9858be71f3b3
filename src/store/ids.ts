import { randomUUID } from 'node:crypto';

/**
 * The last time `timeOrderedId` was given, and the first 15 characters of its ids. V8 writes a
 * number in hexadecimal with a floating-point remainder per digit (~2,400 instructions a call
 * under callgrind); a group's ids share a handful of milliseconds, so each prefix is made once.
 */
let lastTime = Number.NaN;
let lastPrefix = '';

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
  if (now !== lastTime) {
    const time = now.toString(16).padStart(12, '0');
    lastPrefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    lastTime = now;
  }
  // randomUUID: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx; keep from the version digit's end.
  return lastPrefix + randomUUID().slice(15);
}
