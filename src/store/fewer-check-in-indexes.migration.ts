import type { Kysely, Migration } from 'kysely';

/**
 * Two indexes keyed by session go (decision 1424): `check_ins_session (session_id,
 * received_at)` and `assessments_session (session_id)`.
 *
 * A check-in group writes one row per session into every session-keyed index, and the
 * sessions of a group are spread over the whole index: each is another page to change, write
 * to the log and sync. With three such indexes a group of 15 check-ins touched ~45 pages in
 * them against ~6 in the rest of its tables.
 *
 * - `check_ins_session_hours (session_id, hours_after, soreness)` (migration 0210) serves every
 *   read of a session's check-ins by its prefix; the few hundred rows of a session are then
 *   sorted by `received_at`.
 * - A session's assessments are read through its check-ins (`assessments.check_in_id` is
 *   unique, so indexed), `listCheckInsForSession`.
 * - No session or check-in is ever deleted, so no foreign key check needs either index.
 */
export const fewerCheckInIndexesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('check_ins_session').ifExists().execute();
    await db.schema.dropIndex('assessments_session').ifExists().execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('check_ins_session')
      .ifNotExists()
      .on('check_ins')
      .columns(['session_id', 'received_at'])
      .execute();
    await db.schema
      .createIndex('assessments_session')
      .ifNotExists()
      .on('assessments')
      .column('session_id')
      .execute();
  },
};
