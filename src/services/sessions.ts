import type { CheckInPlan } from '../clinical/checkin-plan.ts';
import { type Alert, listAlertsForPatient } from '../store/alerts.repository.ts';
import {
  type CheckInWithAssessment,
  listCheckInsForSession,
} from '../store/checkins.repository.ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { findLinkByTokenHash, listLinksForSession } from '../store/links.repository.ts';
import { findPatient, type Patient } from '../store/patients.repository.ts';
import { findNeedlingSession, type NeedlingSession } from '../store/sessions.repository.ts';
import { type Actor, requireClinicActor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import {
  type IssuedLink,
  issueLink,
  type LinkState,
  linkState,
  revokeActiveLinks,
} from './links.ts';
import { planOf, type Via } from './patients.ts';
import { sha256Hex } from './secrets.ts';
import { productUrls } from './urls.ts';

export interface SessionDetail {
  readonly session: NeedlingSession;
  readonly plan: CheckInPlan;
  readonly checkIns: readonly CheckInWithAssessment[];
  readonly alerts: readonly Alert[];
  readonly links: readonly {
    readonly id: string;
    readonly state: LinkState;
    readonly createdAt: string;
    readonly expiresAt: string;
  }[];
}

/** A session of the actor's clinic with its plan, check-ins, alerts and link states, audited. */
export async function readSession(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly sessionId: string },
): Promise<SessionDetail> {
  requireClinicActor(actor);
  const { db, clock } = deps;
  const { clinicId } = actor;
  const session = await findNeedlingSession(db, clinicId, input.sessionId);
  if (session === undefined) throw new AppError('not_found', 'No such session.');
  const clinic = await findClinic(db, clinicId);
  const now = clock.now();
  const checkIns = await listCheckInsForSession(db, session.id);
  const alerts = await listAlertsForPatient(db, clinicId, session.patientId);
  const links = await listLinksForSession(db, clinicId, session.id);
  await recordAudit(db, clock, auditActorOf(actor), {
    action: 'session.read',
    subjectType: 'needling_session',
    subjectId: session.id,
    patientId: session.patientId,
  });
  return {
    session,
    plan: planOf(session, clinic),
    checkIns,
    alerts: alerts.filter((a) => a.sessionId === session.id),
    links: links.map((l) => ({
      id: l.id,
      state: linkState(l, now),
      createdAt: l.createdAt,
      expiresAt: l.expiresAt,
    })),
  };
}

export interface ReissuedLink {
  readonly session: NeedlingSession;
  readonly patient: Patient;
  readonly clinic: Clinic;
  readonly plan: CheckInPlan;
  readonly link: IssuedLink;
}

/**
 * A new patient link for a session of the actor's clinic (a lost handout): the earlier links
 * stop working, pending reminders move to the new link (`linkIssued`), audited.
 */
export async function reissuePatientLink(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly sessionId: string; readonly via?: Via },
): Promise<ReissuedLink> {
  requireClinicActor(actor);
  const { clinicId } = actor;
  return withTransaction(deps.db, async (trx) => {
    const session = await findNeedlingSession(trx, clinicId, input.sessionId);
    const clinic = await findClinic(trx, clinicId);
    const patient = session && (await findPatient(trx, clinicId, session.patientId));
    if (session === undefined || clinic === undefined || patient === undefined)
      throw new AppError('not_found', 'No such session.');
    const result = await issueLink(trx, deps, { clinic, session, patient }, 'reissued');
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'patient_link.issue',
      subjectType: 'patient_link',
      subjectId: result.link.id,
      patientId: session.patientId,
      details: {
        sessionId: session.id,
        ...(input.via === undefined ? {} : { via: input.via }),
      },
    });
    return { session, patient, clinic, plan: planOf(session, clinic), link: result.issued };
  });
}

/** Revoke every active link of a session of the actor's clinic (`linksRevoked`), audited. */
export async function revokePatientLinks(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly sessionId: string },
): Promise<{ revoked: number }> {
  requireClinicActor(actor);
  const { clinicId } = actor;
  return withTransaction(deps.db, async (trx) => {
    const session = await findNeedlingSession(trx, clinicId, input.sessionId);
    if (session === undefined) throw new AppError('not_found', 'No such session.');
    const now = deps.clock.now();
    const revoked = await revokeActiveLinks(trx, clinicId, session.id, now);
    await deps.events.linksRevoked?.(trx, { session, at: now });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'patient_link.revoke',
      subjectType: 'needling_session',
      subjectId: session.id,
      patientId: session.patientId,
      details: { revoked },
    });
    return { revoked };
  });
}

/**
 * The hand-over of a session again, for the link the clinic already holds (the result page
 * shown in another language, issue 10): the presented token must be an active link of this
 * session in the caller's clinic, else `not_found`. Nothing is issued or revoked; audited as
 * a read of the session.
 */
export async function readHandover(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly sessionId: string; readonly token: string },
): Promise<ReissuedLink> {
  requireClinicActor(actor);
  const { db, clock } = deps;
  const { clinicId } = actor;
  const session = await findNeedlingSession(db, clinicId, input.sessionId);
  const link =
    /^[A-Za-z0-9_-]{43}$/.test(input.token) && session !== undefined
      ? await findLinkByTokenHash(db, sha256Hex(input.token))
      : undefined;
  if (
    session === undefined ||
    link === undefined ||
    link.sessionId !== session.id ||
    link.clinicId !== clinicId ||
    linkState(link, clock.now()) !== 'active'
  )
    throw new AppError('not_found', 'No such session link.');
  const clinic = await findClinic(db, clinicId);
  const patient = await findPatient(db, clinicId, session.patientId);
  if (clinic === undefined || patient === undefined)
    throw new AppError('not_found', 'No such session.');
  await recordAudit(db, clock, auditActorOf(actor), {
    action: 'session.read',
    subjectType: 'needling_session',
    subjectId: session.id,
    patientId: session.patientId,
    details: { via: 'handover' },
  });
  return {
    session,
    patient,
    clinic,
    plan: planOf(session, clinic),
    link: {
      id: link.id,
      url: productUrls(deps.config.publicUrl).patientPage(input.token),
      expiresAt: link.expiresAt,
    },
  };
}
