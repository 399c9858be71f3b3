/**
 * What each outbox kind carries. Payloads hold what the send needs and nothing clinical: no
 * symptoms, dispositions, muscles or notes. Patient contact details and the link are needed to
 * send and are blanked from the row once it is delivered or cancelled (outbox-queries.ts).
 */
import type { Locale } from '../clinical/types.ts';
import type { AlertSeverity } from '../store/alerts.repository.ts';

export const JOB_KINDS = [
  'reminder.email',
  'reminder.sms',
  'alert.email',
  'alert.sms',
  'alert.webhook',
  'escalation.check',
  'missed-checkin.check',
  'invite.email',
  'password-reset.email',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export function isJobKind(kind: string): kind is JobKind {
  return (JOB_KINDS as readonly string[]).includes(kind);
}

export interface ReminderPayload {
  readonly sessionId: string;
  readonly hoursAfter: number;
  /** The plan's instant (before any quiet-hours move). */
  readonly plannedAt: string;
  readonly early: boolean;
  /** E-mail address or phone number, by kind. */
  readonly to: string;
  readonly language: Locale;
  readonly linkUrl: string;
  readonly stopUrl: string;
  /** The patient link the URLs belong to (absent on rows queued before it was recorded). */
  readonly linkId?: string;
  readonly clinicName: string;
  readonly contactPhone: string;
  readonly emergencyNumber: string;
}

export type AlertEventType = 'alert.created' | 'alert.raised' | 'alert.escalated';
/** Why the alert exists: a triaged check-in, or an unanswered early thoracic check-in. */
export type AlertReason = 'checkin' | 'missed_checkin';

export interface AlertMessagePayload {
  readonly alertId: string;
  readonly severity: AlertSeverity;
  readonly event: AlertEventType;
  readonly reason: AlertReason;
  /** E-mail address (alert.email) or phone (alert.sms) of a staff member or contact. */
  readonly to: string;
  readonly dashboardUrl: string;
  readonly clinicName: string;
  readonly timeZone: string;
  /** When the alert was created or raised. */
  readonly raisedAt: string;
  /** Set on escalation messages. */
  readonly escalation?: { readonly step: number; readonly minutesOpen: number };
  /**
   * The reader's language when the clinic's settings give it (an escalation contact's,
   * decision 0502); absent: chosen at send time (decision 0501).
   */
  readonly language?: Locale;
}

/**
 * How to reach the patient, in the webhook body of an urgent or emergency alert (and the missed
 * early check-in) when the clinic gives it (decision 1221). Added at send time, never stored in
 * the outbox.
 */
export interface WebhookPatientContact {
  readonly phone: string | null;
  /** `tel:` link of the phone. */
  readonly phoneUri: string | null;
  readonly email: string | null;
  /** True when the patient gave neither phone nor e-mail. */
  readonly noContactGiven: boolean;
}

/**
 * The JSON a webhook receiver gets (docs/webhooks.md). Ids, and the patient's contact only as
 * `patientContact` on alerts that ask staff to call (decision 1221).
 */
export interface WebhookEvent {
  readonly id: string;
  readonly type: AlertEventType;
  readonly createdAt: string;
  readonly clinicId: string;
  readonly data: {
    readonly alert: {
      readonly id: string;
      readonly severity: AlertSeverity;
      readonly status: 'open';
      readonly reason: AlertReason;
      readonly createdAt: string;
      readonly sessionId: string;
      readonly patientId: string;
    };
    readonly dashboardUrl: string;
    readonly escalationStep?: number;
    readonly patientContact?: WebhookPatientContact;
  };
}

export interface WebhookPayload {
  /** Endpoint id in the clinic's settings; url and secret are read at send time. */
  readonly webhookId: string;
  readonly event: WebhookEvent;
}

export interface EscalationCheckPayload {
  readonly alertId: string;
  readonly severity: AlertSeverity;
  /** Index into the clinic's escalation contacts. */
  readonly step: number;
  readonly dashboardUrl: string;
  readonly sessionId: string;
  readonly patientId: string;
}

export interface MissedCheckInPayload {
  readonly sessionId: string;
  readonly hoursAfter: number;
  readonly plannedAt: string;
  /** A check-in received at or after this instant answers the planned one. */
  readonly windowStart: string;
}

/** A set-password link for a staff member (`invite.email`, `password-reset.email`). */
export interface PasswordLinkPayload {
  readonly tokenId: string;
  readonly to: string;
  readonly name: string;
  readonly clinicName: string;
  readonly language: Locale;
  /** Holds the secret: blanked from the row once sent. */
  readonly url: string;
  readonly expiresAt: string;
}
