import { type CheckInPlan, planCheckIns } from '../clinical/checkin-plan.ts';
import { type Alert, listAlertsForPatient } from '../store/alerts.repository.ts';
import {
  type CheckInWithAssessment,
  listCheckInsForSession,
} from '../store/checkins.repository.ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import { type Db, withTransaction } from '../store/db.ts';
import {
  findPatient,
  insertPatient,
  type Patient,
  searchPatients as searchPatientRows,
} from '../store/patients.repository.ts';
import { listSessionsForPatient, type NeedlingSession } from '../store/sessions.repository.ts';
import { type Actor, type ClinicActor, requireClinicActor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import type { NewPatientBody } from './schemas/patients.ts';
import { coreSites } from './schemas/views.ts';
import { requireName } from './text.ts';

/** Which door asked, when it is not the JSON API (kept in the audit event's details). */
export type Via = 'dashboard';

function viaDetails(via: Via | undefined): { via?: Via } {
  return via === undefined ? {} : { via };
}

/** Add a patient to the actor's clinic (their language defaults to the clinic's). */
export async function createPatient(
  deps: ServiceDeps,
  actor: Actor,
  input: NewPatientBody,
): Promise<Patient> {
  requireClinicActor(actor);
  const { clock } = deps;
  return withTransaction(deps.db, async (trx) => {
    const clinic = await findClinic(trx, actor.clinicId);
    const created = await insertPatient(trx, {
      clinicId: actor.clinicId,
      displayName: requireName(input.displayName, 'displayName'),
      email: input.email ?? null,
      phone: input.phone ?? null,
      language: input.language ?? clinic?.defaultLanguage ?? 'en',
      createdAt: clock.now(),
    });
    await recordAudit(trx, clock, auditActorOf(actor), {
      action: 'patient.create',
      subjectType: 'patient',
      subjectId: created.id,
      patientId: created.id,
    });
    return created;
  });
}

/** Patients of the actor's clinic by name, e-mail or phone; the ids found are audited. */
export async function searchPatients(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly q: string; readonly limit: number; readonly via?: Via },
): Promise<Patient[]> {
  requireClinicActor(actor);
  const items = await searchPatientRows(deps.db, actor.clinicId, input.q, input.limit);
  await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
    action: 'patient.search',
    subjectType: 'patient',
    subjectId: null,
    details: {
      resultCount: items.length,
      patientIds: items.map((p) => p.id),
      ...viaDetails(input.via),
    },
  });
  return items;
}

/** One patient of the actor's clinic (a foreign or unknown id is `not_found`), audited. */
export async function getPatient(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly patientId: string },
): Promise<Patient> {
  requireClinicActor(actor);
  const patient = await clinicPatient(deps.db, actor, input.patientId);
  await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
    action: 'patient.read',
    subjectType: 'patient',
    subjectId: patient.id,
    patientId: patient.id,
  });
  return patient;
}

async function clinicPatient(db: Db, actor: ClinicActor, patientId: string): Promise<Patient> {
  const patient = await findPatient(db, actor.clinicId, patientId);
  if (patient === undefined) throw new AppError('not_found', 'No such patient.');
  return patient;
}

export interface TimelineEntry {
  readonly session: NeedlingSession;
  readonly plan: CheckInPlan;
  readonly checkIns: readonly CheckInWithAssessment[];
  readonly alerts: readonly Alert[];
}

export interface PatientTimeline {
  readonly patient: Patient;
  readonly clinic: Clinic | undefined;
  /** Newest first. */
  readonly sessions: readonly TimelineEntry[];
}

/** A patient's sessions with their plans, check-ins (with assessments) and alerts, audited. */
export async function readPatientTimeline(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly patientId: string; readonly via?: Via },
): Promise<PatientTimeline> {
  requireClinicActor(actor);
  const { db } = deps;
  const patient = await clinicPatient(db, actor, input.patientId);
  const clinic = await findClinic(db, actor.clinicId);
  const sessions = await listSessionsForPatient(db, actor.clinicId, patient.id);
  const alerts = await listAlertsForPatient(db, actor.clinicId, patient.id);
  const entries: TimelineEntry[] = [];
  for (const session of sessions) {
    entries.push({
      session,
      plan: planOf(session, clinic),
      checkIns: await listCheckInsForSession(db, session.id),
      alerts: alerts.filter((a) => a.sessionId === session.id),
    });
  }
  await recordAudit(db, deps.clock, auditActorOf(actor), {
    action: 'patient.timeline.read',
    subjectType: 'patient',
    subjectId: patient.id,
    patientId: patient.id,
    ...(input.via === undefined ? {} : { details: { via: input.via } }),
  });
  return { patient, clinic, sessions: entries };
}

/** A session's check-in plan under its clinic's settings (the core's defaults without one). */
export function planOf(
  session: NeedlingSession,
  clinic: Pick<Clinic, 'checkInPlanHours' | 'thoracicPlanHours'> | undefined,
): CheckInPlan {
  return planCheckIns(
    { performedAt: session.performedAt, sites: coreSites(session.sites) },
    clinic === undefined
      ? {}
      : { planHours: clinic.checkInPlanHours, thoracicPlanHours: clinic.thoracicPlanHours },
  );
}
