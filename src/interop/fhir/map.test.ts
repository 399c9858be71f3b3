/**
 * Round trips: domain → FHIR → the fields that matter read back from the FHIR JSON alone
 * (as an EHR would read them), for every session, check-in, assessment and alert of the
 * catalogue record.
 */
import type {
  BodyStructure,
  Flag,
  Observation,
  Procedure,
  Provenance,
  QuestionnaireResponse,
  Resource,
  RiskAssessment,
  Task,
} from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { SYMPTOMS } from '../../clinical/symptoms.ts';
import { LATERALITY, PAIN_SEVERITY_0_10, PHYSICAL_THERAPY_PROCEDURE, SYSTEM } from './codes.ts';
import {
  musclesTreated,
  provenanceId,
  sorenessObservationId,
  toFhirFlag,
  toFhirProcedure,
  toFhirProvenance,
  toFhirQuestionnaireResponse,
  toFhirResources,
  toFhirRiskAssessment,
  toFhirSorenessObservation,
  toFhirSymptomObservations,
  toFhirTask,
} from './map.ts';
import {
  CHECKIN_QUESTIONNAIRE_URL,
  CHECKIN_QUESTIONNAIRE_VERSION,
  checkInQuestionnaire,
} from './questionnaire.ts';
import { catalogueRecord } from './test-fixtures.ts';

const record = catalogueRecord();
const sessionOf = (id: string) => {
  const s = record.sessions.find((x) => x.id === id);
  if (s === undefined) throw new Error(id);
  return s;
};

describe('Procedure: the needling session', () => {
  it.each(record.sessions.map((s) => [s.id, s] as const))('%s reads back', (_id, session) => {
    const p: Procedure = JSON.parse(JSON.stringify(toFhirProcedure(session)));
    expect(p.status).toBe('completed');
    expect(p.performedDateTime).toBe(session.performedAt);
    expect(p.subject.reference).toBe(`Patient/${session.patientId}`);
    expect(p.category?.coding?.[0]).toMatchObject({
      system: SYSTEM.snomed,
      code: PHYSICAL_THERAPY_PROCEDURE.code,
    });
    expect(p.code?.coding?.[0]?.code).toBe(musclesTreated(session.sites) <= 2 ? '20560' : '20561');
    expect(p.code?.text).toMatch(/^Dry needling/);
    expect(p.performer?.[0]?.actor.reference).toBe(
      session.practitionerId === null ? undefined : `Practitioner/${session.practitionerId}`,
    );
    // One bodySite per site, muscle code and side recoverable through its BodyStructure.
    const contained = (p.contained ?? []) as BodyStructure[];
    const sites = (p.extension ?? []).map((e, i) => {
      const body = contained.find((c) => `#${c.id}` === e.valueReference?.reference);
      const qualifier = body?.locationQualifier?.[0];
      const side =
        qualifier?.coding?.[0]?.code === LATERALITY.left.code
          ? 'left'
          : qualifier?.coding?.[0]?.code === LATERALITY.right.code
            ? 'right'
            : (qualifier?.text ?? null);
      return {
        muscle: p.bodySite?.[i]?.coding?.[0]?.code,
        bodyMuscle: body?.location?.coding?.[0]?.code,
        side,
      };
    });
    expect(sites).toEqual(
      [...session.sites]
        .sort((a, b) => a.position - b.position)
        .map((s) => ({ muscle: s.muscle, bodyMuscle: s.muscle, side: s.side })),
    );
  });

  it('counts each side of a muscle as a muscle for CPT', () => {
    const site = {
      id: 'a',
      position: 0,
      muscle: 'upper-trapezius',
      side: 'left' as const,
      needleCount: 1,
    };
    expect(musclesTreated([site, { ...site, position: 1, side: 'right' }])).toBe(2);
    expect(musclesTreated([site, { ...site, position: 1 }])).toBe(1);
  });
});

describe('check-ins: QuestionnaireResponse and Observations', () => {
  it.each(record.checkIns.map((c) => [c.id, c] as const))('%s reads back', (_id, checkIn) => {
    const session = sessionOf(checkIn.sessionId);
    const qr: QuestionnaireResponse = JSON.parse(
      JSON.stringify(toFhirQuestionnaireResponse(checkIn, session)),
    );
    expect(qr.questionnaire).toBe(`${CHECKIN_QUESTIONNAIRE_URL}|${CHECKIN_QUESTIONNAIRE_VERSION}`);
    expect(qr.authored).toBe(checkIn.receivedAt);
    const answers = new Map((qr.item ?? []).map((i) => [i.linkId, i.answer ?? []]));
    expect(answers.get('soreness')?.[0]?.valueInteger).toBe(checkIn.soreness);
    expect((answers.get('symptoms') ?? []).map((a) => a.valueCoding?.code)).toEqual([
      ...checkIn.symptoms,
    ]);
    expect(answers.get('note')?.[0]?.valueString).toBe(checkIn.note ?? undefined);

    const soreness: Observation = toFhirSorenessObservation(checkIn, session);
    expect(soreness.id).toBe(sorenessObservationId(checkIn.id));
    expect(soreness.code.coding?.[0]).toMatchObject({
      system: SYSTEM.loinc,
      code: PAIN_SEVERITY_0_10.code,
    });
    expect(soreness.valueInteger).toBe(checkIn.soreness);
    expect(soreness.derivedFrom?.[0]?.reference).toBe(`QuestionnaireResponse/${checkIn.id}`);

    const symptoms = toFhirSymptomObservations(checkIn, session);
    expect(symptoms.map((o) => o.code.coding?.[0]?.code)).toEqual([...checkIn.symptoms]);
    for (const o of symptoms) {
      expect(o.code.coding?.[0]?.system).toBe(SYSTEM.symptom);
      expect(o.code.text).not.toBe('');
      expect(o.valueBoolean).toBe(true);
    }
  });

  it('sends no SNOMED code for a symptom (none is verified: standards.md ⚠)', () => {
    const text = JSON.stringify(
      toFhirResources(record).filter((r) => r.resourceType === 'Observation'),
    );
    expect(text).not.toContain(SYSTEM.snomed);
  });
});

describe('assessments: RiskAssessment and Provenance', () => {
  const assessed = record.checkIns.filter((c) => c.assessment !== null);
  it.each(assessed.map((c) => [c.id, c] as const))('%s reads back', (_id, checkIn) => {
    const a = checkIn.assessment;
    if (a === null) throw new Error('unreachable');
    const session = sessionOf(checkIn.sessionId);
    const ra: RiskAssessment = toFhirRiskAssessment(a, checkIn, session);
    expect(ra.prediction?.[0]?.outcome?.coding?.[0]).toMatchObject({
      system: SYSTEM.disposition,
      code: a.disposition,
    });
    expect(ra.method?.coding?.[0]?.version).toBe(a.rulebookVersion);
    expect((ra.note ?? []).map((n) => n.text.split(':')[0])).toEqual([...a.rules]);
    expect(ra.basis?.map((b) => b.reference)).toContain(`QuestionnaireResponse/${checkIn.id}`);
    const prov: Provenance = toFhirProvenance(a, checkIn);
    expect(prov.id).toBe(provenanceId(a.id));
    expect(prov.target[0]?.reference).toBe(`RiskAssessment/${a.id}`);
    expect(prov.agent[0]?.who.display).toContain(a.rulebookVersion);
    expect(prov.policy?.[0]).toContain(a.rulebookVersion);
  });
});

describe('alerts: Flag and Task', () => {
  it.each(record.alerts.map((a) => [a.id, a] as const))('%s reads back', (_id, alert) => {
    const flag: Flag = toFhirFlag(alert);
    expect(flag.status).toBe(alert.status === 'resolved' ? 'inactive' : 'active');
    expect(flag.code.coding?.[0]?.code).toBe(alert.severity);
    expect(flag.period?.end).toBe(alert.resolvedAt ?? undefined);
    const task: Task = toFhirTask(alert);
    expect(task.status).toBe(
      { open: 'requested', acknowledged: 'in-progress', resolved: 'completed' }[alert.status],
    );
    expect(task.priority).toBe(
      { routine: 'routine', urgent: 'urgent', emergency: 'stat' }[alert.severity],
    );
    expect(task.executionPeriod?.start).toBe(alert.acknowledgedAt ?? undefined);
    expect(task.owner?.reference).toBe(
      alert.acknowledgedBy === null
        ? `Organization/${alert.clinicId}`
        : `Practitioner/${alert.acknowledgedBy}`,
    );
    const resolved = task.note?.find((n) => n.text.startsWith('Resolved'));
    expect(resolved?.text).toBe(
      alert.resolutionNote === null ? undefined : `Resolved: ${alert.resolutionNote}`,
    );
  });

  it('covers every alert state and severity', () => {
    expect(new Set(record.alerts.map((a) => a.status))).toEqual(
      new Set(['open', 'acknowledged', 'resolved']),
    );
    expect(new Set(record.alerts.map((a) => a.severity))).toEqual(
      new Set(['routine', 'urgent', 'emergency']),
    );
  });
});

describe('the check-in Questionnaire', () => {
  it('offers every symptom of the checklist, in English with Spanish translations', () => {
    const q = checkInQuestionnaire();
    const symptoms = q.item?.find((i) => i.linkId === 'symptoms');
    expect(symptoms?.answerOption?.map((o) => o.valueCoding?.code)).toEqual(
      SYMPTOMS.map((s) => s.code),
    );
    const text = JSON.stringify(q);
    for (const s of SYMPTOMS) expect(text).toContain(JSON.stringify(s.label.es));
  });

  it('gives every resource a unique type/id', () => {
    const keys = toFhirResources(record).map((r: Resource) => `${r.resourceType}/${r.id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
