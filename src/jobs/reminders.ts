/**
 * Check-in reminders: queued in the transaction that records the session, delivered by the
 * worker, cancelled by the patient's stop link.
 */
import { createHash } from 'node:crypto';
import type { CheckInPlan } from '../clinical/checkin-plan.ts';
import type { RemindersStoppedEvent } from '../services/events.ts';
import { readJobSettings } from '../services/job-settings.ts';
import { stopRemindersUrlOf } from '../services/urls.ts';
import type { Clinic } from '../store/clinics.repository.ts';
import type { Db } from '../store/db.ts';
import { enqueueOutbox } from '../store/outbox.repository.ts';
import type { Patient } from '../store/patients.repository.ts';
import type { NeedlingSession } from '../store/sessions.repository.ts';
import {
  cancellationNote,
  cancelPendingReminders,
  cancelPendingRemindersOfLink,
  listReminderRows,
  PATIENT_STOP_REASON,
} from './outbox-queries.ts';
import type { MissedCheckInPayload, ReminderPayload } from './payloads.ts';
import { moveOutOfQuietHours } from './schedule.ts';
import { sealReminderLinks } from './sealed-links.ts';

const MINUTE_MS = 60_000;
/** A check-in this long before a planned time still answers it (the patient came early). */
export const EARLY_ANSWER_MINUTES = 60;

export interface SessionRemindersInput {
  readonly clinic: Clinic;
  readonly session: Pick<NeedlingSession, 'id' | 'clinicId' | 'createdAt'>;
  readonly patient: Pick<Patient, 'email' | 'phone' | 'language'>;
  /**
   * The patient's personal link. `stopUrl` defaults to `<url>/stop` (the patient
   * pages' stop page), which works with the same token.
   */
  readonly link: { readonly url: string; readonly stopUrl?: string; readonly id?: string };
  readonly plan: CheckInPlan;
  /**
   * When this is queued (default: the session's `createdAt`). Check-ins whose answer window
   * closed before it get nothing; pass it when re-issuing a link days later.
   */
  readonly now?: Date | string;
}

export interface EnqueuedReminder {
  readonly kind: 'reminder.email' | 'reminder.sms' | 'missed-checkin.check';
  readonly dedupeKey: string;
  readonly dueAt: string;
}

/** The stop link for a patient link: `<link>/stop`. */
export function stopUrlFor(linkUrl: string): string {
  return stopRemindersUrlOf(linkUrl);
}

/**
 * Queue one reminder per planned check-in and channel (e-mail when the patient has an address,
 * SMS when a phone), due at the planned time moved out of the clinic's quiet hours — except the
 * early check-ins after thoracic needling, which go at the planned time, night or not. Early
 * thoracic check-ins also get a `missed-checkin.check` at the planned time plus the clinic's
 * answer window. Check-ins whose window had closed before the session was recorded (or before
 * `now`) are left out. Call it inside the transaction that records the session.
 *
 * Dedupe: keys are `reminder:<session>:<hours>:<channel>`, so a retried request queues nothing
 * twice. Calling it again for a **re-issued link** (after `cancelPendingReminders`) queues the
 * cancelled reminders anew under `…:<channel>:<link tag>` with the new link, but never repeats a
 * reminder already delivered, and queues none at all once the patient used the stop link.
 */
export async function enqueueSessionReminders(
  trx: Db,
  input: SessionRemindersInput,
): Promise<EnqueuedReminder[]> {
  const { clinic, session, patient, link, plan } = input;
  const settings = readJobSettings(clinic.escalation);
  const stopUrl = link.stopUrl ?? stopUrlFor(link.url);
  const channels: Array<{ kind: 'reminder.email' | 'reminder.sms'; channel: string; to: string }> =
    [];
  if (patient.email) channels.push({ kind: 'reminder.email', channel: 'email', to: patient.email });
  if (patient.phone) channels.push({ kind: 'reminder.sms', channel: 'sms', to: patient.phone });

  const queued: EnqueuedReminder[] = [];
  const recordedAt = new Date(input.now ?? session.createdAt).getTime();
  const windowMs = settings.missedCheckInMinutes * MINUTE_MS;

  // What earlier calls queued for this session (a retry, or a link re-issued since).
  const existing = await listReminderRows(trx, session.id);
  const stoppedByPatient = existing.some(
    (r) => r.lastError === cancellationNote(PATIENT_STOP_REASON),
  );
  const baseTaken = new Set(existing.map((r) => r.dedupeKey));
  const covered = new Set(
    existing
      .filter((r) => r.status === 'pending' || r.sentAt !== null)
      .map((r) => r.dedupeKey.split(':').slice(0, 4).join(':')),
  );
  const linkTag = createHash('sha256').update(link.url).digest('hex').slice(0, 12);

  for (const checkIn of plan.checkIns) {
    // A session recorded late: a check-in whose answer window closed before the session was
    // recorded gets neither a reminder nor a missed-check follow-up (it would be a false alarm).
    if (Date.parse(checkIn.dueAt) + windowMs <= recordedAt) continue;
    const dueAt = checkIn.early
      ? new Date(checkIn.dueAt)
      : moveOutOfQuietHours(checkIn.dueAt, clinic.quietHours, clinic.timeZone);
    for (const c of channels) {
      if (stoppedByPatient) break;
      const base = `reminder:${session.id}:${checkIn.hoursAfter}:${c.channel}`;
      // Pending (a retry) or delivered already: nothing to add.
      if (covered.has(base)) continue;
      const payload: ReminderPayload = {
        sessionId: session.id,
        hoursAfter: checkIn.hoursAfter,
        plannedAt: checkIn.dueAt,
        early: checkIn.early,
        to: c.to,
        language: patient.language,
        linkUrl: link.url,
        stopUrl,
        ...(link.id === undefined ? {} : { linkId: link.id }),
        clinicName: clinic.name,
        contactPhone: clinic.contactPhone,
        emergencyNumber: clinic.emergencyNumber,
      };
      // A cancelled row keeps its key: a re-issued link gets its own.
      const dedupeKey = baseTaken.has(base) ? `${base}:${linkTag}` : base;
      const added = await enqueueOutbox(trx, {
        clinicId: clinic.id,
        kind: c.kind,
        dedupeKey,
        payload: sealReminderLinks(trx, payload),
        dueAt,
        createdAt: session.createdAt,
      });
      if (added) queued.push({ kind: c.kind, dedupeKey, dueAt: dueAt.toISOString() });
    }
    if (checkIn.early) {
      const planned = Date.parse(checkIn.dueAt);
      const payload: MissedCheckInPayload = {
        sessionId: session.id,
        hoursAfter: checkIn.hoursAfter,
        plannedAt: checkIn.dueAt,
        windowStart: new Date(planned - EARLY_ANSWER_MINUTES * MINUTE_MS).toISOString(),
      };
      const dueAt = new Date(planned + windowMs);
      const dedupeKey = `missed-checkin:${session.id}:${checkIn.hoursAfter}`;
      const added = await enqueueOutbox(trx, {
        clinicId: clinic.id,
        kind: 'missed-checkin.check',
        dedupeKey,
        payload,
        dueAt,
        createdAt: session.createdAt,
      });
      if (added)
        queued.push({ kind: 'missed-checkin.check', dedupeKey, dueAt: dueAt.toISOString() });
    }
  }
  return queued;
}

/** Why reminders were cancelled through the stop link of a withdrawn patient link. */
export const WITHDRAWN_LINK_STOP_REASON = 'stopped through a withdrawn patient link';

/**
 * The outbox side of the patient's stop link (`ServiceEvents.remindersStopped`, wired by the
 * composition root; the service `stopReminders` audits it). From the session's current link
 * (`scope: 'session'`): cancel the session's pending reminders, for good (a re-issued link
 * queues none). From a withdrawn link (`scope: 'link'`): cancel only the reminders queued for
 * that link, not for good — the replacement's reminders go on (issue 12, finding 3).
 * Missed-check-in follow-ups after thoracic needling are kept on purpose.
 */
export async function cancelRemindersStoppedByPatient(
  db: Db,
  event: Pick<RemindersStoppedEvent, 'sessionId' | 'linkId' | 'scope'>,
): Promise<number> {
  if (event.scope === 'link')
    return cancelPendingRemindersOfLink(
      db,
      event.sessionId,
      event.linkId,
      WITHDRAWN_LINK_STOP_REASON,
    );
  return cancelPendingReminders(db, event.sessionId, PATIENT_STOP_REASON);
}
