/**
 * The one query the store does not offer yet: a clinic's sessions of a period with their
 * check-ins and stored dispositions, shaped for `countAdverseEvents`. It follows the store's
 * conventions (db first, clinic-scoped, camelCase out, no column names leave this file); it
 * should move into src/store (reported to the store engineer).
 */
import type { Disposition, SymptomCode } from '../../clinical/types.ts';
import { fromIntBool, parseJson } from '../../store/codec.ts';
import type { Db } from '../../store/db.ts';
import type { RegisterReport, RegisterSession } from './register.ts';

export async function loadRegisterSessions(
  db: Db,
  clinicId: string,
  since: Date,
  until: Date,
): Promise<RegisterSession[]> {
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
  const bySession = new Map<string, RegisterReport[]>();
  for (const r of reports) {
    const list = bySession.get(r.session_id) ?? [];
    list.push({
      hoursAfter: Number(r.hours_after),
      soreness: Number(r.soreness),
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
