import { type Kysely, type Migration, sql } from 'kysely';
import { dialectOf } from './db.ts';

/**
 * `audit_events.seq` without `AUTOINCREMENT` on SQLite (decision 1439).
 *
 * `AUTOINCREMENT` keeps the highest key ever used in `sqlite_sequence`, so that a deleted key is
 * never handed out again, and every insert rewrites that row: one more page in the log of every
 * commit that audits anything (check-ins included). Our `seq` never comes from SQLite: every
 * insert names it, taken from `audit_head` under its lock (`chainEvents`), and `audit_head`
 * never goes back. So the keyword guards nothing here, and the table is rebuilt without it.
 *
 * SQLite cannot drop the keyword in place: the rows move to a new table of the same columns,
 * constraints and indexes, in one transaction. No foreign key refers to `audit_events` and it
 * has none of its own. PostgreSQL's identity column has no such row to write: nothing changes.
 */
export const auditSeqWithoutAutoincrementMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) === 'postgres') return;
    await rebuildAuditEvents(db, 'integer primary key');
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) === 'postgres') return;
    await rebuildAuditEvents(db, 'integer primary key autoincrement');
  },
};

async function rebuildAuditEvents(db: Kysely<unknown>, seq: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`create table audit_events_v2 (
      seq ${sql.raw(seq)},
      id text not null unique,
      at text not null,
      clinic_id text,
      actor_type text not null
        check (actor_type in ('staff', 'patient_link', 'api_token', 'system', 'anonymous')),
      actor_id text,
      action text not null,
      subject_type text not null,
      subject_id text,
      ip text,
      details_json text not null default '{}',
      prev_hash text not null,
      hash text not null,
      key_id text
    )`.execute(trx);
    await sql`insert into audit_events_v2 (seq, id, at, clinic_id, actor_type, actor_id, action,
      subject_type, subject_id, ip, details_json, prev_hash, hash, key_id)
      select seq, id, at, clinic_id, actor_type, actor_id, action, subject_type, subject_id, ip,
      details_json, prev_hash, hash, key_id from audit_events`.execute(trx);
    await trx.schema.dropTable('audit_events').execute();
    await sql`alter table audit_events_v2 rename to audit_events`.execute(trx);
    await trx.schema
      .createIndex('audit_events_clinic_at')
      .on('audit_events')
      .columns(['clinic_id', 'at'])
      .execute();
    await trx.schema
      .createIndex('audit_events_subject')
      .on('audit_events')
      .columns(['subject_type', 'subject_id'])
      .execute();
  });
}
