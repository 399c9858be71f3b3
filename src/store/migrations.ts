import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { alertContactSettingMigration } from './alert-contact-setting.migration.ts';
import { auditLanesMigration } from './audit-lanes.migration.ts';
import { auditSeqWithoutAutoincrementMigration } from './audit-seq-without-autoincrement.migration.ts';
import { cdsJwtIdsMigration } from './cds-jwt-ids.migration.ts';
import { checkInSessionKeysMigration } from './check-in-session-keys.migration.ts';
import { checkInsSessionHoursMigration } from './check-ins-session-hours.migration.ts';
import type { Db } from './db.ts';
import { dialectOf } from './db.ts';
import { fewerCheckInIndexesMigration } from './fewer-check-in-indexes.migration.ts';
import { firstRunMigration } from './first-run.migration.ts';
import { interopMigration } from './interop.migration.ts';
import { outboxClinicKindMigration } from './outbox-clinic-kind.migration.ts';
import { forgetPreparedStatements } from './pg-prepared.ts';
import { raisedReportsIndexMigration } from './raised-reports-index.migration.ts';
import { openExistingSecrets, sealExistingSecrets } from './seal-existing.ts';
import { searchKeyOf } from './search-key.ts';
import { staffEmailTokenExpiryMigration } from './staff-email-token-expiry.migration.ts';
import { triageVersionsMigration } from './triage-versions.migration.ts';
import { untilDurable } from './wal-sync.ts';

/**
 * Migrations live in code (no files to ship or find at run time) and are frozen once
 * released: never edit one, add the next. Column types are the portable subset of
 * docs/decisions/0100; `sql` appears only where the dialects differ.
 */
const GENESIS_HASH = '0'.repeat(64);

const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const pg = dialectOf(db) === 'postgres';

    await db.schema
      .createTable('clinics')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('emergency_number', 'text', (c) => c.notNull())
      .addColumn('contact_phone', 'text', (c) => c.notNull())
      .addColumn('default_language', 'text', (c) => c.notNull().defaultTo('en'))
      .addColumn('languages_json', 'text', (c) => c.notNull().defaultTo('["en"]'))
      .addColumn('checkin_plan_json', 'text', (c) => c.notNull().defaultTo('[4,24,48,72,168]'))
      .addColumn('thoracic_plan_json', 'text', (c) => c.notNull().defaultTo('[2,6,24,48,72,168]'))
      .addColumn('coverage_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('quiet_hours_json', 'text', (c) => c.notNull().defaultTo('null'))
      .addColumn('escalation_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('link_ttl_days', 'integer', (c) => c.notNull().defaultTo(14))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('staff_users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'practitioner')`))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('staff_users_clinic')
      .on('staff_users')
      .column('clinic_id')
      .execute();

    await db.schema
      .createTable('staff_sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) =>
        c.notNull().references('staff_users.id').onDelete('cascade'),
      )
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('staff_sessions_user')
      .on('staff_sessions')
      .column('user_id')
      .execute();
    await db.schema
      .createIndex('staff_sessions_expires')
      .on('staff_sessions')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_by', 'text', (c) => c.references('staff_users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('api_tokens_clinic').on('api_tokens').column('clinic_id').execute();

    await db.schema
      .createTable('patients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('phone', 'text')
      .addColumn('language', 'text', (c) => c.notNull().defaultTo('en'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('patients_clinic_name')
      .on('patients')
      .columns(['clinic_id', 'display_name'])
      .execute();

    await db.schema
      .createTable('needling_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
      .addColumn('practitioner_id', 'text', (c) => c.references('staff_users.id'))
      .addColumn('performed_at', 'text', (c) => c.notNull())
      .addColumn('thoracic', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('bilateral_thoracic', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('notes', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('needling_sessions_patient')
      .on('needling_sessions')
      .columns(['clinic_id', 'patient_id', 'performed_at'])
      .execute();
    await db.schema
      .createIndex('needling_sessions_clinic_performed')
      .on('needling_sessions')
      .columns(['clinic_id', 'performed_at'])
      .execute();

    await db.schema
      .createTable('session_sites')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('session_id', 'text', (c) =>
        c.notNull().references('needling_sessions.id').onDelete('cascade'),
      )
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('muscle', 'text', (c) => c.notNull())
      .addColumn('side', 'text')
      .addColumn('needle_count', 'integer')
      .addUniqueConstraint('session_sites_position', ['session_id', 'position'])
      .execute();

    await db.schema
      .createTable('patient_links')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('session_id', 'text', (c) => c.notNull().references('needling_sessions.id'))
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createIndex('patient_links_session')
      .on('patient_links')
      .column('session_id')
      .execute();

    await db.schema
      .createTable('check_ins')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('session_id', 'text', (c) => c.notNull().references('needling_sessions.id'))
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('hours_after', 'double precision', (c) => c.notNull())
      .addColumn('soreness', 'integer', (c) => c.notNull())
      .addColumn('symptoms_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('note', 'text')
      .addColumn('source', 'text', (c) =>
        c.notNull().check(sql`source in ('patient', 'emergency_button', 'staff')`),
      )
      .execute();
    await db.schema
      .createIndex('check_ins_session')
      .on('check_ins')
      .columns(['session_id', 'received_at'])
      .execute();
    await db.schema
      .createIndex('check_ins_clinic_received')
      .on('check_ins')
      .columns(['clinic_id', 'received_at'])
      .execute();

    await db.schema
      .createTable('assessments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('check_in_id', 'text', (c) => c.notNull().unique().references('check_ins.id'))
      .addColumn('session_id', 'text', (c) => c.notNull().references('needling_sessions.id'))
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('disposition', 'text', (c) => c.notNull())
      .addColumn('rules_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('rulebook_version', 'text', (c) => c.notNull())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('thoracic', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('assessments_session')
      .on('assessments')
      .column('session_id')
      .execute();

    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('session_id', 'text', (c) => c.notNull().references('needling_sessions.id'))
      .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
      .addColumn('assessment_id', 'text', (c) => c.references('assessments.id'))
      .addColumn('severity', 'text', (c) =>
        c.notNull().check(sql`severity in ('routine', 'urgent', 'emergency')`),
      )
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('open', 'acknowledged', 'resolved')`),
      )
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('acknowledged_at', 'text')
      .addColumn('acknowledged_by', 'text', (c) => c.references('staff_users.id'))
      .addColumn('resolved_at', 'text')
      .addColumn('resolved_by', 'text', (c) => c.references('staff_users.id'))
      .addColumn('resolution_note', 'text')
      .execute();
    await db.schema
      .createIndex('alerts_clinic_status')
      .on('alerts')
      .columns(['clinic_id', 'status', 'created_at'])
      .execute();
    await db.schema
      .createIndex('alerts_session_status')
      .on('alerts')
      .columns(['session_id', 'status'])
      .execute();

    await db.schema
      .createTable('audit_events')
      .addColumn('seq', pg ? 'bigint' : 'integer', (c) =>
        pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
      )
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('clinic_id', 'text')
      .addColumn('actor_type', 'text', (c) =>
        c
          .notNull()
          .check(sql`actor_type in ('staff', 'patient_link', 'api_token', 'system', 'anonymous')`),
      )
      .addColumn('actor_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject_type', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('details_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('audit_events_clinic_at')
      .on('audit_events')
      .columns(['clinic_id', 'at'])
      .execute();
    await db.schema
      .createIndex('audit_events_subject')
      .on('audit_events')
      .columns(['subject_type', 'subject_id'])
      .execute();

    await db.schema
      .createTable('audit_head')
      .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn('last_seq', pg ? 'bigint' : 'integer', (c) => c.notNull())
      .addColumn('last_hash', 'text', (c) => c.notNull())
      .execute();
    await sql`insert into audit_head (id, last_seq, last_hash) values (1, 0, ${GENESIS_HASH})`.execute(
      db,
    );

    await db.schema
      .createTable('idempotency_keys')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer', (c) => c.notNull())
      .addColumn('response_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
      .execute();
    await db.schema
      .createIndex('idempotency_keys_created')
      .on('idempotency_keys')
      .column('created_at')
      .execute();

    await db.schema
      .createTable('outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.references('clinics.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
      .addColumn('payload_json', 'text', (c) => c.notNull())
      .addColumn('due_at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('pending', 'sent', 'dead')`),
      )
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('claimed_by', 'text')
      .addColumn('claimed_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .execute();
    await db.schema
      .createIndex('outbox_status_due')
      .on('outbox')
      .columns(['status', 'due_at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'outbox',
      'idempotency_keys',
      'audit_head',
      'audit_events',
      'alerts',
      'assessments',
      'check_ins',
      'patient_links',
      'session_sites',
      'needling_sessions',
      'patients',
      'api_tokens',
      'staff_sessions',
      'staff_users',
      'clinics',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};

/**
 * The keyed audit chain (docs/decisions/1101-keyed-audit-chain.md): `key_id` names the HMAC key
 * of an event; events written before it stay unkeyed (null) and keep their SHA-256 links.
 */
const keyedAuditChain: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('audit_events').addColumn('key_id', 'text').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('audit_events').dropColumn('key_id').execute();
  },
};

/**
 * Seal the credentials written in the clear before 0003 (webhook secrets, outbox reminder links)
 * with the handle's secret key (docs/decisions/1100-keys-at-rest.md); down opens them again.
 */
const sealSecretsAtRest: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sealExistingSecrets(db as unknown as Db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await openExistingSecrets(db as unknown as Db);
  },
};

/**
 * Indexes the scale benchmark's plans showed missing (docs/performance.md, issue 14), and a
 * sortable rank for the alert list. `listAlerts` ordered by two `CASE` expressions, which no
 * index can serve, so every call sorted the clinic's whole alert history in a temporary
 * B-tree. `queue_rank` is that order as one generated column (status rank × 3 + severity
 * rank: open emergency 0 … resolved routine 8), kept by the database itself so no writer can
 * forget it, and indexed with the columns that break ties.
 */
const scaleIndexes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const rank = sql.raw(
      `(case status when 'open' then 0 when 'acknowledged' then 3 else 6 end) + ` +
        `(case severity when 'emergency' then 0 when 'urgent' then 1 else 2 end)`,
    );
    if (dialectOf(db) === 'postgres') {
      await sql`alter table alerts add column queue_rank integer generated always as (${rank}) stored`.execute(
        db,
      );
    } else {
      // SQLite can add only VIRTUAL generated columns; an index stores their values.
      await sql`alter table alerts add column queue_rank integer generated always as (${rank}) virtual`.execute(
        db,
      );
    }
    await db.schema
      .createIndex('alerts_clinic_queue')
      .on('alerts')
      .columns(['clinic_id', 'queue_rank', 'created_at', 'id'])
      .execute();
    // The patient page and the session API: a patient's alerts, oldest first.
    await db.schema
      .createIndex('alerts_clinic_patient')
      .on('alerts')
      .columns(['clinic_id', 'patient_id', 'created_at'])
      .execute();
    // The queue's "recently resolved": newest resolutions of one clinic.
    await db.schema
      .createIndex('alerts_clinic_resolved')
      .on('alerts')
      .columns(['clinic_id', 'status', 'resolved_at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const index of [
      'alerts_clinic_resolved',
      'alerts_clinic_patient',
      'alerts_clinic_queue',
    ]) {
      await db.schema.dropIndex(index).ifExists().execute();
    }
    await sql`alter table alerts drop column queue_rank`.execute(db);
  },
};

/**
 * Issue 10, clinic side: every attempt to reach the patient about an alert (who, when, what
 * happened), and how a resolved alert turned out (confirmed adverse event and its class, false
 * alarm, unrelated), which the adverse-event register counts (decisions 1211, 1213).
 */
const alertContactAttempts: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('alert_contact_attempts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('staff_id', 'text', (c) => c.references('staff_users.id'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('alert_contact_attempts_alert')
      .on('alert_contact_attempts')
      .columns(['alert_id', 'at'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('alert_contact_attempts').ifExists().execute();
  },
};

const alertOutcome: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('alerts')
      .addColumn('outcome', 'text', (c) =>
        c.check(sql`outcome in ('confirmed', 'false_alarm', 'unrelated')`),
      )
      .execute();
    await db.schema
      .alterTable('alerts')
      .addColumn('outcome_class', 'text', (c) =>
        c.check(sql`outcome_class in ('mild', 'significant', 'serious')`),
      )
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('alerts').dropColumn('outcome_class').execute();
    await db.schema.alterTable('alerts').dropColumn('outcome').execute();
  },
};

/**
 * The search key gains a line with the phone's digits alone (decision 1227): existing keys are
 * computed again with the function every insert and update uses. Erased patients keep their
 * empty key (decision 1312).
 */
const patientSearchKeyPhoneDigits: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const rows = await sql<{
      id: string;
      display_name: string;
      email: string | null;
      phone: string | null;
    }>`select id, display_name, email, phone from patients where erased_at is null`.execute(db);
    for (const row of rows.rows) {
      const key = searchKeyOf(row.display_name, row.email, row.phone);
      await sql`update patients set search_key = ${key} where id = ${row.id}`.execute(db);
    }
  },
  async down(): Promise<void> {
    // The extra line does no harm to the code before it: nothing to undo.
  },
};

/**
 * The patients' search key (decision 1310): name, e-mail and phone lower-cased with diacritics
 * stripped, so "lucia" finds "Lucía" the same way on both dialects. Existing rows are backfilled
 * here with the same function the repository uses on every insert and update.
 */
const patientSearchKey: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('patients')
      .addColumn('search_key', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    const rows = await sql<{
      id: string;
      display_name: string;
      email: string | null;
      phone: string | null;
    }>`select id, display_name, email, phone from patients`.execute(db);
    for (const row of rows.rows) {
      const key = searchKeyOf(row.display_name, row.email, row.phone);
      await sql`update patients set search_key = ${key} where id = ${row.id}`.execute(db);
    }
    await db.schema
      .createIndex('patients_clinic_search_key')
      .on('patients')
      .columns(['clinic_id', 'search_key'])
      .execute();
    await db.schema
      .createIndex('patients_clinic_recent')
      .on('patients')
      .columns(['clinic_id', 'created_at', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('patients_clinic_recent').execute();
    await db.schema.dropIndex('patients_clinic_search_key').execute();
    await db.schema.alterTable('patients').dropColumn('search_key').execute();
  },
};

/** Erasure and retention (decisions 1312, 1313): when a patient was erased; a clinic's period. */
const patientErasure: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('patients').addColumn('erased_at', 'text').execute();
    await db.schema
      .alterTable('clinics')
      .addColumn('retention_years', 'integer', (c) => c.notNull().defaultTo(8))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('clinics').dropColumn('retention_years').execute();
    await db.schema.alterTable('patients').dropColumn('erased_at').execute();
  },
};

/**
 * RULES.md v1.1: a report with a red-flag symptom may come without a soreness number, so
 * `check_ins.soreness` becomes nullable (decision 1200). PostgreSQL drops the constraint in
 * place. SQLite cannot alter a column, so the table is rebuilt the way SQLite documents
 * ("making other kinds of table schema changes"): foreign keys off outside any transaction,
 * new table, copy, drop, rename, indexes, a foreign-key check, foreign keys back on.
 * `assessments.check_in_id` refers to `check_ins` by name, so it points at the new table.
 */
const sorenessOptional: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) === 'postgres') {
      await sql`alter table check_ins alter column soreness drop not null`.execute(db);
      return;
    }
    await sql`pragma foreign_keys = off`.execute(db);
    try {
      await db.transaction().execute(async (trx) => {
        await trx.schema
          .createTable('check_ins_v2')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('session_id', 'text', (c) => c.notNull().references('needling_sessions.id'))
          .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('hours_after', 'double precision', (c) => c.notNull())
          .addColumn('soreness', 'integer')
          .addColumn('symptoms_json', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('note', 'text')
          .addColumn('source', 'text', (c) =>
            c.notNull().check(sql`source in ('patient', 'emergency_button', 'staff')`),
          )
          .execute();
        await sql`insert into check_ins_v2 (id, session_id, clinic_id, received_at, hours_after,
          soreness, symptoms_json, note, source)
          select id, session_id, clinic_id, received_at, hours_after, soreness, symptoms_json,
          note, source from check_ins`.execute(trx);
        await trx.schema.dropTable('check_ins').execute();
        await sql`alter table check_ins_v2 rename to check_ins`.execute(trx);
        await trx.schema
          .createIndex('check_ins_session')
          .on('check_ins')
          .columns(['session_id', 'received_at'])
          .execute();
        await trx.schema
          .createIndex('check_ins_clinic_received')
          .on('check_ins')
          .columns(['clinic_id', 'received_at'])
          .execute();
        const broken = await sql`pragma foreign_key_check`.execute(trx);
        if (broken.rows.length > 0) throw new Error('0110: foreign keys broken by the rebuild');
      });
    } finally {
      await sql`pragma foreign_keys = on`.execute(db);
    }
  },
  // Down keeps the column nullable: reports without a number may already be stored, and a
  // NOT NULL would refuse them. Running up again afterwards is harmless on both dialects.
  async down(): Promise<void> {},
};

/**
 * First run and people (issue 11): a clinic's country and suspension, and the single-use
 * set-password tokens (invitation, reset, first admin), kept only as sha256 hashes.
 */
const clinicSetup: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('clinics').addColumn('country', 'text').execute();
    await db.schema.alterTable('clinics').addColumn('suspended_at', 'text').execute();
    await db.schema
      .createTable('password_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('staff_users.id'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('purpose', 'text', (c) =>
        c.notNull().check(sql`purpose in ('first_admin', 'invite', 'reset')`),
      )
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createIndex('password_tokens_user')
      .on('password_tokens')
      .columns(['user_id', 'created_at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('password_tokens').ifExists().execute();
    await db.schema.alterTable('clinics').dropColumn('suspended_at').execute();
    await db.schema.alterTable('clinics').dropColumn('country').execute();
  },
};

/** All migrations, in order. Names sort lexically; never rename or edit a released one. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': initial,
  '0002_keyed_audit_chain': keyedAuditChain,
  '0003_seal_secrets_at_rest': sealSecretsAtRest,
  '0004_scale_indexes': scaleIndexes,
  '0005_interop': interopMigration,
  '0110_soreness_optional': sorenessOptional,
  '0120_alert_contact_attempts': alertContactAttempts,
  '0121_alert_outcome': alertOutcome,
  '0130_clinic_country_suspension_password_tokens': clinicSetup,
  '0140_patient_search_key': patientSearchKey,
  '0141_patient_erasure_and_retention': patientErasure,
  '0150_alert_contact_setting': alertContactSettingMigration,
  '0160_setup_tokens_staff_language': firstRunMigration,
  '0170_staff_email_per_clinic_token_expiry': staffEmailTokenExpiryMigration,
  '0190_cds_jwt_ids': cdsJwtIdsMigration,
  '0200_outbox_clinic_kind': outboxClinicKindMigration,
  '0210_check_ins_session_hours': checkInsSessionHoursMigration,
  '0220_fewer_check_in_indexes': fewerCheckInIndexesMigration,
  '0230_audit_seq_without_autoincrement': auditSeqWithoutAutoincrementMigration,
  '0240_patient_search_key_phone_digits': patientSearchKeyPhoneDigits,
  '0250_assessments_session_raised': raisedReportsIndexMigration,
  '0260_check_in_session_keys': checkInSessionKeysMigration,
  '0270_triage_versions': triageVersionsMigration,
  '0280_audit_lanes': auditLanesMigration,
};

const provider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};

export function createMigrator(db: Db): Migrator {
  return new Migrator({ db, provider });
}

/**
 * Bring the schema to the latest migration. Idempotent: returns the names applied by this
 * call (empty when already current).
 * @throws the migration's own error (the failing migration is rolled back where the dialect
 * supports transactional DDL — both of ours do).
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await createMigrator(db).migrateToLatest();
  // Tables may have new columns: statements prepared before must be parsed afresh (decision 1414).
  forgetPreparedStatements(db);
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  // The migrator commits through Kysely directly, not `withTransaction` (decision 1419).
  await untilDurable(db);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
