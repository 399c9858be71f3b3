/**
 * Which database errors mean "the database is away for now" rather than "this request is
 * wrong" (docs/decisions/0800-database-faults.md). Doors answer them with 503 and
 * `Retry-After`; `withTransaction` retries a transaction once when its connection was lost.
 *
 * Recognised by code wherever the driver gives one. `pg` raises a few connection failures as
 * plain `Error`s with no code at all (a socket closed under a query, a client already broken,
 * the pool's connect timeout); those fixed messages are the driver's only signal, so they are
 * listed here, in one place, and nowhere else.
 */

/** PostgreSQL SQLSTATEs of a server going away: admin/crash shutdown, starting up, class 08. */
const PG_SHUTDOWN_CODES = new Set(['57P01', '57P02', '57P03']);

/** Node socket errors of a connection that failed or broke. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** `pg` / `pg-pool` messages that carry no code (pg 8.x). */
const PG_UNCODED_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
];

/** SQLite's "another connection holds the lock" after `busy_timeout` ran out. */
const SQLITE_BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED']);

interface ErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/** The error and what it wraps (`cause`, an AggregateError's `errors`), a bounded walk. */
function* chain(error: unknown): Generator<ErrorLike> {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 10; seen += 1) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null) continue;
    const like = e as ErrorLike;
    yield like;
    if (like.cause !== undefined) queue.push(like.cause);
    if (Array.isArray(like.errors)) queue.push(...(like.errors as unknown[]));
  }
}

/** A PostgreSQL connection was lost or could not be made: the work did not commit. */
export function isConnectionLost(error: unknown): boolean {
  for (const e of chain(error)) {
    if (typeof e.code === 'string') {
      if (PG_SHUTDOWN_CODES.has(e.code) || SOCKET_CODES.has(e.code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(e.code)) return true;
    }
    if (typeof e.message === 'string' && PG_UNCODED_MESSAGES.includes(e.message)) return true;
  }
  return false;
}

/** The database cannot serve right now (connection lost, server starting, file locked). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isConnectionLost(error)) return true;
  for (const e of chain(error)) {
    if (typeof e.code === 'string' && SQLITE_BUSY_CODES.has(e.code)) return true;
  }
  return false;
}

/**
 * A PostgreSQL statement failed on purpose: it cast a text starting with `marker` to a number
 * (SQLSTATE 22P02), the way a statement that finds a guess wrong aborts its transaction
 * (decisions 1438, 1461).
 */
export function isPlannedCastFailure(error: unknown, marker: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === '22P02' &&
    String((error as { message?: unknown }).message).includes(marker)
  );
}
