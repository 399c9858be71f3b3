import type { FromSchema } from 'json-schema-to-ts';
import {
  type AlertQueueEntry as AlertQueueRow,
  listAlertQueue,
  listReportsWhileOpen,
} from '../store/alert-queue.repository.ts';
import {
  ALERT_OUTCOMES,
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  type Alert,
  type AlertOutcome,
  type ContactAttempt,
  countOpenAlertsBySeverity,
  findAlert,
  insertContactAttempt,
  listAlerts,
  listContactAttempts,
  acknowledgeAlert as markAcknowledged,
  resolveAlert as markResolved,
  OUTCOME_CLASSES,
  type OutcomeClass,
} from '../store/alerts.repository.ts';
import type { CheckInWithAssessment } from '../store/checkins.repository.ts';
import { withTransaction } from '../store/db.ts';
import { findPatientsByIds } from '../store/patients.repository.ts';
import { listStaff } from '../store/staff.repository.ts';
import { type Actor, type ClinicActor, requireClinicActor, requireStaff } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { isUuid } from './ids.ts';

/** The longest resolution note, in characters. */
export const NOTE_MAX_LENGTH = 2000;

export const alertListSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ALERT_STATUSES },
    severity: { type: 'string', enum: ALERT_SEVERITIES },
    limit: {
      type: 'string',
      pattern: '^([1-9][0-9]{0,2}|1000)$',
      default: '100',
      description: '1 to 1000',
    },
  },
} as const;

export type AlertListQuery = FromSchema<typeof alertListSchema>;

/**
 * Resolving says what was done (a note that is not blank) and how it turned out: a confirmed
 * adverse event with its class, a false alarm, or unrelated to the needling (decision 1213).
 * Checked here, behind every door.
 */
export const resolveAlertSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['note', 'outcome'],
  properties: {
    note: {
      type: 'string',
      minLength: 1,
      maxLength: NOTE_MAX_LENGTH,
      description: 'What was done (not blank)',
    },
    outcome: {
      type: 'string',
      enum: ALERT_OUTCOMES,
      description: 'confirmed (an adverse event; give outcomeClass), false_alarm or unrelated',
    },
    outcomeClass: {
      type: 'string',
      enum: OUTCOME_CLASSES,
      description: 'The class of a confirmed adverse event (required when outcome is confirmed)',
    },
  },
} as const;

/** Acknowledging may say what happened ("called, no answer"): the first contact attempt. */
export const acknowledgeAlertSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    note: { type: 'string', maxLength: NOTE_MAX_LENGTH, description: 'Optional: what happened' },
  },
} as const;

/** A further attempt to reach the patient, recorded on the same alert. */
export const contactAttemptSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['note'],
  properties: {
    note: {
      type: 'string',
      minLength: 1,
      maxLength: NOTE_MAX_LENGTH,
      description: 'What happened (not blank), e.g. "called again, left a message"',
    },
  },
} as const;

/** How to reach the patient of an alert; `noContactGiven` when neither route was recorded. */
export interface PatientContact {
  readonly email: string | null;
  readonly phone: string | null;
  readonly noContactGiven: boolean;
}

/** An alert with what the clinic needs to act on it: how to reach the patient, and who tried. */
export interface AlertDetail {
  readonly alert: Alert;
  readonly contact: PatientContact;
  readonly attempts: readonly ContactAttempt[];
  /**
   * The other reports above self-care made while the alert was open, newest first: lower or
   * equal ones left it as it was, and a raise pointed it at the newer one (decision 1225).
   */
  readonly alsoReported: readonly CheckInWithAssessment[];
}

function contactOf(
  patient: { readonly email: string | null; readonly phone: string | null } | undefined,
): PatientContact {
  const email = patient?.email ?? null;
  const phone = patient?.phone ?? null;
  return { email, phone, noContactGiven: email === null && phone === null };
}

/** Trim a note and check it: blank refused when `required`, too long always refused. */
function cleanNote(raw: string | undefined, required: boolean): string {
  // Control characters (NUL among them) cannot be stored everywhere and mean nothing here.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const note = (raw ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
  if ((required && note === '') || note.length > NOTE_MAX_LENGTH) {
    throw new AppError('validation_failed', 'Invalid note', {
      errors: [
        {
          field: 'note',
          message:
            note === ''
              ? 'must say what was done (not blank)'
              : `must be at most ${NOTE_MAX_LENGTH} characters`,
        },
      ],
    });
  }
  return note;
}

async function detailsOf(
  db: ServiceDeps['db'],
  clinicId: string,
  alerts: readonly Alert[],
): Promise<AlertDetail[]> {
  // One read each for all the alerts, not one per alert (issue 14), sent together: on
  // PostgreSQL three round trips at once (decision 1452).
  const [attempts, patients, also] = await Promise.all([
    listContactAttempts(
      db,
      clinicId,
      alerts.map((a) => a.id),
    ),
    findPatientsByIds(
      db,
      clinicId,
      alerts.map((a) => a.patientId),
    ),
    listReportsWhileOpen(db, clinicId, alerts),
  ]);
  return alerts.map((alert) => ({
    alert,
    contact: contactOf(patients.get(alert.patientId)),
    attempts: attempts.get(alert.id) ?? [],
    alsoReported: also.get(alert.id) ?? [],
  }));
}

export type ResolveAlertInput = FromSchema<typeof resolveAlertSchema>;

/** Audit one read of alerts: which patients' alerts the caller saw. */
async function auditAlertRead(
  deps: ServiceDeps,
  actor: ClinicActor,
  alerts: readonly Alert[],
): Promise<void> {
  await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
    action: 'alert.list',
    subjectType: 'alert',
    subjectId: null,
    details: {
      resultCount: alerts.length,
      patientIds: [...new Set(alerts.map((a) => a.patientId))],
    },
  });
}

/** The clinic's alerts: open first, most severe first, longest waiting first. Audited. */
export async function listClinicAlerts(
  deps: ServiceDeps,
  actor: Actor,
  query: AlertListQuery,
): Promise<AlertDetail[]> {
  requireClinicActor(actor);
  const alerts = await listAlerts(deps.db, actor.clinicId, {
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.severity === undefined ? {} : { severity: query.severity }),
    limit: Number(query.limit ?? '100'),
  });
  // The audit event is written while the details are read (decision 1455).
  const [details] = await Promise.all([
    detailsOf(deps.db, actor.clinicId, alerts),
    auditAlertRead(deps, actor, alerts),
  ]);
  return details;
}

/** One alert as the queue shows it: with the patient's name and the check-in that raised it. */
/** One queue line: the alert, its patient and check-in, and what the clinic needs to act. */
export interface AlertQueueEntry extends AlertQueueRow {
  /** How to reach the patient now. */
  readonly contact: PatientContact;
  /** Attempts to reach the patient, oldest first. */
  readonly attempts: readonly ContactAttempt[];
  /** As `AlertDetail.alsoReported` (decision 1225). */
  readonly alsoReported: readonly CheckInWithAssessment[];
}

export interface AlertQueueData {
  /** Open alerts: emergency, urgent, routine, then the longest waiting first. */
  readonly open: readonly AlertQueueEntry[];
  readonly acknowledged: readonly AlertQueueEntry[];
  /** The last few resolved, newest first: who did what. */
  readonly resolved: readonly AlertQueueEntry[];
  readonly openEmergencies: number;
  /** Open urgent and emergency alerts: the number in the tab title. */
  readonly openUrgentOrEmergency: number;
  readonly staffNames: ReadonlyMap<string, string>;
  /**
   * The live list's fingerprint of what this read saw, as `readAlertQueueSignature` gives it:
   * the page carries it without reading the alerts a second time (decision 1452).
   */
  readonly signature: string;
}

const RESOLVED_SHOWN = 10;
/** Unresolved alerts the queue shows, and the live list's fingerprint covers. */
const ACTIVE_SHOWN = 500;

/**
 * The fingerprint of a clinic's unresolved alerts, in the queue's order: it changes whenever
 * one is raised, escalated, acknowledged or resolved, or an open one gains a report that left
 * it as it was (decision 1225). Ids, statuses, severities and counts only.
 */
function signatureOf(active: readonly Alert[], alsoReported: (alert: Alert) => number): string {
  return active
    .map(
      (a) => `${a.id}:${a.status[0]}${a.severity[0]}${a.status === 'open' ? alsoReported(a) : 0}`,
    )
    .join(',');
}

/** Everything the alert queue shows for the caller's clinic. Audited as an alert read. */
export function readAlertQueue(deps: ServiceDeps, actor: Actor): Promise<AlertQueueData> {
  return readAlertQueueThen(deps, actor, (data) => data);
}

/**
 * As `readAlertQueue`, handing the queue to `use` (the page's rendering) as soon as it has been
 * read, while the audit event of the read is still being committed. `use`'s result comes back
 * only once that event is committed, so nothing read leaves unaudited; if the event fails, the
 * result is dropped and the error thrown. Until decision 1462 the rendering waited for the
 * commit.
 */
export async function readAlertQueueThen<T>(
  deps: ServiceDeps,
  actor: Actor,
  use: (data: AlertQueueData) => T,
): Promise<T> {
  requireClinicActor(actor);
  const { db } = deps;
  const clinicId = actor.clinicId;
  // Two statements whatever the number of alerts (issue 14; src/store/alert-queue.repository.ts)
  // and the staff's names, sent together; then one read each for the contact attempts, the
  // patients and the reports beside the alerts, sent together with the audit event: which
  // alerts and patients were read is known once the lists are in (decision 1455).
  const [rows, staff] = await Promise.all([
    listAlertQueue(db, clinicId, {
      activeLimit: ACTIVE_SHOWN,
      resolvedShown: RESOLVED_SHOWN,
    }),
    listStaff(db, clinicId),
  ]);
  const active = rows.active.map((e) => e.alert);
  const resolved = rows.resolved.map((e) => e.alert);
  const audited = auditAlertRead(deps, actor, [...active, ...resolved]);
  // Handled from the start, so that a failed read below leaves no unhandled rejection.
  audited.catch(() => undefined);
  let alertDetails: AlertDetail[];
  try {
    alertDetails = await detailsOf(db, clinicId, [...active, ...resolved]);
  } catch (error) {
    await audited.catch(() => undefined);
    throw error;
  }
  const details = new Map(alertDetails.map((d) => [d.alert.id, d]));
  const withDetails = (row: AlertQueueRow): AlertQueueEntry => {
    const detail = details.get(row.alert.id);
    return {
      ...row,
      contact: detail?.contact ?? contactOf(undefined),
      attempts: detail?.attempts ?? [],
      alsoReported: detail?.alsoReported ?? [],
    };
  };
  const entries = rows.active.map(withDetails);
  const resolvedEntries = rows.resolved.map(withDetails);
  const staffNames = new Map(staff.map((s) => [s.id, s.displayName]));
  const open = entries.filter((i) => i.alert.status === 'open');
  const result = use({
    open,
    acknowledged: entries.filter((i) => i.alert.status === 'acknowledged'),
    resolved: resolvedEntries,
    openEmergencies: open.filter((i) => i.alert.severity === 'emergency').length,
    openUrgentOrEmergency: open.filter((i) => i.alert.severity !== 'routine').length,
    staffNames,
    signature: signatureOf(active, (a) => details.get(a.id)?.alsoReported.length ?? 0),
  });
  await audited;
  return result;
}

/**
 * The fingerprint of the clinic's unresolved alerts (`signatureOf`), read on each tick of the
 * live list. No patient data, so not audited; being read from the database, it sees writes of
 * every app process.
 */
export async function readAlertQueueSignature(
  deps: ServiceDeps,
  actor: Actor,
): Promise<{ signature: string; openEmergencies: number; openUrgentOrEmergency: number }> {
  requireClinicActor(actor);
  const active = await listAlerts(deps.db, actor.clinicId, {
    status: ['open', 'acknowledged'],
    limit: ACTIVE_SHOWN,
  });
  const also = await listReportsWhileOpen(
    deps.db,
    actor.clinicId,
    active.filter((a) => a.status === 'open'),
  );
  return {
    signature: signatureOf(active, (a) => also.get(a.id)?.length ?? 0),
    openEmergencies: active.filter((a) => a.status === 'open' && a.severity === 'emergency').length,
    openUrgentOrEmergency: active.filter((a) => a.status === 'open' && a.severity !== 'routine')
      .length,
  };
}

/** How many emergency alerts of the caller's clinic are open (the pages' banner). */
export async function countOpenEmergencies(deps: ServiceDeps, actor: Actor): Promise<number> {
  requireClinicActor(actor);
  return (await countOpenAlertsBySeverity(deps.db, actor.clinicId)).emergency;
}

/** Open emergency alerts (the banner) and open urgent + emergency ones (the tab title). */
export async function countOpenAlerts(
  deps: ServiceDeps,
  actor: Actor,
): Promise<{ emergencies: number; urgentOrEmergency: number }> {
  requireClinicActor(actor);
  const counts = await countOpenAlertsBySeverity(deps.db, actor.clinicId);
  return { emergencies: counts.emergency, urgentOrEmergency: counts.emergency + counts.urgent };
}

async function findOwnAlert(trx: ServiceDeps['db'], clinicId: string, id: string) {
  const alert = isUuid(id) ? await findAlert(trx, clinicId, id) : undefined;
  if (alert === undefined) throw new AppError('not_found', 'No such alert.');
  return alert;
}

/**
 * open → acknowledged, by a signed-in person; `conflict` if it is not open any more. A note
 * ("called, no answer") is recorded as the first contact attempt, in the same transaction.
 */
export async function acknowledgeAlert(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly alertId: string; readonly note?: string },
): Promise<AlertDetail> {
  requireStaff(actor);
  return withTransaction(deps.db, async (trx) => {
    const alert = await findOwnAlert(trx, actor.clinicId, input.alertId);
    const note = cleanNote(input.note, false);
    const now = deps.clock.now();
    if (!(await markAcknowledged(trx, actor.clinicId, alert.id, actor.userId, now))) {
      throw new AppError(
        'conflict',
        `This alert is ${alert.status}; only an open alert can be acknowledged.`,
      );
    }
    if (note !== '')
      await insertContactAttempt(trx, {
        alertId: alert.id,
        clinicId: actor.clinicId,
        staffId: actor.userId,
        at: now,
        note,
      });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'alert.acknowledge',
      subjectType: 'alert',
      subjectId: alert.id,
      patientId: alert.patientId,
      ...(note === '' ? {} : { details: { contactAttempt: true } }),
    });
    const [detail] = await detailsOf(trx, actor.clinicId, [
      (await findAlert(trx, actor.clinicId, alert.id)) ?? alert,
    ]);
    if (detail === undefined) throw new Error('alert vanished inside its transaction');
    return detail;
  });
}

/**
 * Another attempt to reach the patient ("called again, left a message"), recorded on the same
 * alert with who and when. An open alert becomes acknowledged by the same person (someone is
 * on it); a resolved one is `conflict`.
 */
export async function recordContactAttempt(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly alertId: string; readonly note: string },
): Promise<AlertDetail> {
  requireStaff(actor);
  return withTransaction(deps.db, async (trx) => {
    const alert = await findOwnAlert(trx, actor.clinicId, input.alertId);
    const note = cleanNote(input.note, true);
    if (alert.status === 'resolved')
      throw new AppError('conflict', 'This alert is resolved; record what happened in a new note.');
    const now = deps.clock.now();
    if (alert.status === 'open')
      await markAcknowledged(trx, actor.clinicId, alert.id, actor.userId, now);
    await insertContactAttempt(trx, {
      alertId: alert.id,
      clinicId: actor.clinicId,
      staffId: actor.userId,
      at: now,
      note,
    });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'alert.contact_attempt',
      subjectType: 'alert',
      subjectId: alert.id,
      patientId: alert.patientId,
    });
    const [detail] = await detailsOf(trx, actor.clinicId, [
      (await findAlert(trx, actor.clinicId, alert.id)) ?? alert,
    ]);
    if (detail === undefined) throw new Error('alert vanished inside its transaction');
    return detail;
  });
}

/**
 * open | acknowledged → resolved, by a signed-in person, with a note saying what was done and
 * the outcome (a confirmed adverse event needs its class). A blank note is refused
 * (`validation_failed` on `note`), so is a missing outcome or class; `conflict` if already
 * resolved.
 */
export async function resolveAlert(
  deps: ServiceDeps,
  actor: Actor,
  input: {
    readonly alertId: string;
    readonly note: string;
    readonly outcome?: string | undefined;
    readonly outcomeClass?: string | undefined;
  },
): Promise<AlertDetail> {
  requireStaff(actor);
  return withTransaction(deps.db, async (trx) => {
    const alert = await findOwnAlert(trx, actor.clinicId, input.alertId);
    const note = cleanNote(input.note, true);
    const outcome = input.outcome as AlertOutcome | undefined;
    if (outcome === undefined || !ALERT_OUTCOMES.includes(outcome))
      throw new AppError('validation_failed', 'Invalid outcome', {
        errors: [
          {
            field: 'outcome',
            message: `must be one of ${ALERT_OUTCOMES.join(', ')}`,
          },
        ],
      });
    const outcomeClass = (input.outcomeClass ?? null) as OutcomeClass | null;
    if (
      outcome === 'confirmed'
        ? outcomeClass === null || !OUTCOME_CLASSES.includes(outcomeClass)
        : outcomeClass !== null
    )
      throw new AppError('validation_failed', 'Invalid outcome class', {
        errors: [
          {
            field: 'outcomeClass',
            message:
              outcome === 'confirmed'
                ? `a confirmed adverse event needs its class: ${OUTCOME_CLASSES.join(', ')}`
                : 'only a confirmed adverse event has a class',
          },
        ],
      });
    const now = deps.clock.now();
    if (
      !(await markResolved(trx, actor.clinicId, alert.id, actor.userId, now, note, {
        outcome,
        outcomeClass,
      }))
    ) {
      throw new AppError('conflict', `This alert is ${alert.status}; it cannot be resolved again.`);
    }
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'alert.resolve',
      subjectType: 'alert',
      subjectId: alert.id,
      patientId: alert.patientId,
      details: { outcome, outcomeClass },
    });
    const [detail] = await detailsOf(trx, actor.clinicId, [
      (await findAlert(trx, actor.clinicId, alert.id)) ?? alert,
    ]);
    if (detail === undefined) throw new Error('alert vanished inside its transaction');
    return detail;
  });
}
