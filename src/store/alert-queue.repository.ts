import { sql } from 'kysely';
import type { Alert } from './alerts.repository.ts';
import { toAlert } from './alerts.repository.ts';
import { builtOnce } from './built-once.ts';
import type { Assessment, CheckInWithAssessment } from './checkins.repository.ts';
import { toAssessment, toCheckIn } from './checkins.repository.ts';
import type { Db } from './db.ts';
import type { AlertRow } from './schema.ts';

/** An assessment's columns beside another table's, prefixed `s_` (assessments as `s`). */
const ASSESSMENT_COLUMNS = [
  's.id as s_id',
  's.check_in_id as s_check_in_id',
  's.session_id as s_session_id',
  's.clinic_id as s_clinic_id',
  's.disposition as s_disposition',
  's.rules_json as s_rules_json',
  's.rulebook_version as s_rulebook_version',
  's.phase as s_phase',
  's.thoracic as s_thoracic',
  's.created_at as s_created_at',
] as const;

interface PrefixedAssessment {
  s_id: string;
  s_check_in_id: string;
  s_session_id: string;
  s_clinic_id: string;
  s_disposition: string;
  s_rules_json: string;
  s_rulebook_version: string;
  s_phase: string;
  s_thoracic: number;
  s_created_at: string;
}

function assessmentOf(row: PrefixedAssessment): Assessment {
  return toAssessment({
    id: row.s_id,
    check_in_id: row.s_check_in_id,
    session_id: row.s_session_id,
    clinic_id: row.s_clinic_id,
    disposition: row.s_disposition,
    rules_json: row.s_rules_json,
    rulebook_version: row.s_rulebook_version,
    phase: row.s_phase,
    thoracic: row.s_thoracic,
    created_at: row.s_created_at,
  });
}

/** One alert as the queue shows it: the patient's name and the check-in that raised it. */
export interface AlertQueueEntry {
  readonly alert: Alert;
  /** '?' only if the patient row is gone (it never is: patients are not deleted). */
  readonly patientName: string;
  /** The check-in whose assessment the alert points at, with that assessment. */
  readonly checkIn: CheckInWithAssessment | undefined;
}

export interface AlertQueueRows {
  /** Open then acknowledged; emergency > urgent > routine; oldest first (as `listAlerts`). */
  readonly active: readonly AlertQueueEntry[];
  /** The most recently resolved, newest resolution first. */
  readonly resolved: readonly AlertQueueEntry[];
}

/**
 * The dashboard's alert queue for one clinic in two statements, whatever the number of alerts
 * (it was 3 per alert: issue 14). Each alert comes with its patient's name and the check-in
 * and assessment that raised it, joined in the same statement. The active list is read in
 * index order (`alerts_clinic_queue`), the resolved one from `alerts_clinic_resolved`.
 */
export async function listAlertQueue(
  db: Db,
  clinicId: string,
  options: { readonly activeLimit?: number; readonly resolvedShown?: number } = {},
): Promise<AlertQueueRows> {
  // Sent together: on PostgreSQL two connections answer at once (decision 1452).
  const [active, resolved] = await Promise.all([
    activeQueueRows(db, {
      clinicId,
      limit: Math.max(0, Math.floor(options.activeLimit ?? 500)),
    }),
    resolvedQueueRows(db, {
      clinicId,
      limit: Math.max(0, Math.floor(options.resolvedShown ?? 10)),
    }),
  ]);
  return { active: active.map(toEntry), resolved: resolved.map(toEntry) };
}

/** A clinic's alerts with their patients' names and the check-ins and assessments that raised them. */
function queueQuery(db: Db, clinicId: string) {
  return db
    .selectFrom('alerts as al')
    .leftJoin('patients as p', (j) =>
      j.onRef('p.id', '=', 'al.patient_id').onRef('p.clinic_id', '=', 'al.clinic_id'),
    )
    .leftJoin('assessments as s', (j) =>
      j.onRef('s.id', '=', 'al.assessment_id').onRef('s.session_id', '=', 'al.session_id'),
    )
    .leftJoin('check_ins as c', 'c.id', 's.check_in_id')
    .selectAll('al')
    .select(ASSESSMENT_COLUMNS)
    .select([
      'p.display_name as p_display_name',
      'c.id as c_id',
      'c.session_id as c_session_id',
      'c.clinic_id as c_clinic_id',
      'c.received_at as c_received_at',
      'c.hours_after as c_hours_after',
      'c.soreness as c_soreness',
      'c.symptoms_json as c_symptoms_json',
      'c.note as c_note',
      'c.source as c_source',
    ])
    .where('al.clinic_id', '=', clinicId);
}

// Built once (decision 1425): the queue page and the API's list read them on every view.
const activeQueueRows = builtOnce((db, a: { clinicId: string; limit: number }) =>
  queueQuery(db, a.clinicId)
    .where('al.status', 'in', ['open', 'acknowledged'])
    .orderBy('al.queue_rank')
    .orderBy('al.created_at')
    .orderBy('al.id')
    .limit(a.limit),
);

const resolvedQueueRows = builtOnce((db, a: { clinicId: string; limit: number }) =>
  queueQuery(db, a.clinicId)
    .where('al.status', '=', 'resolved')
    .orderBy('al.resolved_at', 'desc')
    .orderBy('al.id', 'desc')
    .limit(a.limit),
);

type JoinedRow = AlertRow & {
  p_display_name: string | null;
  s_id: string | null;
  s_check_in_id: string | null;
  s_session_id: string | null;
  s_clinic_id: string | null;
  s_disposition: string | null;
  s_rules_json: string | null;
  s_rulebook_version: string | null;
  s_phase: string | null;
  s_thoracic: number | null;
  s_created_at: string | null;
  c_id: string | null;
  c_session_id: string | null;
  c_clinic_id: string | null;
  c_received_at: string | null;
  c_hours_after: number | null;
  c_soreness: number | null;
  c_symptoms_json: string | null;
  c_note: string | null;
  c_source: 'patient' | 'emergency_button' | 'staff' | null;
};

function toEntry(row: JoinedRow): AlertQueueEntry {
  let checkIn: CheckInWithAssessment | undefined;
  if (row.c_id !== null && row.s_id !== null) {
    const assessment = assessmentOf(row as PrefixedAssessment);
    checkIn = {
      ...toCheckIn({
        id: row.c_id,
        session_id: row.c_session_id as string,
        clinic_id: row.c_clinic_id as string,
        received_at: row.c_received_at as string,
        hours_after: row.c_hours_after as number,
        soreness: row.c_soreness as number,
        symptoms_json: row.c_symptoms_json as string,
        note: row.c_note,
        source: row.c_source as 'patient',
      }),
      assessment,
    };
  }
  return { alert: toAlert(row), patientName: row.p_display_name ?? '?', checkIn };
}

const reportRows = builtOnce((db, sessionIds: string[]) =>
  db
    .selectFrom('assessments as s')
    .innerJoin('check_ins as c', (j) =>
      j.onRef('c.id', '=', 's.check_in_id').onRef('c.session_id', '=', 's.session_id'),
    )
    .selectAll('c')
    .select(ASSESSMENT_COLUMNS)
    .where('s.session_id', 'in', sessionIds)
    // A literal, not a parameter: only then may either planner use the partial index.
    .where('s.disposition', '<>', sql.lit('self_care')),
);

/**
 * Slack before an alert's `created_at` when looking for the report that opened it: the
 * check-in's time and the alert's are read from the clock a moment apart.
 */
const OPENING_SLACK_MS = 1000;

/**
 * For each alert, the reports above self-care it stood for besides the one it points at
 * (decision 1225): its session's check-ins from its opening until it was acknowledged (after
 * that a new report opens an alert of its own) or resolved, or until now while it is open.
 * A report no higher than the open alert leaves the alert as it is, and a raise points it at
 * the newer report: without these the card would not show them. Newest first; one statement
 * for all the alerts: the sessions' reports above self-care by the partial index
 * `assessments_session_raised`, then each one's check-in by its id (decision 1454; it read
 * every check-in of the sessions and looked up each one's assessment before).
 *
 * The statement names the sessions only. With the clinic in its `WHERE` too, SQLite's planner
 * took `check_ins_clinic_received` and read every check-in the clinic ever had, on each queue
 * page and each tick of its live list (decision 1452). The sessions are those of alerts read
 * for this clinic; each row's clinic is still checked here.
 */
export async function listReportsWhileOpen(
  db: Db,
  clinicId: string,
  alerts: readonly Alert[],
): Promise<Map<string, CheckInWithAssessment[]>> {
  const found = new Map<string, CheckInWithAssessment[]>();
  if (alerts.length === 0) return found;
  const sessionIds = [...new Set(alerts.map((a) => a.sessionId))];
  const rows = await reportRows(db, sessionIds);
  const reports = rows
    .filter((row) => row.clinic_id === clinicId)
    .map((row) => Object.assign(toCheckIn(row), { assessment: assessmentOf(row) }));
  for (const alert of alerts) {
    const from = Date.parse(alert.createdAt) - OPENING_SLACK_MS;
    const end = alert.acknowledgedAt ?? alert.resolvedAt;
    const until = end === null ? Number.POSITIVE_INFINITY : Date.parse(end);
    const mine = reports
      .filter((r) => {
        if (r.sessionId !== alert.sessionId || r.assessment.id === alert.assessmentId) return false;
        const at = Date.parse(r.receivedAt);
        return at >= from && at <= until;
      })
      .sort(
        (x, y) => Date.parse(y.receivedAt) - Date.parse(x.receivedAt) || (x.id < y.id ? 1 : -1),
      );
    if (mine.length > 0) found.set(alert.id, mine);
  }
  return found;
}
