/**
 * Whole-patient reads and writes for the data-ownership use cases (decisions 1311–1313): the
 * messages sent to a patient, erasure of their personal data, and who has passed a clinic's
 * retention period. Decides nothing: the services say who may and when.
 */
import { type InstantInput, parseJson, toIso, toJson } from './codec.ts';
import type { Db } from './db.ts';
import type { OutboxStatus } from './outbox.repository.ts';

/** Outbox kinds addressed to the patient (alert kinds go to staff). */
const PATIENT_KINDS = ['reminder.email', 'reminder.sms'] as const;

/** One message to the patient as the dashboard may show it: no address, no link token. */
export interface PatientMessage {
  readonly id: string;
  readonly sessionId: string;
  readonly kind: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly failed: boolean;
  /**
   * Cancelled before it went (a new link replaced the one it carried, or the patient stopped
   * reminders): stored as `sent` with no `sentAt` (src/jobs/outbox-queries.ts), never sent.
   */
  readonly cancelled: boolean;
  /**
   * Not sent when it came due because it was not needed (the patient had answered already, or
   * the session's links no longer worked): `sent` with a `skipped: …` note (decision 0503).
   */
  readonly skipped: boolean;
  readonly dueAt: string;
  readonly sentAt: string | null;
}

function sessionIdOf(payloadJson: string): string | undefined {
  const payload = parseJson<unknown>(payloadJson);
  if (typeof payload !== 'object' || payload === null) return undefined;
  const id = (payload as Record<string, unknown>).sessionId;
  return typeof id === 'string' ? id : undefined;
}

async function patientOutboxRows(db: Db, clinicId: string, sessionIds: readonly string[]) {
  if (sessionIds.length === 0) return [];
  const wanted = new Set(sessionIds);
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'kind', 'status', 'attempts', 'last_error', 'due_at', 'sent_at', 'payload_json'])
    .where('clinic_id', '=', clinicId)
    .where('kind', 'in', PATIENT_KINDS)
    .orderBy('due_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.flatMap((row) => {
    const sessionId = sessionIdOf(row.payload_json);
    return sessionId !== undefined && wanted.has(sessionId) ? [{ ...row, sessionId }] : [];
  });
}

/** The reminders sent or due to a patient's sessions, newest first. */
export async function listPatientMessages(
  db: Db,
  clinicId: string,
  sessionIds: readonly string[],
): Promise<PatientMessage[]> {
  const rows = await patientOutboxRows(db, clinicId, sessionIds);
  return rows.map((row) => {
    const cancelled = row.status === 'sent' && row.sent_at === null;
    const skipped = row.status === 'sent' && (row.last_error?.startsWith('skipped:') ?? false);
    return {
      id: row.id,
      sessionId: row.sessionId,
      kind: row.kind,
      status: row.status,
      attempts: row.attempts,
      failed: row.last_error !== null && !cancelled && !skipped,
      cancelled,
      skipped,
      dueAt: row.due_at,
      sentAt: row.sent_at,
    };
  });
}

export interface ErasureCounts {
  readonly sessions: number;
  readonly checkIns: number;
  readonly alerts: number;
  readonly linksRevoked: number;
  readonly messagesCancelled: number;
  readonly messagesRedacted: number;
}

/** What an erased patient is called from then on. */
export const ERASED_NAME = '—';

/**
 * Remove a patient's personal data in one go (call inside a transaction): name and contacts
 * replaced, free text (session notes, check-in notes, alert resolution notes) emptied, links
 * revoked, pending reminders deleted and delivered ones stripped to their session id, replayable
 * responses that may repeat the patient's details dropped. Rows and their clinical columns stay,
 * so the adverse-event register keeps counting them.
 */
export async function erasePatientData(
  db: Db,
  clinicId: string,
  patientId: string,
  at: InstantInput,
): Promise<ErasureCounts> {
  const when = toIso(at);
  await db
    .updateTable('patients')
    .set({ display_name: ERASED_NAME, email: null, phone: null, search_key: '', erased_at: when })
    .where('clinic_id', '=', clinicId)
    .where('id', '=', patientId)
    .execute();
  const sessionIds = (
    await db
      .selectFrom('needling_sessions')
      .select('id')
      .where('clinic_id', '=', clinicId)
      .where('patient_id', '=', patientId)
      .execute()
  ).map((r) => r.id);
  let checkIns = 0;
  let linksRevoked = 0;
  if (sessionIds.length > 0) {
    await db
      .updateTable('needling_sessions')
      .set({ notes: null })
      .where('id', 'in', sessionIds)
      .execute();
    const notes = await db
      .updateTable('check_ins')
      .set({ note: null })
      .where('session_id', 'in', sessionIds)
      .executeTakeFirst();
    checkIns = Number(notes.numUpdatedRows);
    const links = await db
      .updateTable('patient_links')
      .set({ revoked_at: when })
      .where('session_id', 'in', sessionIds)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    linksRevoked = Number(links.numUpdatedRows);
  }
  const alerts = await db
    .updateTable('alerts')
    .set({ resolution_note: null })
    .where('clinic_id', '=', clinicId)
    .where('patient_id', '=', patientId)
    .executeTakeFirst();
  let messagesCancelled = 0;
  let messagesRedacted = 0;
  for (const row of await patientOutboxRows(db, clinicId, sessionIds)) {
    if (row.status === 'pending') {
      await db.deleteFrom('outbox').where('id', '=', row.id).execute();
      messagesCancelled += 1;
    } else {
      await db
        .updateTable('outbox')
        .set({ payload_json: toJson({ sessionId: row.sessionId, erased: true }), last_error: null })
        .where('id', '=', row.id)
        .execute();
      messagesRedacted += 1;
    }
  }
  await db
    .deleteFrom('idempotency_keys')
    .where('response_json', 'like', `%${patientId}%`)
    .execute();
  return {
    sessions: sessionIds.length,
    checkIns,
    alerts: Number(alerts.numUpdatedRows),
    linksRevoked,
    messagesCancelled,
    messagesRedacted,
  };
}

/**
 * Patients of a clinic not yet erased whose last session (or, without one, their creation) is
 * before `cutoff`.
 */
export async function listPatientsPastRetention(
  db: Db,
  clinicId: string,
  cutoff: InstantInput,
): Promise<string[]> {
  const limit = toIso(cutoff);
  // The join names the clinic too, so each patient's sessions come from the
  // `needling_sessions_patient (clinic_id, patient_id, performed_at)` index: joined on the
  // patient alone, SQLite scanned every session of every clinic for each patient (2.5–3.5 s a
  // clinic with 1M check-ins, blocking the server's only thread for the whole housekeeping).
  const rows = await db
    .selectFrom('patients as p')
    .leftJoin('needling_sessions as s', (join) =>
      join.onRef('s.clinic_id', '=', 'p.clinic_id').onRef('s.patient_id', '=', 'p.id'),
    )
    .select('p.id')
    .select((eb) => eb.fn.max('s.performed_at').as('last_session'))
    .select('p.created_at')
    .where('p.clinic_id', '=', clinicId)
    .where('p.erased_at', 'is', null)
    .groupBy(['p.id', 'p.created_at'])
    .execute();
  return rows
    .filter((r) => (r.last_session ?? r.created_at) < limit)
    .map((r) => r.id)
    .sort();
}
