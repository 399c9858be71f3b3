import { randomUUID } from 'node:crypto';
import type { SelectQueryBuilder } from 'kysely';
import { type InstantInput, parseJson, toIso, toJson } from './codec.ts';
import { type Db, dialectOf, withTransaction } from './db.ts';
import type { Database, OutboxRow } from './schema.ts';

export type OutboxStatus = 'pending' | 'sent' | 'dead';

/** A message to deliver after commit (reminder, alert e-mail, webhook). */
export interface OutboxMessage {
  readonly id: string;
  readonly clinicId: string | null;
  readonly kind: string;
  readonly dedupeKey: string;
  readonly payload: unknown;
  readonly dueAt: string;
  readonly status: OutboxStatus;
  /** Claims so far, including the current one. */
  readonly attempts: number;
  readonly claimedBy: string | null;
  readonly claimedUntil: string | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

export interface NewOutboxMessage {
  readonly id?: string;
  readonly clinicId: string | null;
  readonly kind: string;
  /** Unique: enqueueing the same key twice keeps the first message only. */
  readonly dedupeKey: string;
  readonly payload: unknown;
  readonly dueAt: InstantInput;
  readonly createdAt: InstantInput;
}

export interface ClaimOptions {
  readonly now: InstantInput;
  readonly workerId: string;
  readonly limit: number;
  /** How long the claim holds; after it, another worker may take the message again. */
  readonly leaseMs: number;
}

function toMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    clinicId: row.clinic_id,
    kind: row.kind,
    dedupeKey: row.dedupe_key,
    payload: parseJson<unknown>(row.payload_json),
    dueAt: row.due_at,
    status: row.status,
    attempts: row.attempts,
    claimedBy: row.claimed_by,
    claimedUntil: row.claimed_until,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

/**
 * Queue a message, normally in the transaction of the write that causes it. Returns false when
 * a message with the same `dedupeKey` exists (retries and replays stay single).
 */
export async function enqueueOutbox(db: Db, msg: NewOutboxMessage): Promise<boolean> {
  const row = await db
    .insertInto('outbox')
    .values({
      id: msg.id ?? randomUUID(),
      clinic_id: msg.clinicId,
      kind: msg.kind,
      dedupe_key: msg.dedupeKey,
      payload_json: toJson(msg.payload),
      due_at: toIso(msg.dueAt),
      status: 'pending',
      attempts: 0,
      claimed_by: null,
      claimed_until: null,
      last_error: null,
      created_at: toIso(msg.createdAt),
      sent_at: null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Claim up to `limit` due, pending, unclaimed (or lease-expired) messages for `workerId`, in
 * due order, incrementing `attempts`.
 * - PostgreSQL: in one transaction, select the ids `FOR UPDATE SKIP LOCKED`, then update them,
 *   so concurrent workers never claim the same row nor wait on each other. (Two statements on
 *   purpose: as an `in (select … limit)` subquery the planner may re-run the locking select
 *   and claim more rows than `limit`, or rows another worker just took.)
 * - SQLite: one `update … where id in (select … limit) returning` statement, which holds the
 *   database write lock for its whole run.
 */
export async function claimDueOutbox(db: Db, options: ClaimOptions): Promise<OutboxMessage[]> {
  const now = toIso(options.now);
  const claimedUntil = new Date(Date.parse(now) + options.leaseMs).toISOString();
  const limit = Math.max(0, Math.floor(options.limit));
  if (limit === 0) return [];

  const claim = (trx: Db) =>
    trx.updateTable('outbox').set((eb) => ({
      claimed_by: options.workerId,
      claimed_until: claimedUntil,
      attempts: eb('attempts', '+', 1),
    }));

  let rows: OutboxRow[];
  if (dialectOf(db) === 'postgres') {
    rows = await withTransaction(db, async (trx) => {
      const due = await dueIds(trx.selectFrom('outbox'), now, limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      const ids = due.map((r) => r.id);
      return claim(trx)
        .where('status', '=', 'pending')
        .where('id', 'in', ids)
        .returningAll()
        .execute();
    });
  } else {
    // One statement under SQLite's write lock: the subquery's rows are pending when updated.
    // No second `status` filter here, so the update finds its rows by primary key instead of
    // walking every pending row of the (status, due_at) index (issue 14, docs/performance.md).
    rows = await claim(db)
      .where('id', 'in', (eb) => dueIds(eb.selectFrom('outbox'), now, limit))
      .returningAll()
      .execute();
  }
  return rows
    .map(toMessage)
    .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : 1));
}

function dueIds(from: SelectQueryBuilder<Database, 'outbox', object>, now: string, limit: number) {
  return from
    .select('id')
    .where('status', '=', 'pending')
    .where('due_at', '<=', now)
    .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<=', now)]))
    .orderBy('due_at')
    .orderBy('id')
    .limit(limit);
}

/**
 * A message in a worker's hands: its id and the worker that claimed it. Finishing or renewing
 * touches the row only while it is still claimed by that worker, so a worker whose lease ran
 * out (and whose message another worker took) can no longer finish it (issue 9).
 */
export interface OutboxClaim {
  readonly id: string;
  readonly workerId: string;
}

/**
 * Delivered, or found not needed when it came due (`skipped`, e.g. the patient had answered
 * already): final either way. A skip keeps its reason as `skipped: …` in `last_error`, so the
 * pages can say it did not go (the way a cancellation says `cancelled: …`). False when the
 * message is no longer pending or no longer ours.
 */
export async function markOutboxSent(
  db: Db,
  claim: OutboxClaim,
  at: InstantInput,
  skipped?: string,
): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({
      status: 'sent',
      sent_at: toIso(at),
      claimed_until: null,
      last_error: skipped === undefined ? null : skipNote(skipped),
    })
    .where('id', '=', claim.id)
    .where('claimed_by', '=', claim.workerId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Delivery failed: record the error and release the claim, either for a retry at `nextDueAt`
 * or, when `dead`, for good (the caller decides from `attempts`). False when the message is no
 * longer pending or no longer ours.
 */
export async function markOutboxFailed(
  db: Db,
  claim: OutboxClaim,
  error: string,
  nextDueAt: InstantInput,
  dead: boolean,
): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({
      status: dead ? 'dead' : 'pending',
      last_error: error.slice(0, 2000),
      due_at: toIso(nextDueAt),
      claimed_by: null,
      claimed_until: null,
    })
    .where('id', '=', claim.id)
    .where('claimed_by', '=', claim.workerId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Extend the lease of messages `workerId` still holds to `until` (a worker renews while it
 * works, so a short lease never expires under a live worker). Returns how many it renewed.
 */
export async function renewOutboxClaims(
  db: Db,
  workerId: string,
  ids: readonly string[],
  until: InstantInput,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('outbox')
    .set({ claimed_until: toIso(until) })
    .where('id', 'in', [...ids])
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Housekeeping: delete finished messages (delivered, or cancelled) older than `before`.
 * Pending and dead messages stay: dead letters wait for an admin.
 */
export async function deleteFinishedOutboxBefore(db: Db, before: InstantInput): Promise<number> {
  const at = toIso(before);
  const result = await db
    .deleteFrom('outbox')
    .where('status', '=', 'sent')
    .where((w) =>
      w.or([w('sent_at', '<', at), w.and([w('sent_at', 'is', null), w('created_at', '<', at)])]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function findOutboxMessage(db: Db, id: string): Promise<OutboxMessage | undefined> {
  const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toMessage(row);
}

/** The `last_error` of a message finished without going out because it was not needed. */
export function skipNote(reason: string): string {
  return `skipped: ${reason}`;
}
