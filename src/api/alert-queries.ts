/**
 * Three queries the store does not offer yet (last resort, reported to the store engineer;
 * move them into src/store and delete this file): raising an open alert's severity, a
 * patient's alerts for the timeline, and the per-session lock of the check-in transaction.
 * They follow the store's conventions: `db` first, clinic-scoped, camelCase out.
 */
import { type Alert, type AlertSeverity, findAlert } from '../store/alerts.repository.ts';
import { type Db, dialectOf } from '../store/db.ts';

/**
 * Serialise check-ins of one session: without it, two concurrent check-ins on PostgreSQL
 * (READ COMMITTED) could each see no open alert and open two. SQLite already runs one write
 * transaction at a time. Call first inside the check-in transaction.
 */
export async function lockSessionForCheckIn(
  trx: Db,
  clinicId: string,
  sessionId: string,
): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await trx
    .selectFrom('needling_sessions')
    .select('id')
    .where('clinic_id', '=', clinicId)
    .where('id', '=', sessionId)
    .forUpdate()
    .execute();
}

const RANK: Readonly<Record<AlertSeverity, number>> = { routine: 0, urgent: 1, emergency: 2 };

/**
 * Raise an open alert to `severity` and point it at the assessment that raised it. Never
 * lowers (the `where` admits only strictly lower current severities) and never closes.
 * Returns the alert as it is after the call.
 */
export async function raiseOpenAlertSeverity(
  db: Db,
  clinicId: string,
  alertId: string,
  severity: AlertSeverity,
  assessmentId: string,
): Promise<Alert | undefined> {
  const lower = (Object.keys(RANK) as AlertSeverity[]).filter((s) => RANK[s] < RANK[severity]);
  if (lower.length > 0) {
    await db
      .updateTable('alerts')
      .set({ severity, assessment_id: assessmentId })
      .where('clinic_id', '=', clinicId)
      .where('id', '=', alertId)
      .where('status', '=', 'open')
      .where('severity', 'in', lower)
      .execute();
  }
  return findAlert(db, clinicId, alertId);
}

/** A patient's alerts, oldest first (timeline). */
export async function listAlertsForPatient(
  db: Db,
  clinicId: string,
  patientId: string,
): Promise<Alert[]> {
  const rows = await db
    .selectFrom('alerts')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('patient_id', '=', patientId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    clinicId: row.clinic_id,
    sessionId: row.session_id,
    patientId: row.patient_id,
    assessmentId: row.assessment_id,
    severity: row.severity,
    status: row.status,
    createdAt: row.created_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    resolutionNote: row.resolution_note,
  }));
}

export function severityRank(severity: AlertSeverity): number {
  return RANK[severity];
}
