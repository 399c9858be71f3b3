/**
 * Outbox queries the store's repository does not offer (cancel, redact, dead letters). They
 * touch only the `outbox` table and keep the store's conventions (ISO text instants, camelCase
 * results). Candidates to move into src/store/outbox.repository.ts.
 *
 * A cancelled message is stored as `status = 'sent'` with `sent_at = null` and a `last_error`
 * starting with `cancelled:` — the schema allows only pending/sent/dead, and a cancellation is
 * final but is not a failure an admin must look at (docs/decisions/0500-jobs-outbox-delivery.md).
 */
import { sql } from 'kysely';
import type { Db } from '../store/db.ts';

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

/** Messages that gave up after the attempt limit, newest first, for the clinic's admins. */
export async function listDeadLetters(
  db: Db,
  clinicId: string,
  options: { readonly limit?: number } = {},
): Promise<DeadLetter[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'kind', 'dedupe_key', 'attempts', 'last_error', 'due_at', 'created_at'])
    .where('clinic_id', '=', clinicId)
    .where('status', '=', 'dead')
    .orderBy('due_at', 'desc')
    .orderBy('id')
    .limit(Math.max(0, Math.floor(options.limit ?? 100)))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    dedupeKey: r.dedupe_key,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    lastAttemptAt: r.due_at,
    createdAt: r.created_at,
  }));
}

/** Give a dead message a fresh set of attempts, due now. False when not dead in this clinic. */
export async function requeueDeadLetter(
  db: Db,
  clinicId: string,
  id: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({
      status: 'pending',
      attempts: 0,
      due_at: now.toISOString(),
      claimed_by: null,
      claimed_until: null,
    })
    .where('id', '=', id)
    .where('clinic_id', '=', clinicId)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Cancel a session's pending reminder messages (e-mail and SMS) and blank their payloads.
 * Missed-check-in follow-ups are not touched: stopping reminders does not stop the clinic
 * from calling after needling near the chest. Returns how many were cancelled.
 */
export async function cancelPendingReminders(
  db: Db,
  sessionId: string,
  reason: string,
): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({
      status: 'sent',
      sent_at: null,
      claimed_by: null,
      claimed_until: null,
      last_error: cancellationNote(reason),
      payload_json: JSON.stringify({ sessionId, cancelled: true }),
    })
    .where('status', '=', 'pending')
    .where('kind', 'in', ['reminder.email', 'reminder.sms'])
    .where('dedupe_key', 'like', sql<string>`${likePrefix(`reminder:${sessionId}:`)} escape '\\'`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Replace a finished message's payload (to drop addresses and links once they are used). */
export async function replacePayload(db: Db, id: string, payload: unknown): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ payload_json: JSON.stringify(payload) })
    .where('id', '=', id)
    .where('status', '!=', 'pending')
    .execute();
}

/** The earliest due time of any pending message (for idle waits and simulations). */
export async function nextPendingDueAt(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.min('due_at').as('due'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row?.due ?? undefined;
}

/** Why reminders were cancelled through the patient's stop link. */
export const PATIENT_STOP_REASON = 'reminders stopped by the patient';

/** The `last_error` a cancelled row carries. */
export function cancellationNote(reason: string): string {
  return `cancelled: ${reason}`;
}

export interface ReminderRowState {
  readonly dedupeKey: string;
  readonly status: 'pending' | 'sent' | 'dead';
  /** Null for a cancelled row. */
  readonly sentAt: string | null;
  readonly lastError: string | null;
}

/** The reminder rows already queued for a session (any status). */
export async function listReminderRows(db: Db, sessionId: string): Promise<ReminderRowState[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['dedupe_key', 'status', 'sent_at', 'last_error'])
    .where('kind', 'in', ['reminder.email', 'reminder.sms'])
    .where('dedupe_key', 'like', sql<string>`${likePrefix(`reminder:${sessionId}:`)} escape '\\'`)
    .execute();
  return rows.map((r) => ({
    dedupeKey: r.dedupe_key,
    status: r.status,
    sentAt: r.sent_at,
    lastError: r.last_error,
  }));
}
