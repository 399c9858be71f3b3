import { type Kysely, type Migration, sql } from 'kysely';

/**
 * `assessments_session_raised (session_id) WHERE disposition <> 'self_care'`: the reports above
 * self-care of the sessions of a clinic's alerts, which the alert queue and every tick of its
 * live list read (`listReportsWhileOpen`, decision 1454).
 *
 * Through `check_ins_session_hours` that read fetched every check-in of those sessions and
 * looked up each one's assessment to drop the self-care ones: on the scale seed 250 lookups
 * for 66 reports a clinic, ~1,160 PostgreSQL buffers. This index holds only the reports above
 * self-care, so a read walks it for the sessions and fetches those reports alone (~460
 * buffers), and a self-care check-in, most of them, writes nothing into it. Decision 1424 took
 * the full `assessments_session` away for the write path; this one costs a write only for a
 * report that also raises or keeps an alert.
 */
export const raisedReportsIndexMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('assessments_session_raised')
      .on('assessments')
      .column('session_id')
      .where(sql.ref('disposition'), '<>', sql.lit('self_care'))
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('assessments_session_raised').ifExists().execute();
  },
};
