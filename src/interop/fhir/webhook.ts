import type { Bundle, BundleEntry, MessageHeader, Resource } from '@medplum/fhirtypes';
import type { ClinicRecord } from '../../store/interop.repository.ts';
import { FHIR_BASE_CANONICAL } from './codes.ts';
import {
  toFhirFlag,
  toFhirPatient,
  toFhirQuestionnaireResponse,
  toFhirRiskAssessment,
} from './map.ts';

/**
 * The FHIR form of an alert webhook (docs/decisions/0910, docs/webhooks.md): a FHIR R4
 * `message` Bundle — a MessageHeader naming the event, then the alert's Flag, the
 * RiskAssessment and QuestionnaireResponse (the check-in) that raised it, and the Patient (with
 * the contact details the record holds, so the receiver can reach them). Built by the worker at
 * send time from the stored record, with the same pure mapping as the FHIR API.
 */
export const WEBHOOK_EVENT_SYSTEM = `${FHIR_BASE_CANONICAL}/CodeSystem/webhook-event`;

const EVENT_DISPLAY: Readonly<Record<string, string>> = {
  'alert.created': 'Alert created',
  'alert.raised': 'Alert raised to a higher severity',
  'alert.escalated': 'Alert escalated: still unacknowledged',
};

/** The native event's identity, as much of it as the FHIR form needs. */
export interface AlertWebhookEvent {
  /** `evt_` and 32 hex digits (src/jobs/alerts.ts), the same on every retry. */
  readonly id: string;
  readonly type: string;
  readonly createdAt: string;
  readonly data: { readonly alert: { readonly id: string; readonly patientId: string } };
}

export interface AlertBundle {
  readonly bundle: Bundle;
  /** Whose data the Bundle holds (audited by the caller). */
  readonly patientIds: readonly string[];
}

/** `evt_<32 hex>` → a UUID-shaped string, so the message has a stable `urn:uuid:` name. */
function uuidOf(eventId: string): string {
  const hex = (eventId.replace(/^evt_/, '').replace(/[^0-9a-f]/gi, '') + '0'.repeat(32))
    .slice(0, 32)
    .toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The message Bundle for `event`, from the patient's part of the record (undefined when the
 * alert is not in it: removed or another clinic's). `fhirBase` is our FHIR endpoint
 * (`https://…/fhir/R4`): each entry's `fullUrl` is where the API serves that resource.
 */
export function alertMessageBundle(
  record: ClinicRecord,
  event: AlertWebhookEvent,
  options: { readonly fhirBase: string; readonly publicUrl: string },
): AlertBundle | undefined {
  const alert = record.alerts.find((a) => a.id === event.data.alert.id);
  if (alert === undefined) return undefined;
  const patient = record.patients.find((p) => p.id === alert.patientId);
  if (patient === undefined) return undefined;
  const session = record.sessions.find((s) => s.id === alert.sessionId);
  const checkIn =
    alert.assessmentId === null
      ? undefined
      : record.checkIns.find((c) => c.assessment?.id === alert.assessmentId);

  const resources: Resource[] = [toFhirFlag(alert)];
  if (checkIn?.assessment != null && session !== undefined) {
    resources.push(toFhirRiskAssessment(checkIn.assessment, checkIn, session));
    resources.push(toFhirQuestionnaireResponse(checkIn, session));
  }
  resources.push(toFhirPatient(patient, record.clinic));

  const uuid = uuidOf(event.id);
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: uuid,
    eventCoding: {
      system: WEBHOOK_EVENT_SYSTEM,
      code: event.type,
      display: EVENT_DISPLAY[event.type] ?? event.type,
    },
    source: {
      name: 'Needlecare',
      software: 'Needlecare',
      endpoint: options.publicUrl,
    },
    responsible: { reference: `Organization/${record.clinic.id}`, display: record.clinic.name },
    focus: [{ reference: `Flag/${alert.id}` }],
  };
  const entries: BundleEntry[] = [
    { fullUrl: `urn:uuid:${uuid}`, resource: header },
    ...resources.map((r) => ({
      fullUrl: `${options.fhirBase}/${r.resourceType}/${r.id}`,
      resource: r,
    })),
  ];
  return {
    bundle: {
      resourceType: 'Bundle',
      id: uuid,
      identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${uuid}` },
      type: 'message',
      timestamp: event.createdAt,
      entry: entries,
    },
    patientIds: [patient.id],
  };
}

/**
 * The builder the worker is given by the composition root (src/cli): the worker imports no
 * door, so the mapping reaches it as a function, like the projections of decision 0902.
 */
export function alertWebhookBuilder(options: {
  readonly fhirBase: string;
  readonly publicUrl: string;
}): (
  record: ClinicRecord,
  event: AlertWebhookEvent,
) => { readonly body: Bundle; readonly patientIds: readonly string[] } | undefined {
  return (record, event) => {
    const built = alertMessageBundle(record, event, options);
    return built === undefined ? undefined : { body: built.bundle, patientIds: built.patientIds };
  };
}
