import type {
  BodyStructure,
  CodeableConcept,
  Device,
  Patient as FhirPatient,
  Flag,
  Observation,
  Organization,
  Practitioner,
  Procedure,
  Provenance,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  Reference,
  Resource,
  RiskAssessment,
  Task,
} from '@medplum/fhirtypes';
import { findMuscle } from '../../clinical/muscles.ts';
import { DISPOSITION_TEXT } from '../../clinical/render.ts';
import { findRule } from '../../clinical/rulebook.ts';
import { RULEBOOK_V1 } from '../../clinical/rulebook-v1.ts';
import type { Disposition } from '../../clinical/types.ts';
import type { Alert, AlertSeverity } from '../../store/alerts.repository.ts';
import type { Assessment, CheckInWithAssessment } from '../../store/checkins.repository.ts';
import type { Clinic } from '../../store/clinics.repository.ts';
import type {
  ClinicRecord,
  ExternalIdentifier,
  RecordStaff as StaffMember,
} from '../../store/interop.repository.ts';
import type { NeedlingSession, SessionSite } from '../../store/sessions.repository.ts';
import {
  CPT_DRY_NEEDLING,
  FHIR_BASE_CANONICAL,
  FLAG_DETAIL,
  LATERALITY,
  PAIN_SEVERITY_0_10,
  PHYSICAL_THERAPY_PROCEDURE,
  SYSTEM,
  TARGET_BODY_STRUCTURE,
} from './codes.ts';
import {
  CHECKIN_QUESTIONNAIRE_URL,
  CHECKIN_QUESTIONNAIRE_VERSION,
  checkInQuestionnaire,
  LINK_ID,
  symptomCoding,
} from './questionnaire.ts';

/**
 * Domain → FHIR R4, as pure functions (docs/decisions/0901). Ids are our own ids (UUIDs are
 * valid FHIR ids); resources derived from one row get a suffix. References are relative
 * (`Patient/…`). `meta.lastUpdated` is the last instant the row behind the resource changed.
 */

export const RULEBOOK_SYSTEM = `${FHIR_BASE_CANONICAL}/CodeSystem/rulebook`;

/** A relative reference; `never` as its target type lets it fit every typed Reference slot. */
function ref(type: string, id: string, display?: string): Reference<never> {
  return display === undefined
    ? { reference: `${type}/${id}` }
    : { reference: `${type}/${id}`, display };
}

function meta(lastUpdated: string): { lastUpdated: string } {
  return { lastUpdated };
}

function latest(...instants: (string | null | undefined)[]): string {
  const present = instants.filter((i): i is string => typeof i === 'string');
  return present.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

/** FHIR ids allow `[A-Za-z0-9\-.]{1,64}`. */
export function toFhirId(raw: string): string {
  return raw.replace(/[^A-Za-z0-9\-.]/g, '-').slice(0, 64);
}

export function sorenessObservationId(checkInId: string): string {
  return `${checkInId}-soreness`;
}

export function symptomObservationId(checkInId: string, symptom: string): string {
  return toFhirId(`${checkInId}-${symptom.replaceAll('_', '-')}`);
}

export function provenanceId(assessmentId: string): string {
  return `prov-${assessmentId}`;
}

export function rulebookDeviceId(version: string): string {
  return toFhirId(`rulebook-${version}`);
}

export function toFhirOrganization(clinic: Clinic): Organization {
  return {
    resourceType: 'Organization',
    id: clinic.id,
    meta: meta(clinic.createdAt),
    active: true,
    type: [{ text: 'Physiotherapy clinic' }],
    name: clinic.name,
    telecom: [{ system: 'phone', value: clinic.contactPhone, use: 'work' }],
  };
}

export function toFhirPractitioner(staff: StaffMember): Practitioner {
  return {
    resourceType: 'Practitioner',
    id: staff.id,
    meta: meta(staff.createdAt),
    identifier: [{ system: SYSTEM.staffId, value: staff.id }],
    active: staff.active,
    name: [{ text: staff.displayName }],
    telecom: [{ system: 'email', value: staff.email, use: 'work' }],
  };
}

export function toFhirPatient(
  patient: ClinicRecord['patients'][number],
  clinic: Clinic,
): FhirPatient {
  const telecom = [
    ...(patient.email === null ? [] : [{ system: 'email' as const, value: patient.email }]),
    ...(patient.phone === null ? [] : [{ system: 'phone' as const, value: patient.phone }]),
  ];
  return {
    resourceType: 'Patient',
    id: patient.id,
    meta: meta(patient.createdAt),
    identifier: [
      { system: SYSTEM.patientId, value: patient.id },
      ...patient.identifiers.map((i: ExternalIdentifier) => ({ system: i.system, value: i.value })),
    ],
    active: true,
    name: [{ text: patient.displayName }],
    ...(telecom.length === 0 ? {} : { telecom }),
    communication: [
      { language: { coding: [{ system: SYSTEM.bcp47, code: patient.language }] }, preferred: true },
    ],
    managingOrganization: ref('Organization', clinic.id, clinic.name),
  };
}

/** CPT counts muscles, not needles; each side of a muscle is one muscle (decision 0901). */
export function musclesTreated(sites: readonly SessionSite[]): number {
  return new Set(sites.map((s) => `${s.muscle}|${s.side ?? ''}`)).size;
}

function muscleConcept(site: SessionSite): CodeableConcept {
  const name = findMuscle(site.muscle)?.name.en ?? site.muscle;
  return { coding: [{ system: SYSTEM.muscle, code: site.muscle, display: name }], text: name };
}

function siteText(site: SessionSite): string {
  const name = findMuscle(site.muscle)?.name.en ?? site.muscle;
  return site.side === null ? name : `${name}, ${site.side}`;
}

function bodyStructureOf(site: SessionSite, patientId: string): BodyStructure {
  const side = site.side === 'left' || site.side === 'right' ? LATERALITY[site.side] : undefined;
  return {
    resourceType: 'BodyStructure',
    id: `site-${site.position + 1}`,
    active: true,
    location: muscleConcept(site),
    ...(site.side === null
      ? {}
      : {
          locationQualifier: [
            side === undefined ? { text: site.side } : { coding: [{ ...side }], text: site.side },
          ],
        }),
    ...(site.needleCount === null
      ? {}
      : { description: `${site.needleCount} needle${site.needleCount === 1 ? '' : 's'}` }),
    patient: ref('Patient', patientId),
  };
}

export function toFhirProcedure(session: NeedlingSession): Procedure {
  const muscles = musclesTreated(session.sites);
  const cpt = muscles <= 2 ? CPT_DRY_NEEDLING.upToTwoMuscles : CPT_DRY_NEEDLING.threeOrMore;
  const sites = [...session.sites].sort((a, b) => a.position - b.position);
  return {
    resourceType: 'Procedure',
    id: session.id,
    meta: meta(session.createdAt),
    contained: sites.map((s) => bodyStructureOf(s, session.patientId)),
    extension: sites.map((s) => ({
      url: TARGET_BODY_STRUCTURE,
      valueReference: { reference: `#site-${s.position + 1}` },
    })),
    status: 'completed',
    category: { coding: [{ ...PHYSICAL_THERAPY_PROCEDURE }] },
    code: {
      coding: [{ system: SYSTEM.cpt, ...cpt }],
      text: `Dry needling (needle insertion without injection), ${muscles} muscle${muscles === 1 ? '' : 's'}`,
    },
    subject: ref('Patient', session.patientId),
    performedDateTime: session.performedAt,
    ...(session.practitionerId === null
      ? {}
      : {
          performer: [{ actor: ref('Practitioner', session.practitionerId) }],
          recorder: ref('Practitioner', session.practitionerId),
        }),
    bodySite: sites.map((s) => ({ ...muscleConcept(s), text: siteText(s) })),
    ...(session.notes === null ? {} : { note: [{ text: session.notes }] }),
  };
}

export function toFhirQuestionnaireResponse(
  checkIn: CheckInWithAssessment,
  session: NeedlingSession,
): QuestionnaireResponse {
  // RULES.md v1.1: a red-flag report may come without a number; the item is then absent.
  const items: QuestionnaireResponseItem[] =
    checkIn.soreness === null
      ? []
      : [{ linkId: LINK_ID.soreness, answer: [{ valueInteger: checkIn.soreness }] }];
  if (checkIn.symptoms.length > 0) {
    items.push({
      linkId: LINK_ID.symptoms,
      answer: checkIn.symptoms.map((code) => ({ valueCoding: symptomCoding(code) })),
    });
  }
  if (checkIn.note !== null && checkIn.note !== '') {
    items.push({ linkId: LINK_ID.note, answer: [{ valueString: checkIn.note }] });
  }
  return {
    resourceType: 'QuestionnaireResponse',
    id: checkIn.id,
    meta: meta(checkIn.receivedAt),
    questionnaire: `${CHECKIN_QUESTIONNAIRE_URL}|${CHECKIN_QUESTIONNAIRE_VERSION}`,
    status: 'completed',
    partOf: [ref('Procedure', session.id)],
    subject: ref('Patient', session.patientId),
    authored: checkIn.receivedAt,
    ...(checkIn.source === 'staff' ? {} : { source: ref('Patient', session.patientId) }),
    item: items,
  };
}

export function toFhirSorenessObservation(
  checkIn: CheckInWithAssessment,
  session: NeedlingSession,
): Observation {
  return {
    resourceType: 'Observation',
    id: sorenessObservationId(checkIn.id),
    meta: meta(checkIn.receivedAt),
    status: 'final',
    partOf: [ref('Procedure', session.id)],
    category: [
      { coding: [{ system: SYSTEM.observationCategory, code: 'survey', display: 'Survey' }] },
    ],
    code: { coding: [{ ...PAIN_SEVERITY_0_10 }], text: 'Soreness 0–10' },
    subject: ref('Patient', session.patientId),
    effectiveDateTime: checkIn.receivedAt,
    ...(checkIn.soreness === null
      ? {
          dataAbsentReason: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
                code: 'unknown',
                display: 'Unknown',
              },
            ],
            text: 'No number given with a red-flag symptom',
          },
        }
      : { valueInteger: checkIn.soreness }),
    derivedFrom: [ref('QuestionnaireResponse', checkIn.id)],
  };
}

/**
 * One Observation per reported symptom. No symptom code of standards.md is verified (all ⚠),
 * so each carries only our own code and its text.
 */
export function toFhirSymptomObservations(
  checkIn: CheckInWithAssessment,
  session: NeedlingSession,
): Observation[] {
  return checkIn.symptoms.map((code) => {
    const coding = symptomCoding(code);
    return {
      resourceType: 'Observation',
      id: symptomObservationId(checkIn.id, code),
      meta: meta(checkIn.receivedAt),
      status: 'final',
      partOf: [ref('Procedure', session.id)],
      category: [
        { coding: [{ system: SYSTEM.observationCategory, code: 'survey', display: 'Survey' }] },
      ],
      code: { coding: [coding], text: coding.display },
      subject: ref('Patient', session.patientId),
      effectiveDateTime: checkIn.receivedAt,
      valueBoolean: true,
      derivedFrom: [ref('QuestionnaireResponse', checkIn.id)],
    };
  });
}

export function dispositionConcept(disposition: Disposition): CodeableConcept {
  const title = DISPOSITION_TEXT[disposition].title.en;
  return {
    coding: [{ system: SYSTEM.disposition, code: disposition, display: title }],
    text: title,
  };
}

/** The clinician's words for a fired rule (a clinic's own rule has only its id here). */
function ruleNote(ruleId: string): string {
  const rule = findRule(RULEBOOK_V1, ruleId);
  return rule === undefined ? ruleId : `${ruleId}: ${rule.texts.clinician.en}`;
}

export function toFhirRiskAssessment(
  assessment: Assessment,
  checkIn: CheckInWithAssessment,
  session: NeedlingSession,
): RiskAssessment {
  return {
    resourceType: 'RiskAssessment',
    id: assessment.id,
    meta: meta(assessment.createdAt),
    status: 'final',
    method: {
      coding: [
        {
          system: RULEBOOK_SYSTEM,
          version: assessment.rulebookVersion,
          code: 'needlecare-triage',
          display: 'Needlecare triage rulebook',
        },
      ],
      text: `Needlecare triage rulebook ${assessment.rulebookVersion}`,
    },
    subject: ref('Patient', session.patientId),
    occurrenceDateTime: assessment.createdAt,
    basis: [
      ref('Procedure', session.id),
      ref('QuestionnaireResponse', checkIn.id),
      ref('Observation', sorenessObservationId(checkIn.id)),
      ...checkIn.symptoms.map((s) => ref('Observation', symptomObservationId(checkIn.id, s))),
    ],
    prediction: [{ outcome: dispositionConcept(assessment.disposition) }],
    note: assessment.rules.map((id) => ({ text: ruleNote(id) })),
  };
}

/** The rulebook that made assessments, as the Device Provenance names as its agent. */
export function toFhirRulebookDevice(version: string, clinic: Clinic): Device {
  return {
    resourceType: 'Device',
    id: rulebookDeviceId(version),
    status: 'active',
    deviceName: [{ name: 'Needlecare triage rulebook', type: 'manufacturer-name' }],
    version: [{ value: version }],
    owner: ref('Organization', clinic.id),
  };
}

export function toFhirProvenance(
  assessment: Assessment,
  checkIn: CheckInWithAssessment,
): Provenance {
  return {
    resourceType: 'Provenance',
    id: provenanceId(assessment.id),
    meta: meta(assessment.createdAt),
    target: [ref('RiskAssessment', assessment.id)],
    recorded: assessment.createdAt,
    policy: [`${RULEBOOK_SYSTEM}|${assessment.rulebookVersion}`],
    agent: [
      {
        type: {
          coding: [{ system: SYSTEM.provenanceParticipantType, code: 'author', display: 'Author' }],
        },
        who: ref(
          'Device',
          rulebookDeviceId(assessment.rulebookVersion),
          `Needlecare triage rulebook ${assessment.rulebookVersion}`,
        ),
      },
    ],
    entity: [{ role: 'source', what: ref('QuestionnaireResponse', checkIn.id) }],
  };
}

const SEVERITY_WORDS: Readonly<Record<AlertSeverity, string>> = {
  routine: 'Post-needling check-in to review',
  urgent: 'Post-needling symptoms: contact today',
  emergency: 'Post-needling emergency symptoms reported',
};

const TASK_PRIORITY = { routine: 'routine', urgent: 'urgent', emergency: 'stat' } as const;
const TASK_STATUS = {
  open: 'requested',
  acknowledged: 'in-progress',
  resolved: 'completed',
} as const;

export function alertLastUpdated(alert: Alert): string {
  return latest(alert.createdAt, alert.acknowledgedAt, alert.resolvedAt);
}

/** The chart banner while the alert is open or acknowledged; inactive once resolved. */
export function toFhirFlag(alert: Alert): Flag {
  return {
    resourceType: 'Flag',
    id: alert.id,
    meta: meta(alertLastUpdated(alert)),
    ...(alert.assessmentId === null
      ? {}
      : {
          extension: [
            { url: FLAG_DETAIL, valueReference: ref('RiskAssessment', alert.assessmentId) },
          ],
        }),
    status: alert.status === 'resolved' ? 'inactive' : 'active',
    category: [{ text: 'Post-procedure follow-up' }],
    code: {
      coding: [
        { system: SYSTEM.alert, code: alert.severity, display: SEVERITY_WORDS[alert.severity] },
      ],
      text: `${SEVERITY_WORDS[alert.severity]} (${alert.status})`,
    },
    subject: ref('Patient', alert.patientId),
    period: {
      start: alert.createdAt,
      ...(alert.resolvedAt === null ? {} : { end: alert.resolvedAt }),
    },
    author: ref('Organization', alert.clinicId),
  };
}

/** The clinic's work item: who acknowledged it, who resolved it and with which note. */
export function toFhirTask(alert: Alert): Task {
  const notes = [
    ...(alert.acknowledgedAt === null
      ? []
      : [
          {
            time: alert.acknowledgedAt,
            ...(alert.acknowledgedBy === null
              ? {}
              : { authorReference: ref('Practitioner', alert.acknowledgedBy) }),
            text: 'Acknowledged',
          },
        ]),
    ...(alert.resolvedAt === null
      ? []
      : [
          {
            time: alert.resolvedAt,
            ...(alert.resolvedBy === null
              ? {}
              : { authorReference: ref('Practitioner', alert.resolvedBy) }),
            text: `Resolved${alert.resolutionNote === null ? '' : `: ${alert.resolutionNote}`}`,
          },
        ]),
  ];
  const owner =
    alert.acknowledgedBy === null
      ? ref('Organization', alert.clinicId)
      : ref('Practitioner', alert.acknowledgedBy);
  return {
    resourceType: 'Task',
    id: alert.id,
    meta: meta(alertLastUpdated(alert)),
    status: TASK_STATUS[alert.status],
    intent: 'order',
    priority: TASK_PRIORITY[alert.severity],
    code: { text: 'Review a post-needling check-in' },
    description: SEVERITY_WORDS[alert.severity],
    focus: ref('Flag', alert.id),
    for: ref('Patient', alert.patientId),
    authoredOn: alert.createdAt,
    lastModified: alertLastUpdated(alert),
    requester: ref('Organization', alert.clinicId),
    owner,
    ...(alert.acknowledgedAt === null
      ? {}
      : {
          executionPeriod: {
            start: alert.acknowledgedAt,
            ...(alert.resolvedAt === null ? {} : { end: alert.resolvedAt }),
          },
        }),
    ...(alert.assessmentId === null
      ? {}
      : { reasonReference: ref('RiskAssessment', alert.assessmentId) }),
    ...(notes.length === 0 ? {} : { note: notes }),
  };
}

/**
 * Every resource of a clinic record, in a stable order: the clinic, its staff, the form, then
 * per patient the patient, sessions, check-ins (response, observations, assessment,
 * provenance) and alerts; the rulebook devices last.
 */
export function toFhirResources(record: ClinicRecord): Resource[] {
  const out: Resource[] = [toFhirOrganization(record.clinic)];
  out.push(...record.staff.map(toFhirPractitioner));
  out.push(checkInQuestionnaire());
  const sessions = new Map(record.sessions.map((s) => [s.id, s]));
  const versions = new Set<string>();
  for (const patient of record.patients) out.push(toFhirPatient(patient, record.clinic));
  for (const session of record.sessions) out.push(toFhirProcedure(session));
  for (const checkIn of record.checkIns) {
    const session = sessions.get(checkIn.sessionId);
    if (session === undefined) continue;
    out.push(toFhirQuestionnaireResponse(checkIn, session));
    out.push(toFhirSorenessObservation(checkIn, session));
    out.push(...toFhirSymptomObservations(checkIn, session));
    if (checkIn.assessment !== null) {
      out.push(toFhirRiskAssessment(checkIn.assessment, checkIn, session));
      out.push(toFhirProvenance(checkIn.assessment, checkIn));
      versions.add(checkIn.assessment.rulebookVersion);
    }
  }
  for (const alert of record.alerts) out.push(toFhirFlag(alert), toFhirTask(alert));
  for (const version of versions) out.push(toFhirRulebookDevice(version, record.clinic));
  return out;
}
