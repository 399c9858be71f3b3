import type { FromSchema } from 'json-schema-to-ts';
import { type RecordedSite, validateSites } from '../clinical/case-schema.ts';
import { type CheckInPlan, planCheckIns } from '../clinical/checkin-plan.ts';
import { isBilateralThoracic, isThoracicSession } from '../clinical/muscles.ts';
import { findClinic } from '../store/clinics.repository.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { findIdempotentResponse, saveIdempotentResponse } from '../store/idempotency.repository.ts';
import { findPatient, insertPatient, type Patient } from '../store/patients.repository.ts';
import { insertNeedlingSession, type NeedlingSession } from '../store/sessions.repository.ts';
import { type Actor, type ClinicActor, requireClinicActor } from './actors.ts';
import { type AuditActor, auditActorOf, recordAudit } from './audit.ts';
import { requireText } from './clean-text.ts';
import { HOUR_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { type IssuedLink, issueLink, linkExpiry } from './links.ts';
import { findPossibleDuplicates } from './patient-records.ts';
import type { recordSessionBodySchema } from './schemas/sessions.ts';

/**
 * What a door hands over: the body of the route schema (or what the dashboard form parser
 * produced). Sites stay `unknown` here: the clinical core's `validateSites` checks them.
 */
export type RecordSessionBody = Omit<FromSchema<typeof recordSessionBodySchema>, 'sites'> & {
  readonly sites: readonly unknown[];
};

export interface SessionWarning {
  readonly code: 'bilateral_thoracic';
  readonly message: string;
}

export interface RecordedSession {
  readonly session: NeedlingSession;
  readonly patient: Patient;
  readonly plan: CheckInPlan;
  readonly warnings: readonly SessionWarning[];
  readonly link: IssuedLink;
}

/** How far in the future a session time may lie (clock skew), and how far back it may be recorded. */
const FUTURE_SLACK_MS = 5 * 60_000;
const MAX_BACKDATE_MS = 30 * 24 * HOUR_MS;

function invalid(errors: FieldIssue[]): AppError {
  return new AppError('validation_failed', `Invalid ${errors.map((e) => e.field).join(', ')}`, {
    errors,
  });
}

/** Check what the schema cannot: one patient reference, sites via the clinical core, a sane time. */
function checkInput(body: RecordSessionBody, now: Date): RecordedSite[] {
  const errors: FieldIssue[] = [];
  if ((body.patientId === undefined) === (body.patient === undefined)) {
    errors.push({
      field: 'patientId',
      message: 'give either patientId or patient (quick add), not both or neither',
    });
  }
  // The clinic must be able to act on an alert at once: a route to the patient, or an explicit
  // "no contact given" that the alert then states (issue 10, decision 1210).
  const p = body.patient;
  if (p !== undefined && p.email === undefined && p.phone === undefined && p.noContact !== true)
    errors.push({
      field: 'patient.contact',
      message: 'give a phone or an e-mail, or noContact: true to say the patient gave neither',
    });
  const sites = validateSites(body.sites);
  if (!sites.ok) errors.push(...sites.error.map((i) => ({ field: i.path, message: i.message })));
  const performed = Date.parse(body.performedAt);
  if (performed > now.getTime() + FUTURE_SLACK_MS)
    errors.push({ field: 'performedAt', message: 'must not be in the future' });
  if (performed < now.getTime() - MAX_BACKDATE_MS)
    errors.push({ field: 'performedAt', message: 'must be within the last 30 days' });
  if (errors.length > 0 || !sites.ok) throw invalid(errors);
  return sites.value;
}

/**
 * Record a session in one transaction: (quick-add patient), session with sites, patient link
 * with its `linkIssued` event (reminders), audit events. The core decides thoracic,
 * bilateral-thoracic and the check-in plan. Staff and API tokens of the clinic only.
 */
export async function recordSession(
  deps: ServiceDeps,
  actor: Actor,
  body: RecordSessionBody,
): Promise<RecordedSession> {
  requireClinicActor(actor);
  const sites = checkInput(body, deps.clock.now());
  return withTransaction(deps.db, (trx) => writeSession(trx, deps, actor, body, sites));
}

export type RecordOnce =
  | { readonly kind: 'recorded'; readonly recorded: RecordedSession }
  /** This form was recorded before (a refresh, a double tap): the session it made. */
  | { readonly kind: 'already_recorded'; readonly sessionId: string }
  /** Nothing recorded: the quick-added patient looks like these (asked with `checkDuplicates`). */
  | { readonly kind: 'possible_duplicates'; readonly patients: readonly Patient[] };

/**
 * `recordSession` for a form that may be sent twice: `formKey` (from a hidden field) is kept
 * with the session in the same transaction, per staff member, and a second send answers with
 * the session the first one made instead of recording another.
 */
export async function recordSessionOnce(
  deps: ServiceDeps,
  actor: Actor,
  input: {
    readonly body: RecordSessionBody;
    readonly formKey: string;
    /**
     * Before adding a quick-added patient, look for one with the same name and the same phone
     * or e-mail, and answer `possible_duplicates` instead of recording (issue 11). A form
     * already recorded answers `already_recorded` first, so a refresh never asks.
     */
    readonly checkDuplicates?: boolean;
  },
): Promise<RecordOnce> {
  requireClinicActor(actor);
  const { db, clock } = deps;
  const who = actor.kind === 'staff' ? actor.userId : actor.tokenId;
  const scope = `record-session:${actor.clinicId}:${who}`;
  const earlier = await recordedSessionOf(db, scope, input.formKey);
  if (earlier !== undefined) return { kind: 'already_recorded', sessionId: earlier };
  const sites = checkInput(input.body, clock.now());
  const quick = input.body.patient;
  if (input.checkDuplicates === true && quick !== undefined && input.body.patientId === undefined) {
    const patients = await findPossibleDuplicates(deps, actor, {
      displayName: quick.displayName,
      ...(quick.email === undefined ? {} : { email: quick.email }),
      ...(quick.phone === undefined ? {} : { phone: quick.phone }),
    });
    if (patients.length > 0) return { kind: 'possible_duplicates', patients };
  }
  try {
    const recorded = await withTransaction(db, async (trx) => {
      const result = await writeSession(trx, deps, actor, input.body, sites);
      const saved = await saveIdempotentResponse(trx, {
        scope,
        key: input.formKey,
        requestHash: 'dashboard-record-session',
        statusCode: 201,
        response: { sessionId: result.session.id },
        createdAt: clock.now(),
      });
      if (!saved) throw new DuplicateSubmit();
      return result;
    });
    return { kind: 'recorded', recorded };
  } catch (error) {
    if (!(error instanceof DuplicateSubmit)) throw error;
    const first = await recordedSessionOf(db, scope, input.formKey);
    if (first === undefined) throw error;
    return { kind: 'already_recorded', sessionId: first };
  }
}

/** Rolls back a second recording of one form when a concurrent send stored it first. */
class DuplicateSubmit extends Error {}

async function recordedSessionOf(db: Db, scope: string, key: string): Promise<string | undefined> {
  const prior = await findIdempotentResponse(db, scope, key);
  const sessionId = (prior?.response as { sessionId?: unknown } | undefined)?.sessionId;
  return typeof sessionId === 'string' ? sessionId : undefined;
}

async function writeSession(
  trx: Db,
  deps: ServiceDeps,
  actor: ClinicActor,
  body: RecordSessionBody,
  sites: RecordedSite[],
): Promise<RecordedSession> {
  const { clock } = deps;
  const now = clock.now();
  const performedAt = new Date(body.performedAt).toISOString();
  const thoracic = isThoracicSession(sites);
  const bilateral = isBilateralThoracic(sites);
  const audit: AuditActor = auditActorOf(actor);
  const clinic = await findClinic(trx, actor.clinicId);
  if (clinic === undefined) throw new AppError('not_found', 'Your clinic no longer exists.');
  if (linkExpiry(clinic, performedAt).getTime() <= now.getTime()) {
    throw invalid([
      {
        field: 'performedAt',
        message: `must be within the aftercare period (${clinic.linkTtlDays} days)`,
      },
    ]);
  }
  let patient: Patient | undefined;
  if (body.patientId !== undefined) {
    patient = await findPatient(trx, clinic.id, body.patientId);
    if (patient === undefined) {
      throw new AppError('not_found', 'No such patient.', {
        errors: [{ field: 'patientId', message: 'no such patient' }],
      });
    }
    if (patient.erasedAt !== null) {
      throw new AppError('conflict', 'This patient was erased.', {
        errors: [{ field: 'patientId', message: 'was erased' }],
      });
    }
  } else if (body.patient !== undefined) {
    patient = await insertPatient(trx, {
      clinicId: clinic.id,
      displayName: requireText(body.patient.displayName, 'patient.displayName', { max: 200 }),
      email: body.patient.email ?? null,
      phone: body.patient.phone ?? null,
      language: body.patient.language ?? clinic.defaultLanguage,
      createdAt: now,
    });
    await recordAudit(trx, clock, audit, {
      action: 'patient.create',
      subjectType: 'patient',
      subjectId: patient.id,
      patientId: patient.id,
    });
  }
  if (patient === undefined) throw invalid([{ field: 'patientId', message: 'is required' }]);

  const session = await insertNeedlingSession(trx, {
    clinicId: clinic.id,
    patientId: patient.id,
    practitionerId: actor.kind === 'staff' ? actor.userId : null,
    performedAt,
    thoracic,
    bilateralThoracic: bilateral,
    notes: body.notes ?? null,
    createdAt: now,
    sites: sites.map((s) => ({
      muscle: s.muscle,
      side: s.side ?? null,
      needleCount: s.needleCount ?? null,
    })),
  });
  const { issued } = await issueLink(trx, deps, { clinic, session, patient }, 'session_recorded');
  await recordAudit(trx, clock, audit, {
    action: 'session.create',
    subjectType: 'needling_session',
    subjectId: session.id,
    patientId: patient.id,
    details: { linkId: issued.id, thoracic, bilateralThoracic: bilateral },
  });
  const plan = planCheckIns(
    { performedAt, sites },
    { planHours: clinic.checkInPlanHours, thoracicPlanHours: clinic.thoracicPlanHours },
  );
  const warnings: SessionWarning[] = bilateral
    ? [
        {
          code: 'bilateral_thoracic',
          message:
            'Thoracic muscles were needled on both the left and the right: guidance advises against it (bilateral pneumothorax risk).',
        },
      ]
    : [];
  return { session, patient, plan, warnings, link: issued };
}
