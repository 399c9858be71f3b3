/**
 * A clinic's tables as plain rows for the whole-clinic export (decision 1311). Secrets never
 * leave: no password or token hashes, no outbox payloads (they carry patient links), no
 * escalation settings (they carry webhook secrets).
 */
import type { Db } from './db.ts';

export type ExportRow = Readonly<Record<string, string | number | null>>;

export async function readClinicTables(
  db: Db,
  clinicId: string,
): Promise<Readonly<Record<string, readonly ExportRow[]>>> {
  const sessionIds = db
    .selectFrom('needling_sessions')
    .select('id')
    .where('clinic_id', '=', clinicId);
  return {
    clinic: await db
      .selectFrom('clinics')
      .select([
        'id',
        'name',
        'time_zone',
        'emergency_number',
        'contact_phone',
        'default_language',
        'languages_json',
        'checkin_plan_json',
        'thoracic_plan_json',
        'coverage_json',
        'quiet_hours_json',
        'link_ttl_days',
        'retention_years',
        'patient_contact_in_alerts',
        'created_at',
      ])
      .where('id', '=', clinicId)
      .execute(),
    staff: await db
      .selectFrom('staff_users')
      .select(['id', 'email', 'display_name', 'role', 'active', 'created_at'])
      .where('clinic_id', '=', clinicId)
      .orderBy('created_at')
      .execute(),
    patients: await db
      .selectFrom('patients')
      .select(['id', 'display_name', 'email', 'phone', 'language', 'created_at', 'erased_at'])
      .where('clinic_id', '=', clinicId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    sessions: await db
      .selectFrom('needling_sessions')
      .selectAll()
      .where('clinic_id', '=', clinicId)
      .orderBy('performed_at')
      .orderBy('id')
      .execute(),
    session_sites: await db
      .selectFrom('session_sites')
      .selectAll()
      .where('session_id', 'in', sessionIds)
      .orderBy('session_id')
      .orderBy('position')
      .execute(),
    patient_links: await db
      .selectFrom('patient_links')
      .select(['id', 'session_id', 'created_at', 'expires_at', 'revoked_at'])
      .where('clinic_id', '=', clinicId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    check_ins: await db
      .selectFrom('check_ins')
      .selectAll()
      .where('clinic_id', '=', clinicId)
      .orderBy('received_at')
      .orderBy('id')
      .execute(),
    assessments: await db
      .selectFrom('assessments')
      .selectAll()
      .where('clinic_id', '=', clinicId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    alerts: await db
      .selectFrom('alerts')
      .selectAll()
      .where('clinic_id', '=', clinicId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    messages: await db
      .selectFrom('outbox')
      .select(['id', 'kind', 'status', 'attempts', 'due_at', 'sent_at', 'created_at'])
      .where('clinic_id', '=', clinicId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    audit_events: await db
      .selectFrom('audit_events')
      .select([
        'seq',
        'at',
        'actor_type',
        'actor_id',
        'action',
        'subject_type',
        'subject_id',
        'details_json',
      ])
      .where('clinic_id', '=', clinicId)
      .orderBy('at')
      .orderBy('seq')
      .execute(),
  };
}
