import type { FromSchema } from 'json-schema-to-ts';
import {
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  type Alert,
  countOpenAlertsBySeverity,
  findAlert,
  listAlerts,
  acknowledgeAlert as markAcknowledged,
  resolveAlert as markResolved,
} from '../store/alerts.repository.ts';
import {
  type CheckInWithAssessment,
  listCheckInsForSession,
} from '../store/checkins.repository.ts';
import { withTransaction } from '../store/db.ts';
import { findPatient } from '../store/patients.repository.ts';
import { listStaff } from '../store/staff.repository.ts';
import { type Actor, type ClinicActor, requireClinicActor, requireStaff } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { isUuid } from './ids.ts';
import { cleanText } from './clean-text.ts';

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

/** Resolving says what was done: a note that is not blank (checked here, behind every door). */
export const resolveAlertSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['note'],
  properties: {
    note: {
      type: 'string',
      minLength: 1,
      maxLength: NOTE_MAX_LENGTH,
      description: 'What was done (not blank)',
    },
  },
} as const;

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
): Promise<Alert[]> {
  requireClinicActor(actor);
  const alerts = await listAlerts(deps.db, actor.clinicId, {
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.severity === undefined ? {} : { severity: query.severity }),
    limit: Number(query.limit ?? '100'),
  });
  await auditAlertRead(deps, actor, alerts);
  return alerts;
}

/** One alert as the queue shows it: with the patient's name and the check-in that raised it. */
export interface AlertQueueEntry {
  readonly alert: Alert;
  readonly patientName: string;
  readonly checkIn: CheckInWithAssessment | undefined;
}

export interface AlertQueueData {
  /** Open alerts: emergency, urgent, routine, then the longest waiting first. */
  readonly open: readonly AlertQueueEntry[];
  readonly acknowledged: readonly AlertQueueEntry[];
  /** The last few resolved, newest first: who did what. */
  readonly resolved: readonly AlertQueueEntry[];
  readonly openEmergencies: number;
  readonly staffNames: ReadonlyMap<string, string>;
}

const RESOLVED_SHOWN = 10;

/** Everything the alert queue shows for the caller's clinic. Audited as an alert read. */
export async function readAlertQueue(deps: ServiceDeps, actor: Actor): Promise<AlertQueueData> {
  requireClinicActor(actor);
  const { db } = deps;
  const clinicId = actor.clinicId;
  const active = await listAlerts(db, clinicId, { status: ['open', 'acknowledged'], limit: 500 });
  const resolved = (await listAlerts(db, clinicId, { status: 'resolved', limit: 200 }))
    .sort((a, b) => (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? ''))
    .slice(0, RESOLVED_SHOWN);
  const names = new Map<string, string>();
  const checkIns = new Map<string, CheckInWithAssessment[]>();
  const entry = async (alert: Alert): Promise<AlertQueueEntry> => {
    if (!names.has(alert.patientId))
      names.set(
        alert.patientId,
        (await findPatient(db, clinicId, alert.patientId))?.displayName ?? '?',
      );
    let list = checkIns.get(alert.sessionId);
    if (list === undefined) {
      list = await listCheckInsForSession(db, alert.sessionId);
      checkIns.set(alert.sessionId, list);
    }
    return {
      alert,
      patientName: names.get(alert.patientId) ?? '?',
      checkIn: list.find((c) => c.assessment?.id === alert.assessmentId),
    };
  };
  const entries: AlertQueueEntry[] = [];
  for (const alert of active) entries.push(await entry(alert));
  const resolvedEntries: AlertQueueEntry[] = [];
  for (const alert of resolved) resolvedEntries.push(await entry(alert));
  const staffNames = new Map((await listStaff(db, clinicId)).map((s) => [s.id, s.displayName]));
  const open = entries.filter((i) => i.alert.status === 'open');
  await auditAlertRead(deps, actor, [...active, ...resolved]);
  return {
    open,
    acknowledged: entries.filter((i) => i.alert.status === 'acknowledged'),
    resolved: resolvedEntries,
    openEmergencies: open.filter((i) => i.alert.severity === 'emergency').length,
    staffNames,
  };
}

/**
 * A fingerprint of the clinic's unresolved alerts: it changes whenever one is raised,
 * escalated, acknowledged or resolved. Ids, statuses and severities only (no patient data),
 * so not audited; being read from the database, it sees writes of every app process.
 */
export async function readAlertQueueSignature(
  deps: ServiceDeps,
  actor: Actor,
): Promise<{ signature: string; openEmergencies: number }> {
  requireClinicActor(actor);
  const active = await listAlerts(deps.db, actor.clinicId, {
    status: ['open', 'acknowledged'],
    limit: 1000,
  });
  return {
    signature: active.map((a) => `${a.id}:${a.status[0]}${a.severity[0]}`).join(','),
    openEmergencies: active.filter((a) => a.status === 'open' && a.severity === 'emergency').length,
  };
}

/** How many emergency alerts of the caller's clinic are open (the pages' banner). */
export async function countOpenEmergencies(deps: ServiceDeps, actor: Actor): Promise<number> {
  requireClinicActor(actor);
  return (await countOpenAlertsBySeverity(deps.db, actor.clinicId)).emergency;
}

async function findOwnAlert(trx: ServiceDeps['db'], clinicId: string, id: string) {
  const alert = isUuid(id) ? await findAlert(trx, clinicId, id) : undefined;
  if (alert === undefined) throw new AppError('not_found', 'No such alert.');
  return alert;
}

/** open → acknowledged, by a signed-in person; `conflict` if it is not open any more. */
export async function acknowledgeAlert(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly alertId: string },
): Promise<Alert> {
  requireStaff(actor);
  return withTransaction(deps.db, async (trx) => {
    const alert = await findOwnAlert(trx, actor.clinicId, input.alertId);
    if (!(await markAcknowledged(trx, actor.clinicId, alert.id, actor.userId, deps.clock.now()))) {
      throw new AppError(
        'conflict',
        `This alert is ${alert.status}; only an open alert can be acknowledged.`,
      );
    }
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'alert.acknowledge',
      subjectType: 'alert',
      subjectId: alert.id,
      patientId: alert.patientId,
    });
    return (await findAlert(trx, actor.clinicId, alert.id)) ?? alert;
  });
}

/**
 * open | acknowledged → resolved, by a signed-in person, with a note saying what was done.
 * A blank note is refused (`validation_failed` on `note`); `conflict` if already resolved.
 */
export async function resolveAlert(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly alertId: string; readonly note: string },
): Promise<Alert> {
  requireStaff(actor);
  return withTransaction(deps.db, async (trx) => {
    const alert = await findOwnAlert(trx, actor.clinicId, input.alertId);
    // Cleaned once (decision 1201); one character over the limit still reads as too long.
    const note = cleanText(input.note, { max: NOTE_MAX_LENGTH + 1, multiline: true });
    if (note === '' || note.length > NOTE_MAX_LENGTH) {
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
    const now = deps.clock.now();
    if (!(await markResolved(trx, actor.clinicId, alert.id, actor.userId, now, note))) {
      throw new AppError('conflict', `This alert is ${alert.status}; it cannot be resolved again.`);
    }
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'alert.resolve',
      subjectType: 'alert',
      subjectId: alert.id,
      patientId: alert.patientId,
    });
    return (await findAlert(trx, actor.clinicId, alert.id)) ?? alert;
  });
}
