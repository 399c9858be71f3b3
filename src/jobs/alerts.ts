/**
 * Alert delivery to the clinic and escalation scheduling: queued in the check-in transaction
 * that creates or raises the alert; sent and followed up by the worker.
 */
import { createHash } from 'node:crypto';
import { readJobSettings } from '../services/job-settings.ts';
import type { Alert } from '../store/alerts.repository.ts';
import type { Clinic } from '../store/clinics.repository.ts';
import type { Db } from '../store/db.ts';
import { enqueueOutbox } from '../store/outbox.repository.ts';
import type {
  AlertEventType,
  AlertMessagePayload,
  AlertReason,
  EscalationCheckPayload,
  WebhookEvent,
  WebhookPayload,
} from './payloads.ts';
import { escalationDueAt } from './schedule.ts';

export interface AlertDeliveryInput {
  readonly clinic: Clinic;
  readonly alert: Pick<Alert, 'id' | 'severity' | 'createdAt' | 'sessionId' | 'patientId'>;
  /** Accepted for the wiring's convenience; nothing of the patient goes into staff messages. */
  readonly patient?: unknown;
  readonly session: { readonly id: string };
  /** The session's practitioner; the e-mail goes to the clinic's `alertEmail` when absent. */
  readonly practitioner: { readonly email: string; readonly active?: boolean } | null;
  /** Link to this alert on the dashboard. */
  readonly dashboardUrl: string;
  /** `alert.raised` when an open alert's severity went up; default `alert.created`. */
  readonly event?: Extract<AlertEventType, 'alert.created' | 'alert.raised'>;
  /** When it was raised (default: the alert's `createdAt`); the escalation clock starts here. */
  readonly at?: Date | string;
  readonly reason?: AlertReason;
}

export interface QueuedDelivery {
  readonly kind: string;
  readonly dedupeKey: string;
  readonly dueAt: string;
}

/** Stable event id from the event's identity (the same for every endpoint and every retry). */
export function webhookEventId(identity: string): string {
  return `evt_${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
}

export function buildWebhookEvent(input: {
  readonly identity: string;
  readonly type: AlertEventType;
  readonly at: string;
  readonly clinicId: string;
  readonly alert: AlertDeliveryInput['alert'];
  readonly reason: AlertReason;
  readonly dashboardUrl: string;
  readonly escalationStep?: number;
}): WebhookEvent {
  return {
    id: webhookEventId(input.identity),
    type: input.type,
    createdAt: input.at,
    clinicId: input.clinicId,
    data: {
      alert: {
        id: input.alert.id,
        severity: input.alert.severity,
        status: 'open',
        reason: input.reason,
        createdAt: input.alert.createdAt,
        sessionId: input.alert.sessionId,
        patientId: input.alert.patientId,
      },
      dashboardUrl: input.dashboardUrl,
      ...(input.escalationStep === undefined ? {} : { escalationStep: input.escalationStep }),
    },
  };
}

/**
 * Queue the clinic's notifications for a new or raised alert: an e-mail to the practitioner
 * (or the clinic's alert address), one signed webhook per configured endpoint, and — for
 * emergency and urgent alerts — an `escalation.check` at the raise time plus the clinic's
 * escalation time, moved to the next coverage opening when that falls outside coverage hours.
 * Call it in the check-in transaction. Dedupe keys include the severity, so raising an alert
 * notifies again while a retried request does not.
 */
export async function enqueueAlertDelivery(
  trx: Db,
  input: AlertDeliveryInput,
): Promise<QueuedDelivery[]> {
  const { clinic, alert } = input;
  const settings = readJobSettings(clinic.escalation);
  const event = input.event ?? 'alert.created';
  const reason = input.reason ?? 'checkin';
  const at = new Date(input.at ?? alert.createdAt).toISOString();
  const base = `alert:${alert.id}:${alert.severity}:${event}`;
  const queued: QueuedDelivery[] = [];
  const add = async (kind: string, dedupeKey: string, payload: unknown, dueAt: string) => {
    const added = await enqueueOutbox(trx, {
      clinicId: clinic.id,
      kind,
      dedupeKey,
      payload,
      dueAt,
      createdAt: at,
    });
    if (added) queued.push({ kind, dedupeKey, dueAt });
  };

  const practitionerEmail =
    input.practitioner && input.practitioner.active !== false ? input.practitioner.email : null;
  const to = practitionerEmail ?? settings.alertEmail;
  if (to !== null) {
    const payload: AlertMessagePayload = {
      alertId: alert.id,
      severity: alert.severity,
      event,
      reason,
      to,
      dashboardUrl: input.dashboardUrl,
      clinicName: clinic.name,
      timeZone: clinic.timeZone,
      raisedAt: at,
    };
    await add('alert.email', `${base}:email`, payload, at);
  }

  const webhookEvent = buildWebhookEvent({
    identity: base,
    type: event,
    at,
    clinicId: clinic.id,
    alert,
    reason,
    dashboardUrl: input.dashboardUrl,
  });
  for (const hook of settings.webhooks) {
    const payload: WebhookPayload = { webhookId: hook.id, event: webhookEvent };
    await add('alert.webhook', `${base}:webhook:${hook.id}`, payload, at);
  }

  const due = escalationDueAt(
    { severity: alert.severity, createdAt: at },
    { timing: settings.timing, coverage: clinic.coverage, timeZone: clinic.timeZone },
  );
  if (due !== null) {
    const payload: EscalationCheckPayload = {
      alertId: alert.id,
      severity: alert.severity,
      step: 0,
      dashboardUrl: input.dashboardUrl,
      sessionId: alert.sessionId,
      patientId: alert.patientId,
    };
    await add(
      'escalation.check',
      `escalation:${alert.id}:${alert.severity}:0`,
      payload,
      due.toISOString(),
    );
  }
  return queued;
}
