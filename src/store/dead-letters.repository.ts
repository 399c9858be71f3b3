/**
 * Dead letters: outbox messages that gave up after the attempt limit (or failed for good).
 * Admins list and requeue them through src/services/dead-letters.ts. Clinic-scoped like every
 * read by id of clinic data.
 */
import { type InstantInput, toIso } from './codec.ts';
import type { Db } from './db.ts';

export interface DeadLetter {
  readonly id: string;
  readonly kind: string;
  readonly dedupeKey: string;
  readonly attempts: number;
  /** Why the last attempt failed (never patient data: errors are scrubbed before storing). */
  readonly lastError: string | null;
  /** When the last attempt was made (the row's due time when it died). */
  readonly lastAttemptAt: string;
  readonly createdAt: string;
}

const COLUMNS = [
  'id',
  'kind',
  'dedupe_key',
  'attempts',
  'last_error',
  'due_at',
  'created_at',
] as const;

function toDeadLetter(r: {
  id: string;
  kind: string;
  dedupe_key: string;
  attempts: number | string;
  last_error: string | null;
  due_at: string;
  created_at: string;
}): DeadLetter {
  return {
    id: r.id,
    kind: r.kind,
    dedupeKey: r.dedupe_key,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    lastAttemptAt: r.due_at,
    createdAt: r.created_at,
  };
}

/** Messages that gave up, newest first. */
export async function listDeadLetters(
  db: Db,
  clinicId: string,
  options: { readonly limit?: number } = {},
): Promise<DeadLetter[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(COLUMNS)
    .where('clinic_id', '=', clinicId)
    .where('status', '=', 'dead')
    .orderBy('due_at', 'desc')
    .orderBy('id')
    .limit(Math.max(0, Math.floor(options.limit ?? 100)))
    .execute();
  return rows.map(toDeadLetter);
}

/**
 * Messages still being tried that have failed at least once since they were (re)queued, the
 * next try soonest first: `lastAttemptAt` is then when the next try is due. An admin sees
 * that e-mail is failing before the messages give up (decision 1226).
 */
export async function listFailingMessages(
  db: Db,
  clinicId: string,
  options: { readonly limit?: number } = {},
): Promise<{ readonly total: number; readonly items: DeadLetter[] }> {
  const failing = () =>
    db
      .selectFrom('outbox')
      .where('clinic_id', '=', clinicId)
      .where('status', '=', 'pending')
      .where('attempts', '>', 0)
      .where('last_error', 'is not', null);
  const rows = await failing()
    .select(COLUMNS)
    .orderBy('due_at')
    .orderBy('id')
    .limit(Math.max(0, Math.floor(options.limit ?? 100)))
    .execute();
  const count = await failing()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return {
    total: Number(count?.n ?? 0),
    items: rows.map(toDeadLetter),
  };
}

/** How many dead letters the clinic has. */
export async function countDeadLetters(db: Db, clinicId: string): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('clinic_id', '=', clinicId)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * The badge on the admin pages: messages not delivered, whether they gave up or are failing
 * and still being tried (decision 1226).
 */
export async function countUndelivered(db: Db, clinicId: string): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('clinic_id', '=', clinicId)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'dead'),
        eb.and([
          eb('status', '=', 'pending'),
          eb('attempts', '>', 0),
          eb('last_error', 'is not', null),
        ]),
      ]),
    )
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Give dead messages a fresh set of attempts, due `now`: one (`id`) or all of the clinic's.
 * Returns the ids requeued (empty when none was dead in this clinic).
 */
export async function requeueDeadLetters(
  db: Db,
  clinicId: string,
  now: InstantInput,
  id?: string,
): Promise<string[]> {
  let query = db
    .updateTable('outbox')
    .set({
      status: 'pending',
      attempts: 0,
      due_at: toIso(now),
      claimed_by: null,
      claimed_until: null,
    })
    .where('clinic_id', '=', clinicId)
    .where('status', '=', 'dead');
  if (id !== undefined) query = query.where('id', '=', id);
  const rows = await query.returning('id').execute();
  return rows.map((r) => r.id).sort();
}
