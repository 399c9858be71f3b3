import { firedRulesOf } from '../../services/schemas/views.ts';
import type { FiredRule } from '../../clinical/triage.ts';
import { type Alert, listAlerts } from '../../store/alerts.repository.ts';
import {
  type CheckInWithAssessment,
  listCheckInsForSession,
} from '../../store/checkins.repository.ts';
import type { Db } from '../../store/db.ts';
import { findPatient } from '../../store/patients.repository.ts';
import { listStaff } from '../../store/staff.repository.ts';

/** One alert as the queue shows it: with the patient's name and the check-in that raised it. */
export interface QueueItem {
  readonly alert: Alert;
  readonly patientName: string;
  readonly checkIn: CheckInWithAssessment | undefined;
  readonly rules: readonly FiredRule[];
}

export interface AlertQueue {
  /** Open alerts: emergency, urgent, routine, then the longest waiting first. */
  readonly open: readonly QueueItem[];
  readonly acknowledged: readonly QueueItem[];
  /** The last few resolved, newest first: who did what. */
  readonly resolved: readonly QueueItem[];
  readonly openEmergencies: number;
  readonly staffNames: ReadonlyMap<string, string>;
}

const RESOLVED_SHOWN = 10;

/** Everything the alert queue page shows, for one clinic. */
export async function loadQueue(db: Db, clinicId: string): Promise<AlertQueue> {
  const active = await listAlerts(db, clinicId, { status: ['open', 'acknowledged'], limit: 500 });
  const resolved = (await listAlerts(db, clinicId, { status: 'resolved', limit: 200 }))
    .sort((a, b) => (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? ''))
    .slice(0, RESOLVED_SHOWN);
  const names = new Map<string, string>();
  const checkIns = new Map<string, CheckInWithAssessment[]>();
  const item = async (alert: Alert): Promise<QueueItem> => {
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
    const checkIn = list.find((c) => c.assessment?.id === alert.assessmentId);
    const a = checkIn?.assessment ?? null;
    return {
      alert,
      patientName: names.get(alert.patientId) ?? '?',
      checkIn,
      rules: a === null ? [] : firedRulesOf(a.rules, a.rulebookVersion, a.thoracic),
    };
  };
  const items: QueueItem[] = [];
  for (const alert of active) items.push(await item(alert));
  const resolvedItems: QueueItem[] = [];
  for (const alert of resolved) resolvedItems.push(await item(alert));
  const staffNames = new Map((await listStaff(db, clinicId)).map((s) => [s.id, s.displayName]));
  const open = items.filter((i) => i.alert.status === 'open');
  return {
    open,
    acknowledged: items.filter((i) => i.alert.status === 'acknowledged'),
    resolved: resolvedItems,
    openEmergencies: open.filter((i) => i.alert.severity === 'emergency').length,
    staffNames,
  };
}

/**
 * A short fingerprint of the clinic's unresolved alerts: it changes whenever one is raised,
 * escalated, acknowledged or resolved. The live-update stream compares it every poll; being
 * read from the database, it sees writes of every app process.
 */
export async function queueSignature(
  db: Db,
  clinicId: string,
): Promise<{ signature: string; openEmergencies: number }> {
  const active = await listAlerts(db, clinicId, { status: ['open', 'acknowledged'], limit: 1000 });
  return {
    signature: active.map((a) => `${a.id}:${a.status[0]}${a.severity[0]}`).join(','),
    openEmergencies: active.filter((a) => a.status === 'open' && a.severity === 'emergency').length,
  };
}
