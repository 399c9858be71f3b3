/**
 * Table interfaces for Kysely. One shape for both dialects (docs/decisions/0100):
 * instants are ISO-8601 UTC text (`2026-11-25T14:03:00.000Z`), JSON is text, booleans are
 * integers 0/1, ids are text UUIDs (audit `seq` excepted). Only repositories see these types;
 * everything else uses the camelCase domain types they return.
 */
import type { Generated, GeneratedAlways, Insertable, Selectable, Updateable } from 'kysely';

/** ISO-8601 UTC instant as stored (always `Date#toISOString()` output). */
export type IsoInstant = string;
/** 0 or 1. */
export type IntBool = number;

export interface ClinicsTable {
  id: string;
  name: string;
  time_zone: string;
  emergency_number: string;
  contact_phone: string;
  default_language: string;
  languages_json: Generated<string>;
  checkin_plan_json: Generated<string>;
  thoracic_plan_json: Generated<string>;
  coverage_json: Generated<string>;
  quiet_hours_json: Generated<string>;
  escalation_json: Generated<string>;
  link_ttl_days: Generated<number>;
  /** Years after a patient's last session before the retention job erases them (decision 1313). */
  retention_years: Generated<number>;
  /** Urgent and emergency alert e-mails and webhooks carry the patient's contact (decision 1221). */
  patient_contact_in_alerts: Generated<IntBool>;
  created_at: IsoInstant;
  /** ISO 3166-1 alpha-2, upper-case; null for clinics made before migration 0130. */
  country: string | null;
  /** Set while the clinic is suspended (its staff cannot sign in). */
  suspended_at: IsoInstant | null;
}

export interface StaffUsersTable {
  id: string;
  clinic_id: string;
  /** Unique within a clinic (the same address may be in two clinics), always lower-case. */
  email: string;
  display_name: string;
  role: 'admin' | 'practitioner';
  password_hash: string;
  active: Generated<IntBool>;
  failed_logins: Generated<number>;
  locked_until: IsoInstant | null;
  created_at: IsoInstant;
  /** The person's own language (migration 0160); null: the clinic's default. */
  language: string | null;
}

export interface StaffSessionsTable {
  /** sha256 (hex) of the cookie token; the token itself is never stored. */
  id_hash: string;
  user_id: string;
  clinic_id: string;
  csrf_token: string;
  created_at: IsoInstant;
  expires_at: IsoInstant;
  last_seen_at: IsoInstant;
}

export interface ApiTokensTable {
  id: string;
  clinic_id: string;
  name: string;
  token_hash: string;
  created_by: string | null;
  created_at: IsoInstant;
  last_used_at: IsoInstant | null;
  revoked_at: IsoInstant | null;
  /** When the token stops opening anything (migration 0170; null only before it ran). */
  expires_at: IsoInstant | null;
}

export interface PatientsTable {
  id: string;
  clinic_id: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  language: string;
  created_at: IsoInstant;
  /** Lower-cased, accent-stripped name, e-mail and phone (search-key.ts, decision 1310). */
  search_key: Generated<string>;
  /** Set when the patient was erased (decision 1312); their personal data is gone. */
  erased_at: IsoInstant | null;
}

export interface NeedlingSessionsTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  practitioner_id: string | null;
  performed_at: IsoInstant;
  thoracic: IntBool;
  bilateral_thoracic: IntBool;
  notes: string | null;
  created_at: IsoInstant;
}

export interface SessionSitesTable {
  id: string;
  session_id: string;
  position: number;
  muscle: string;
  side: string | null;
  needle_count: number | null;
}

export interface PatientLinksTable {
  id: string;
  session_id: string;
  clinic_id: string;
  token_hash: string;
  created_at: IsoInstant;
  expires_at: IsoInstant;
  revoked_at: IsoInstant | null;
}

export interface CheckInsTable {
  id: string;
  session_id: string;
  clinic_id: string;
  received_at: IsoInstant;
  hours_after: number;
  /** Null: no number given with a red-flag report (RULES.md v1.1). */
  soreness: number | null;
  symptoms_json: string;
  note: string | null;
  source: 'patient' | 'emergency_button' | 'staff';
}

export interface AssessmentsTable {
  id: string;
  check_in_id: string;
  session_id: string;
  clinic_id: string;
  disposition: string;
  /** Fired rule ids, highest disposition first. */
  rules_json: string;
  rulebook_version: string;
  phase: string;
  thoracic: IntBool;
  created_at: IsoInstant;
}

export interface AlertsTable {
  id: string;
  clinic_id: string;
  session_id: string;
  patient_id: string;
  assessment_id: string | null;
  severity: 'routine' | 'urgent' | 'emergency';
  status: 'open' | 'acknowledged' | 'resolved';
  created_at: IsoInstant;
  acknowledged_at: IsoInstant | null;
  acknowledged_by: string | null;
  resolved_at: IsoInstant | null;
  resolved_by: string | null;
  resolution_note: string | null;
  /**
   * The list order as one number, computed by the database (migration 0002): status rank × 3
   * + severity rank, open emergency 0 … resolved routine 8.
   */
  queue_rank: GeneratedAlways<number>;
  /** How it turned out, set when resolved (migration 0121). */
  outcome: Generated<'confirmed' | 'false_alarm' | 'unrelated' | null>;
  outcome_class: Generated<'mild' | 'significant' | 'serious' | null>;
}

/** One attempt to reach the patient about an alert (migration 0120). */
export interface AlertContactAttemptsTable {
  id: string;
  alert_id: string;
  clinic_id: string;
  staff_id: string | null;
  at: IsoInstant;
  note: string;
}

export interface AuditEventsTable {
  /** Gapless position in the hash chain, assigned from audit_head under its lock. */
  seq: number;
  id: string;
  at: IsoInstant;
  clinic_id: string | null;
  actor_type: 'staff' | 'patient_link' | 'api_token' | 'system' | 'anonymous';
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  ip: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
  /**
   * Id of the HMAC key that made `hash` (keyed chain); null for events written before the chain
   * was keyed, whose `hash` is a plain SHA-256 link.
   */
  key_id: string | null;
}

/** Single row (id = 1): the chain's tip, locked by every append. */
export interface AuditHeadTable {
  id: number;
  last_seq: number;
  last_hash: string;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number;
  response_json: string;
  created_at: IsoInstant;
}

export interface OutboxTable {
  id: string;
  clinic_id: string | null;
  kind: string;
  dedupe_key: string;
  payload_json: string;
  due_at: IsoInstant;
  status: 'pending' | 'sent' | 'dead';
  attempts: Generated<number>;
  claimed_by: string | null;
  claimed_until: IsoInstant | null;
  last_error: string | null;
  created_at: IsoInstant;
  sent_at: IsoInstant | null;
}

/** Single-use set-password links (invitation, reset, first admin); only the hash is kept. */
export interface PasswordTokensTable {
  id: string;
  clinic_id: string;
  user_id: string;
  token_hash: string;
  purpose: 'first_admin' | 'invite' | 'reset';
  created_by: string | null;
  created_at: IsoInstant;
  expires_at: IsoInstant;
  used_at: IsoInstant | null;
  revoked_at: IsoInstant | null;
}

/** One-time first-run setup links (migration 0160); only the sha256 of the secret is kept. */
export interface SetupTokensTable {
  id: string;
  token_hash: string;
  created_at: IsoInstant;
  expires_at: IsoInstant;
  used_at: IsoInstant | null;
}

export interface Database {
  clinics: ClinicsTable;
  staff_users: StaffUsersTable;
  staff_sessions: StaffSessionsTable;
  api_tokens: ApiTokensTable;
  patients: PatientsTable;
  needling_sessions: NeedlingSessionsTable;
  session_sites: SessionSitesTable;
  patient_links: PatientLinksTable;
  check_ins: CheckInsTable;
  assessments: AssessmentsTable;
  alerts: AlertsTable;
  alert_contact_attempts: AlertContactAttemptsTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  idempotency_keys: IdempotencyKeysTable;
  outbox: OutboxTable;
  password_tokens: PasswordTokensTable;
  setup_tokens: SetupTokensTable;
}

export type ClinicRow = Selectable<ClinicsTable>;
export type NewClinicRow = Insertable<ClinicsTable>;
export type ClinicUpdate = Updateable<ClinicsTable>;
export type StaffUserRow = Selectable<StaffUsersTable>;
export type StaffSessionRow = Selectable<StaffSessionsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type PatientRow = Selectable<PatientsTable>;
export type NeedlingSessionRow = Selectable<NeedlingSessionsTable>;
export type SessionSiteRow = Selectable<SessionSitesTable>;
export type PatientLinkRow = Selectable<PatientLinksTable>;
export type CheckInRow = Selectable<CheckInsTable>;
export type AssessmentRow = Selectable<AssessmentsTable>;
export type AlertRow = Selectable<AlertsTable>;
export type AlertContactAttemptRow = Selectable<AlertContactAttemptsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type PasswordTokenRow = Selectable<PasswordTokensTable>;
