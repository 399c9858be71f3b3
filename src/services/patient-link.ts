import { type CheckInPlan, planCheckIns } from '../clinical/checkin-plan.ts';
import { type ClinicOpenStatus, clinicIsOpen, coverageIsUnset } from '../clinical/clinic-hours.ts';
import { compareDispositions, type Disposition } from '../clinical/types.ts';
import {
  type Alert,
  type AlertSeverity,
  findOpenAlertForSession,
} from '../store/alerts.repository.ts';
import {
  type CheckInWithAssessment,
  listCheckInsForSession,
} from '../store/checkins.repository.ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import {
  findLinkByTokenHash,
  findLinkWithClinicState,
  type PatientLink,
} from '../store/links.repository.ts';
import { findPatient, type Patient } from '../store/patients.repository.ts';
import { findNeedlingSession, type NeedlingSession } from '../store/sessions.repository.ts';
import type { Actor, LinkActor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { readJobSettings } from './job-settings.ts';
import { linkState } from './links.ts';
import { coreSites } from './schemas/views.ts';
import { linkTokenHash } from './secrets.ts';

export type ActiveLink = PatientLink & { readonly patientId: string };

/** The longest token any door accepts (the API's schema says 128; the pages allow up to 200). */
const MAX_TOKEN_LENGTH = 200;

/**
 * The link a token opens, or an `AppError` that reveals nothing about any session: `not_found`
 * for an unknown token, `link_gone` for an expired or revoked one, which is audited
 * (docs/decisions/0200-patient-links.md). The caller then acts as `requestLinkActor(link)`.
 */
export async function resolvePatientLink(
  deps: ServiceDeps,
  actor: Actor,
  token: string,
): Promise<ActiveLink> {
  const found =
    token.length === 0 || token.length > MAX_TOKEN_LENGTH
      ? undefined
      : await findLinkWithClinicState(deps.db, linkTokenHash(token));
  if (found === undefined) {
    throw new AppError(
      'not_found',
      'This link is not valid. Please ask your clinic for a new one.',
    );
  }
  const { link } = found;
  const linkStatus = linkState(link, deps.clock.now());
  // A suspended clinic's links open no form: the "link gone" page names the clinic's phone.
  const state =
    linkStatus === 'active' && found.clinicSuspendedAt !== null ? 'clinic_suspended' : linkStatus;
  if (state !== 'active') throw await refuseLink(deps, asLinkActor(actor, link), link, state);
  return link;
}

/** Why a link takes no request: `linkState`, or its clinic is suspended. */
export type RefusedLinkState = 'expired' | 'revoked' | 'clinic_suspended';

/**
 * A link that no longer works was used: the use is audited (`patient_link.refused`) and the
 * error to throw, `link_gone`, is returned. The door calls it, and so does a check-in that
 * finds its link withdrawn under the session's lock (decision 1443).
 */
export async function refuseLink(
  deps: ServiceDeps,
  actor: LinkActor,
  link: PatientLink,
  state: RefusedLinkState,
): Promise<AppError> {
  forgetLink(deps, link);
  await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
    action: 'patient_link.refused',
    subjectType: 'patient_link',
    subjectId: link.id,
    details: { state },
  });
  return new AppError(
    'link_gone',
    'This link has expired or was withdrawn. Please ask your clinic for a new one.',
  );
}

/**
 * Links opened by a check-in lately, by token hash, per database handle (decision 1443). What
 * is kept never changes for a link: its id, session, clinic, patient and expiry. Whether it
 * was revoked, or its clinic suspended, can change, so a check-in through a remembered link
 * checks both inside its own transaction, after the session's lock (`submitCheckIn`); a link
 * refused there is forgotten, and its next use is refused at the door.
 */
const rememberedLinks = new WeakMap<object, Map<string, ActiveLink>>();

/** At most this many links are remembered per database handle; the oldest use goes first. */
export const REMEMBERED_LINKS = 10_000;

function rememberedOf(deps: ServiceDeps): Map<string, ActiveLink> {
  let links = rememberedLinks.get(deps.db);
  if (links === undefined) {
    links = new Map();
    rememberedLinks.set(deps.db, links);
  }
  return links;
}

function forgetLink(deps: ServiceDeps, link: PatientLink): void {
  rememberedLinks.get(deps.db)?.delete(link.tokenHash);
}

/**
 * The link for a check-in without an `Idempotency-Key`: `resolvePatientLink`, remembered for
 * the next check-in through the same token, which then reads nothing before its group
 * (decision 1443). A remembered link past its expiry goes through the door again and is
 * refused there; revocation and a suspended clinic are caught by `submitCheckIn`, which checks
 * them under the session's lock.
 */
export async function resolvePatientLinkForCheckIn(
  deps: ServiceDeps,
  actor: Actor,
  token: string,
): Promise<ActiveLink> {
  const links = rememberedOf(deps);
  const hash = token.length === 0 || token.length > MAX_TOKEN_LENGTH ? '' : linkTokenHash(token);
  const known = links.get(hash);
  if (known !== undefined && linkState(known, deps.clock.now()) === 'active') {
    // Most recent use last, so the first entry is the one to drop.
    links.delete(hash);
    links.set(hash, known);
    return known;
  }
  const link = await resolvePatientLink(deps, actor, token);
  links.set(link.tokenHash, link);
  if (links.size > REMEMBERED_LINKS) links.delete(links.keys().next().value as string);
  return link;
}

/**
 * How long after a link was withdrawn (a new one issued, or revoked by staff) or ran out its
 * emergency button still records the emergency (decision 1202). A patient may still hold the
 * old printout or page; an emergency must never meet "this link no longer works".
 */
export const EMERGENCY_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * The link for the emergency button: `resolvePatientLink`, except that a link revoked or
 * expired less than `EMERGENCY_GRACE_MS` ago is still accepted (the use is audited as
 * `patient_link.emergency_grace`). `active` says whether it is an ordinary, working link.
 */
export async function resolveLinkForEmergency(
  deps: ServiceDeps,
  actor: Actor,
  token: string,
): Promise<{ link: ActiveLink; active: boolean }> {
  try {
    return { link: await resolvePatientLink(deps, actor, token), active: true };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'link_gone') throw error;
    const link = await findLinkByTokenHash(deps.db, linkTokenHash(token));
    if (link === undefined) throw error;
    const now = deps.clock.now().getTime();
    const endedAt = Math.min(
      Date.parse(link.expiresAt),
      link.revokedAt === null ? Number.POSITIVE_INFINITY : Date.parse(link.revokedAt),
    );
    if (now - endedAt >= EMERGENCY_GRACE_MS) throw error;
    await recordAudit(deps.db, deps.clock, auditActorOf(asLinkActor(actor, link)), {
      action: 'patient_link.emergency_grace',
      subjectType: 'patient_link',
      subjectId: link.id,
      details: { state: linkState(link, deps.clock.now()) },
    });
    return { link, active: false };
  }
}

/**
 * The clinic of a link that no longer works, so the "link gone" page can speak the clinic's
 * language and name its phone number. Nothing about the patient or the session.
 */
export async function clinicOfGoneLink(
  deps: ServiceDeps,
  token: string,
): Promise<Clinic | undefined> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  const link = await findLinkByTokenHash(deps.db, linkTokenHash(token));
  if (link === undefined) return undefined;
  const clinic = await findClinic(deps.db, link.clinicId);
  if (linkState(link, deps.clock.now()) === 'active' && clinic?.suspendedAt == null)
    return undefined;
  return clinic;
}

/** The holder of `link`, from wherever the actor's request came. */
function asLinkActor(actor: Actor, link: { id: string; clinicId: string }): LinkActor {
  return {
    kind: 'patient_link',
    linkId: link.id,
    clinicId: link.clinicId,
    ip: actor.ip,
    requestId: actor.requestId,
  };
}

/** Refuse a link actor acting on another link than its own. */
export function requireOwnLink(actor: LinkActor, link: ActiveLink): void {
  if (actor.linkId !== link.id || actor.clinicId !== link.clinicId) {
    throw new AppError('not_found', 'This link is not valid.');
  }
}

/** One session as its link holder sees it: what was done, the plan, the check-ins. */
export interface PatientSession {
  readonly link: ActiveLink;
  readonly session: NeedlingSession;
  readonly clinic: Clinic;
  /** For the page language only; never shown. */
  readonly patientLanguage: Patient['language'] | undefined;
  readonly plan: CheckInPlan;
  readonly checkIns: readonly CheckInWithAssessment[];
  /** The session's open alert, if any (its severity and status only are ever shown). */
  readonly openAlert: Alert | undefined;
}

/** What a patient reads, named in its audit event (`patient_link.read` for the JSON API). */
export type PatientRead = 'api' | 'session' | 'check_in_form' | 'handout';

const READ_ACTION: Readonly<Record<PatientRead, string>> = {
  api: 'patient_link.read',
  session: 'patient_page.session.read',
  check_in_form: 'patient_page.check_in_form.read',
  handout: 'patient_page.handout.read',
};

/**
 * Load the link's session for a page that only answers a form post (the post itself is
 * audited by the check-in it stores). Pages that show the session use `readPatientSession`.
 */
export async function openPatientSession(
  deps: ServiceDeps,
  actor: LinkActor,
  link: ActiveLink,
): Promise<PatientSession> {
  requireOwnLink(actor, link);
  const { db } = deps;
  const session = await findNeedlingSession(db, link.clinicId, link.sessionId);
  const clinic = await findClinic(db, link.clinicId);
  if (session === undefined || clinic === undefined) {
    throw new AppError('not_found', 'This link is not valid.');
  }
  const patient = await findPatient(db, link.clinicId, link.patientId);
  return {
    link,
    session,
    clinic,
    patientLanguage: patient?.language,
    plan: planCheckIns(
      { performedAt: session.performedAt, sites: coreSites(session.sites) },
      { planHours: clinic.checkInPlanHours, thoracicPlanHours: clinic.thoracicPlanHours },
    ),
    checkIns: await listCheckInsForSession(db, session.id),
    openAlert: await findOpenAlertForSession(db, session.id),
  };
}

/** The link's session, read by its holder: audited as `what` (one event per page shown). */
export async function readPatientSession(
  deps: ServiceDeps,
  actor: LinkActor,
  input: { readonly link: ActiveLink; readonly what: PatientRead },
): Promise<PatientSession> {
  const view = await openPatientSession(deps, actor, input.link);
  await auditRead(deps, actor, view, READ_ACTION[input.what]);
  return view;
}

async function auditRead(
  deps: ServiceDeps,
  actor: LinkActor,
  view: PatientSession,
  action: string,
  details?: Readonly<Record<string, string>>,
): Promise<void> {
  await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
    action,
    subjectType: 'needling_session',
    subjectId: view.session.id,
    patientId: view.session.patientId,
    ...(details === undefined ? {} : { details }),
  });
}

/** Clinic alert severity → the disposition it stands for (RULES.md "Dispositions"). */
const SEVERITY_DISPOSITION: Readonly<Record<AlertSeverity, Disposition>> = {
  routine: 'contact_practitioner',
  urgent: 'urgent_same_day',
  emergency: 'emergency',
};

export interface CheckInAnswer extends PatientSession {
  readonly checkIn: CheckInWithAssessment & {
    readonly assessment: NonNullable<CheckInWithAssessment['assessment']>;
  };
  /**
   * An earlier answer, still unacknowledged by the clinic, that asked for more than this one
   * (urgent or emergency): the patient is reminded of it rather than reassured.
   */
  readonly earlierUnacknowledged: Disposition | undefined;
  /** Is the clinic staffed now; when not, the patient is told who reads the answer when. */
  readonly clinicStatus: ClinicOpenStatus;
  /** False when the clinic configured no staffed hours: then nobody promises when it is read. */
  readonly staffedHoursSet: boolean;
  readonly afterHoursPhone: string | null;
}

/**
 * What the care page must open with: the latest answer when it is urgent or an emergency, or
 * the session's open (unacknowledged) alert when that asks for more. Undefined otherwise.
 */
export function actionNeeded(view: PatientSession): Disposition | undefined {
  const latest = view.checkIns.at(-1)?.assessment?.disposition;
  const open = view.openAlert;
  const fromAlert =
    open === undefined || open.status !== 'open' ? undefined : SEVERITY_DISPOSITION[open.severity];
  const candidates = [latest, fromAlert].filter((d): d is Disposition => d !== undefined);
  const highest = candidates.sort((x, y) => compareDispositions(y, x))[0];
  return highest !== undefined && compareDispositions(highest, 'urgent_same_day') >= 0
    ? highest
    : undefined;
}

/**
 * The answer to one of the link's check-ins, read by its holder (audited). `undefined` when
 * the check-in is not this session's or has no assessment.
 */
export async function readCheckInAnswer(
  deps: ServiceDeps,
  actor: LinkActor,
  input: { readonly link: ActiveLink; readonly checkInId: string },
): Promise<CheckInAnswer | undefined> {
  const view = await openPatientSession(deps, actor, input.link);
  const checkIn = view.checkIns.find((c) => c.id === input.checkInId);
  if (checkIn === undefined || checkIn.assessment === null) return undefined;
  const assessment = checkIn.assessment;
  await auditRead(deps, actor, view, 'patient_page.answer.read', { checkInId: checkIn.id });
  const open = view.openAlert;
  const openDisposition = open === undefined ? undefined : SEVERITY_DISPOSITION[open.severity];
  const earlier =
    openDisposition !== undefined &&
    compareDispositions(openDisposition, 'urgent_same_day') >= 0 &&
    compareDispositions(openDisposition, assessment.disposition) > 0
      ? openDisposition
      : undefined;
  // Assigned, not spread into copies with more properties (decision 1446).
  return Object.assign({}, view, {
    checkIn: Object.assign({}, checkIn, { assessment }),
    earlierUnacknowledged: earlier,
    clinicStatus: clinicIsOpen(view.clinic, deps.clock.now()),
    staffedHoursSet: !coverageIsUnset(view.clinic.coverage),
    afterHoursPhone: readJobSettings(view.clinic.escalation).afterHoursPhone,
  });
}
