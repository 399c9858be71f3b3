/**
 * Outbox queries the store's repository does not offer (cancel, redact). Dead letters moved to
 * src/store/dead-letters.repository.ts, behind src/services/dead-letters.ts. They
 * touch only the `outbox` table and keep the store's conventions (ISO text instants, camelCase
 * results). Candidates to move into src/store/outbox.repository.ts.
 *
 * A cancelled message is stored as `status = 'sent'` with `sent_at = null` and a `last_error`
 * starting with `cancelled:` — the schema allows only pending/sent/dead, and a cancellation is
 * final but is not a failure an admin must look at (docs/decisions/0500-jobs-outbox-delivery.md).
 * A message the worker found not needed when it came due is `sent` with its `sent_at` and a
 * `last_error` starting with `skipped:` (`markOutboxSent`; decision 0503).
 */
import { sql } from 'kysely';
import type { Db } from '../store/db.ts';

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

/**
 * Cancel the pending reminders of a session that were queued for one patient link (their payload
 * names it: `linkId`). Rows without a `linkId` (queued before it was recorded) are left alone.
 */
export async function cancelPendingRemindersOfLink(
  db: Db,
  sessionId: string,
  linkId: string,
  reason: string,
): Promise<number> {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'payload_json'])
    .where('status', '=', 'pending')
    .where('kind', 'in', ['reminder.email', 'reminder.sms'])
    .where('dedupe_key', 'like', sql<string>`${likePrefix(`reminder:${sessionId}:`)} escape '\\'`)
    .execute();
  const ids = rows
    .filter((r) => (JSON.parse(r.payload_json) as { linkId?: unknown }).linkId === linkId)
    .map((r) => r.id);
  if (ids.length === 0) return 0;
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
    .where('id', 'in', ids)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
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
