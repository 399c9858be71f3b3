/**
 * Housekeeping the worker runs on a schedule (issue 9): rows that only grow and whose use has
 * passed. Expired staff sessions can never sign anyone in again; idempotency records only
 * matter while a client may still retry; delivered (or cancelled) outbox messages are history;
 * a FHIR bulk export's files are kept only until it expires (decision 0903); a CDS Hooks JWT's
 * `jti` only while the token could still be accepted (decision 0911).
 * Dead letters and pending messages are never pruned.
 */
import { type Db, withTransaction } from '../store/db.ts';
import { deleteIdempotencyKeysBefore } from '../store/idempotency.repository.ts';
import { deleteExpiredCdsJwtIds, deleteExpiredFhirExports } from '../store/interop.repository.ts';
import { deleteFinishedOutboxBefore } from '../store/outbox.repository.ts';
import { deleteExpiredStaffSessions } from '../store/staff.repository.ts';

const DAY_MS = 86_400_000;

export interface RetentionConfig {
  /** How often the worker prunes (default hourly). */
  readonly everyMs: number;
  /**
   * Idempotency records older than this are forgotten (default 7 days: a check-in form left
   * open over a weekend and sent twice is still stored once).
   */
  readonly idempotencyMs: number;
  /** Delivered or cancelled outbox messages older than this are deleted (default 30 days). */
  readonly deliveredOutboxMs: number;
}

export const DEFAULT_RETENTION: RetentionConfig = {
  everyMs: 3_600_000,
  idempotencyMs: 7 * DAY_MS,
  deliveredOutboxMs: 30 * DAY_MS,
};

export interface PruneCounts {
  readonly staffSessions: number;
  readonly idempotencyKeys: number;
  readonly outboxMessages: number;
  /** Bulk `$export` results past their expiry, with their NDJSON files. */
  readonly fhirExports: number;
  /** `jti`s of CDS Hooks JWTs that have expired. */
  readonly cdsJwtIds: number;
}

/** Delete what has expired as of `now`; each kind in its own short statement. */
export async function pruneExpired(
  db: Db,
  now: Date,
  retention: Partial<RetentionConfig> = {},
): Promise<PruneCounts> {
  const r = { ...DEFAULT_RETENTION, ...retention };
  const staffSessions = await deleteExpiredStaffSessions(db, now);
  const idempotencyKeys = await deleteIdempotencyKeysBefore(
    db,
    new Date(now.getTime() - r.idempotencyMs),
  );
  const outboxMessages = await deleteFinishedOutboxBefore(
    db,
    new Date(now.getTime() - r.deliveredOutboxMs),
  );
  const fhirExports = await withTransaction(db, (trx) => deleteExpiredFhirExports(trx, now));
  const cdsJwtIds = await deleteExpiredCdsJwtIds(db, now);
  return { staffSessions, idempotencyKeys, outboxMessages, fhirExports, cdsJwtIds };
}
