import type { Disposition, SymptomCode } from '../clinical/types.ts';
import { fromIntBool, parseJson } from './codec.ts';
import type { Db } from './db.ts';

/** One check-in as the adverse-event register counts it. */
export interface ReportOfSession {
  readonly hoursAfter: number;
  readonly soreness: number | null;
  readonly symptoms: readonly SymptomCode[];
  /** The stored disposition; null when the check-in has no assessment. */
  readonly disposition: Disposition | null;
}

export interface SessionWithReports {
  readonly id: string;
  readonly performedAt: string;
  readonly thoracic: boolean;
  readonly reports: readonly ReportOfSession[];
}

/**
 * A clinic's sessions performed in (since, until], each with its check-ins and their stored
 * dispositions (the adverse-event register). Two queries, whatever the number of sessions.
 */
export async function listSessionsWithReports(
  db: Db,
  clinicId: string,
  since: Date,
  until: Date,
): Promise<SessionWithReports[]> {
  const sessions = await db
    .selectFrom('needling_sessions')
    .select(['id', 'performed_at', 'thoracic'])
    .where('clinic_id', '=', clinicId)
    .where('performed_at', '>', since.toISOString())
    .where('performed_at', '<=', until.toISOString())
    .execute();
  const reports = await db
    .selectFrom('check_ins as c')
    .innerJoin('needling_sessions as s', 's.id', 'c.session_id')
    .leftJoin('assessments as a', 'a.check_in_id', 'c.id')
    .select(['c.session_id', 'c.hours_after', 'c.soreness', 'c.symptoms_json', 'a.disposition'])
    .where('c.clinic_id', '=', clinicId)
    .where('s.clinic_id', '=', clinicId)
    .where('s.performed_at', '>', since.toISOString())
    .where('s.performed_at', '<=', until.toISOString())
    .execute();
  const bySession = new Map<string, ReportOfSession[]>();
  for (const r of reports) {
    const list = bySession.get(r.session_id) ?? [];
    list.push({
      hoursAfter: Number(r.hours_after),
      soreness: r.soreness === null ? null : Number(r.soreness),
      symptoms: parseJson<SymptomCode[]>(r.symptoms_json),
      disposition: (r.disposition ?? null) as Disposition | null,
    });
    bySession.set(r.session_id, list);
  }
  return sessions.map((s) => ({
    id: s.id,
    performedAt: s.performed_at,
    thoracic: fromIntBool(s.thoracic),
    reports: bySession.get(s.id) ?? [],
  }));
}

/** A clinic alert on a session performed in the period, with how staff classified it. */
export interface AlertOutcomeOfSession {
  readonly sessionId: string;
  readonly thoracic: boolean;
  readonly outcome: 'confirmed' | 'false_alarm' | 'unrelated' | null;
  readonly outcomeClass: 'mild' | 'significant' | 'serious' | null;
}

/** The alerts of a clinic's sessions performed in (since, until], with their outcomes. */
export async function listAlertOutcomes(
  db: Db,
  clinicId: string,
  since: Date,
  until: Date,
): Promise<AlertOutcomeOfSession[]> {
  const rows = await db
    .selectFrom('alerts as al')
    .innerJoin('needling_sessions as s', 's.id', 'al.session_id')
    .select(['al.session_id', 's.thoracic', 'al.outcome', 'al.outcome_class'])
    .where('al.clinic_id', '=', clinicId)
    .where('s.clinic_id', '=', clinicId)
    .where('s.performed_at', '>', since.toISOString())
    .where('s.performed_at', '<=', until.toISOString())
    .execute();
  return rows.map((r) => ({
    sessionId: r.session_id,
    thoracic: fromIntBool(r.thoracic),
    outcome: r.outcome ?? null,
    outcomeClass: r.outcome_class ?? null,
  }));
}
