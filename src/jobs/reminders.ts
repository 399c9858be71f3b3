/**
 * Check-in reminders: queued in the transaction that records the session, delivered by the
 * worker, cancelled by the patient's stop link.
 */
import { createHash } from 'node:crypto';
import type { CheckInPlan } from '../clinical/checkin-plan.ts';
import { appendAuditEvent } from '../store/audit.repository.ts';
import type { Clinic } from '../store/clinics.repository.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { findLinkByTokenHash } from '../store/links.repository.ts';
import { enqueueOutbox } from '../store/outbox.repository.ts';
import type { Patient } from '../store/patients.repository.ts';
import type { NeedlingSession } from '../store/sessions.repository.ts';
import { cancelPendingReminders } from './outbox-queries.ts';
import type { MissedCheckInPayload, ReminderPayload } from './payloads.ts';
import { moveOutOfQuietHours } from './schedule.ts';
import { readJobSettings } from './settings.ts';

const MINUTE_MS = 60_000;
/** A check-in this long before a planned time still answers it (the patient came early). */
export const EARLY_ANSWER_MINUTES = 60;

export interface SessionRemindersInput {
  readonly clinic: Clinic;
  readonly session: Pick<NeedlingSession, 'id' | 'clinicId' | 'createdAt'>;
  readonly patient: Pick<Patient, 'email' | 'phone' | 'language'>;
  /**
   * The patient's personal link. `stopUrl` defaults to `<url>/stop` (the route of
   * `remindersStopRoute`), which works with the same token.
   */
  readonly link: { readonly url: string; readonly stopUrl?: string };
  readonly plan: CheckInPlan;
}

export interface EnqueuedReminder {
  readonly kind: 'reminder.email' | 'reminder.sms' | 'missed-checkin.check';
  readonly dedupeKey: string;
  readonly dueAt: string;
}

/** The stop link for a patient link: `<link>/stop`. */
export function stopUrlFor(linkUrl: string): string {
  return `${linkUrl.replace(/\/+$/, '')}/stop`;
}

/**
 * Queue one reminder per planned check-in and channel (e-mail when the patient has an address,
 * SMS when a phone), due at the planned time moved out of the clinic's quiet hours — except the
 * early check-ins after thoracic needling, which go at the planned time, night or not. Early
 * thoracic check-ins also get a `missed-checkin.check` at the planned time plus the clinic's
 * answer window. Check-ins whose window had closed before the session was recorded are left
 * out. Call it inside the transaction that records the session. Dedupe keys
 * (`reminder:<session>:<hours>:<channel>`) make a retried request queue nothing twice.
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
  const recordedAt = Date.parse(session.createdAt);
  const windowMs = settings.missedCheckInMinutes * MINUTE_MS;
  for (const checkIn of plan.checkIns) {
    // A session recorded late: a check-in whose answer window closed before the session was
    // recorded gets neither a reminder nor a missed-check follow-up (it would be a false alarm).
    if (Date.parse(checkIn.dueAt) + windowMs <= recordedAt) continue;
    const dueAt = checkIn.early
      ? new Date(checkIn.dueAt)
      : moveOutOfQuietHours(checkIn.dueAt, clinic.quietHours, clinic.timeZone);
    for (const c of channels) {
      const payload: ReminderPayload = {
        sessionId: session.id,
        hoursAfter: checkIn.hoursAfter,
        plannedAt: checkIn.dueAt,
        early: checkIn.early,
        to: c.to,
        language: patient.language,
        linkUrl: link.url,
        stopUrl,
        clinicName: clinic.name,
        contactPhone: clinic.contactPhone,
        emergencyNumber: clinic.emergencyNumber,
      };
      const dedupeKey = `reminder:${session.id}:${checkIn.hoursAfter}:${c.channel}`;
      const added = await enqueueOutbox(trx, {
        clinicId: clinic.id,
        kind: c.kind,
        dedupeKey,
        payload,
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

export interface StopResult {
  /** False when the token matches no link. */
  readonly found: boolean;
  /** Reminder messages cancelled by this call (0 when already stopped). */
  readonly cancelled: number;
  readonly sessionId?: string;
  readonly clinicId?: string;
}

/**
 * Stop a session's reminders, given the patient-link token from the stop URL. Works on expired
 * and revoked links too (stopping can only reduce what is sent), is idempotent, and leaves an
 * audit event. Missed-check-in follow-ups after thoracic needling are kept on purpose.
 */
export async function stopReminders(db: Db, token: string, now: Date): Promise<StopResult> {
  if (token.length === 0 || token.length > 200) return { found: false, cancelled: 0 };
  const tokenHash = createHash('sha256').update(token, 'utf8').digest('hex');
  return withTransaction(db, async (trx) => {
    const link = await findLinkByTokenHash(trx, tokenHash);
    if (!link) return { found: false, cancelled: 0 };
    const cancelled = await cancelPendingReminders(
      trx,
      link.sessionId,
      'reminders stopped by the patient',
    );
    await appendAuditEvent(trx, {
      at: now,
      clinicId: link.clinicId,
      actorType: 'patient_link',
      actorId: link.id,
      action: 'reminders.stop',
      subjectType: 'session',
      subjectId: link.sessionId,
      details: { cancelled },
    });
    return { found: true, cancelled, sessionId: link.sessionId, clinicId: link.clinicId };
  });
}
