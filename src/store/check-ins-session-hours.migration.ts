import type { Kysely, Migration } from 'kysely';

/**
 * `check_ins_session_hours (session_id, hours_after, soreness)`: a check-in reads only the
 * reports that decide its triage (the session's latest hour, and the latest earlier hour with
 * a soreness; `listDecidingReportsForSessions`, decision 1413). This index finds both hours
 * in a few steps, and the soreness in it lets the walk back past reports without one stay in
 * the index.
 */
export const checkInsSessionHoursMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('check_ins_session_hours')
      .on('check_ins')
      .columns(['session_id', 'hours_after', 'soreness'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('check_ins_session_hours').ifExists().execute();
  },
};
