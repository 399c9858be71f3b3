import type { AlertSeverity } from './alerts.repository.ts';
import { fromIntBool, parseJson } from './codec.ts';
import type { Db } from './db.ts';

/** One alert of a session performed in the window, with the assessment that set its severity. */
export interface BurdenAlert {
  readonly severity: AlertSeverity;
  /** The disposition of the deciding assessment (null if the alert has none). */
  readonly disposition: string | null;
  /** The rule ids that assessment fired, highest disposition first. */
  readonly rules: readonly string[];
}

export interface ClinicAlertBurdenRows {
  readonly sessions: number;
  readonly thoracicSessions: number;
  readonly alerts: readonly BurdenAlert[];
}

/**
 * A clinic's sessions performed in (since, until] and the alerts of those sessions (whenever
 * they were raised), each with the assessment that created or last raised it. Counts only, no
 * patient named: the raw material of the alert-burden page. Two queries.
 */
export async function findClinicAlertBurden(
  db: Db,
  clinicId: string,
  since: Date,
  until: Date,
): Promise<ClinicAlertBurdenRows> {
  const from = since.toISOString();
  const to = until.toISOString();
  const sessions = await db
    .selectFrom('needling_sessions')
    .select('thoracic')
    .where('clinic_id', '=', clinicId)
    .where('performed_at', '>', from)
    .where('performed_at', '<=', to)
    .execute();
  const alerts = await db
    .selectFrom('alerts as al')
    .innerJoin('needling_sessions as s', 's.id', 'al.session_id')
    .leftJoin('assessments as a', 'a.id', 'al.assessment_id')
    .select(['al.severity', 'a.disposition', 'a.rules_json'])
    .where('al.clinic_id', '=', clinicId)
    .where('s.clinic_id', '=', clinicId)
    .where('s.performed_at', '>', from)
    .where('s.performed_at', '<=', to)
    .execute();
  return {
    sessions: sessions.length,
    thoracicSessions: sessions.filter((s) => fromIntBool(s.thoracic)).length,
    alerts: alerts.map((a) => ({
      severity: a.severity,
      disposition: a.disposition ?? null,
      rules: a.rules_json === null ? [] : parseJson<string[]>(a.rules_json),
    })),
  };
}
