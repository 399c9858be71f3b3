import type { FromSchema } from 'json-schema-to-ts';
import { type RecordedSite, validateSites } from '../clinical/case-schema.ts';
import { type CheckInPlan, planCheckIns } from '../clinical/checkin-plan.ts';
import { isBilateralThoracic, isThoracicSession } from '../clinical/muscles.ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import { type Db, withTransaction } from '../store/db.ts';
import {
  findIdempotentResponse,
  type IdempotentResponse,
  saveIdempotentResponse,
} from '../store/idempotency.repository.ts';
import { keysOf } from '../store/keyring.ts';
import { findPatient, insertPatient, type Patient } from '../store/patients.repository.ts';
import { open, SealError, seal } from '../store/secret-box.ts';
import {
  findNeedlingSession,
  insertNeedlingSession,
  type NeedlingSession,
} from '../store/sessions.repository.ts';
import { type Actor, type ClinicActor, requireClinicActor } from './actors.ts';
import { type AuditActor, auditActorOf, recordAudit } from './audit.ts';
import { cleanText } from './clean-text.ts';
import { HOUR_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { type IssuedLink, issueLink, linkExpiry } from './links.ts';
import { findPossibleDuplicates } from './patient-records.ts';
import { planOf } from './patients.ts';
import type { recordSessionBodySchema } from './schemas/sessions.ts';
import { sha256Hex } from './secrets.ts';
import { readHandover } from './sessions.ts';
import { requireName } from './text.ts';

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

/** A session recorded earlier with a form, as a replay of that form shows it. */
export interface EarlierSession {
  readonly session: NeedlingSession;
  readonly patient: Patient;
  readonly clinic: Clinic;
  readonly plan: CheckInPlan;
}

export type RecordOnce =
  | { readonly kind: 'recorded'; readonly recorded: RecordedSession }
  /**
   * This form was recorded before with the same data (a refresh, a double tap): the session it
   * made, and its one-time link while that link is still the session's active one and the
   * replay comes within `REPLAY_LINK_MS` (decision 1120); else `link` is undefined and the door
   * offers to issue a new one. Nothing is written but the read's audit event.
   */
  | {
      readonly kind: 'already_recorded';
      readonly earlier: EarlierSession;
      readonly link: IssuedLink | undefined;
    }
  /** This form's key recorded a session with other data (another patient, other sites): refused. */
  | { readonly kind: 'key_reused'; readonly earlier: EarlierSession }
  /** Nothing recorded: the quick-added patient looks like these (asked with `checkDuplicates`). */
  | { readonly kind: 'possible_duplicates'; readonly patients: readonly Patient[] };

/** How long a replay of a recorded form shows the same patient link again. */
export const REPLAY_LINK_MS = 24 * HOUR_MS;

/** Rows saved before replays compared the data: any data replays them (without a link). */
const LEGACY_REQUEST_HASH = 'dashboard-record-session';

interface SavedRecording {
  readonly sessionId: string;
  /** The link's token, sealed (`idempotency.record-link`). */
  readonly sealedToken?: string;
}

/**
 * `recordSession` for a form that may be sent twice: `formKey` (from a hidden field) is kept
 * with the session in the same transaction, per staff member, with a hash of what was sent and
 * the new link's token sealed (store/secret-box.ts). A second send with the same data answers
 * with the first session and its link, writing nothing (no session, link, reminder or patient);
 * the same key with other data is `key_reused`, never silently the earlier patient
 * (issue 12, finding 4; decision 1120).
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
  const requestHash = recordingHash(input.body);
  const earlier = await findIdempotentResponse(db, scope, input.formKey);
  if (earlier !== undefined) return replay(deps, actor, earlier, requestHash);
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
      const token = result.link.url.slice(result.link.url.lastIndexOf('/') + 1);
      const response: SavedRecording = {
        sessionId: result.session.id,
        sealedToken: seal(keysOf(trx).secret, 'idempotency.record-link', token),
      };
      const saved = await saveIdempotentResponse(trx, {
        scope,
        key: input.formKey,
        requestHash,
        statusCode: 201,
        response,
        createdAt: clock.now(),
      });
      if (!saved) throw new DuplicateSubmit();
      return result;
    });
    return { kind: 'recorded', recorded };
  } catch (error) {
    if (!(error instanceof DuplicateSubmit)) throw error;
    const first = await findIdempotentResponse(db, scope, input.formKey);
    if (first === undefined) throw error;
    return replay(deps, actor, first, requestHash);
  }
}

/** Rolls back a second recording of one form when a concurrent send stored it first. */
class DuplicateSubmit extends Error {}

/**
 * What a form sent, in one canonical string: the patient (chosen or quick-added, cleaned as
 * stored), the instant, the sites in catalogue-independent order, the notes.
 */
function recordingHash(body: RecordSessionBody): string {
  const p = body.patient;
  const sites = body.sites.map((s) => JSON.stringify(s)).sort();
  const performed = Date.parse(body.performedAt);
  return sha256Hex(
    JSON.stringify({
      patientId: body.patientId ?? null,
      patient:
        p === undefined
          ? null
          : {
              displayName: cleanText(p.displayName, { max: 200 }),
              email: p.email ?? null,
              phone: p.phone ?? null,
              language: p.language ?? null,
              noContact: p.noContact === true,
            },
      performedAt: Number.isNaN(performed) ? body.performedAt : new Date(performed).toISOString(),
      sites,
      notes: body.notes ?? null,
    }),
  );
}

async function replay(
  deps: ServiceDeps,
  actor: ClinicActor,
  prior: IdempotentResponse,
  requestHash: string,
): Promise<RecordOnce> {
  const { db, clock } = deps;
  const saved = (prior.response ?? {}) as Partial<SavedRecording>;
  if (typeof saved.sessionId !== 'string')
    throw new AppError('conflict', 'This form was used before; open a new form.');
  const session = await findNeedlingSession(db, actor.clinicId, saved.sessionId);
  const clinic = await findClinic(db, actor.clinicId);
  const patient = session && (await findPatient(db, actor.clinicId, session.patientId));
  if (session === undefined || clinic === undefined || patient === undefined)
    throw new AppError('not_found', 'The session this form recorded no longer exists.');
  const earlier: EarlierSession = { session, patient, clinic, plan: planOf(session, clinic) };
  const same = prior.requestHash === requestHash || prior.requestHash === LEGACY_REQUEST_HASH;
  const audit = auditActorOf(actor);
  if (!same) {
    await recordAudit(db, clock, audit, {
      action: 'session.record.key_reused',
      subjectType: 'needling_session',
      subjectId: session.id,
      patientId: session.patientId,
    });
    return { kind: 'key_reused', earlier };
  }
  const link = await replayedLink(deps, actor, prior, saved);
  if (link === undefined) {
    // readHandover audits the read when the link is shown; here the page names the patient.
    await recordAudit(db, clock, audit, {
      action: 'session.read',
      subjectType: 'needling_session',
      subjectId: session.id,
      patientId: session.patientId,
      details: { via: 'replay' },
    });
  }
  return { kind: 'already_recorded', earlier, link };
}

/** The recorded form's link again, if it is recent, still opens the session, and unseals. */
async function replayedLink(
  deps: ServiceDeps,
  actor: ClinicActor,
  prior: IdempotentResponse,
  saved: Partial<SavedRecording>,
): Promise<IssuedLink | undefined> {
  if (typeof saved.sealedToken !== 'string' || typeof saved.sessionId !== 'string') return;
  if (Date.parse(prior.createdAt) + REPLAY_LINK_MS <= deps.clock.now().getTime()) return;
  let token: string;
  try {
    token = open(keysOf(deps.db).secret, 'idempotency.record-link', saved.sealedToken);
  } catch (error) {
    if (error instanceof SealError) return; // a retired key: offer a new link instead
    throw error;
  }
  try {
    return (await readHandover(deps, actor, { sessionId: saved.sessionId, token })).link;
  } catch (error) {
    // Revoked (re-issued since) or expired: the replay must not bring it back.
    if (error instanceof AppError && error.code === 'not_found') return;
    throw error;
  }
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
      displayName: requireName(body.patient.displayName, 'patient.displayName'),
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
