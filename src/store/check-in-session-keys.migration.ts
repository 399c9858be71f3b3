import { type Kysely, type Migration, sql } from 'kysely';
import { dialectOf } from './db.ts';

/**
 * PostgreSQL: a check-in's and an assessment's session and clinic are checked as one key,
 * `(session_id, clinic_id)` against the session's `(id, clinic_id)` (decision 1459).
 *
 * Each row used to be checked against the session and against the clinic on its own: five
 * checks per check-in (two for the check-in, three for its assessment), each a query of its
 * own inside PostgreSQL, and the clinic's check took a lock on the clinic's row in every
 * check-in group. Now a row's session and clinic are one check against the session, which the
 * group has already locked, and an assessment's check-in is checked as before: three checks.
 * The key says more than the two did: a row's clinic must be its session's clinic, not just
 * some clinic. The session's clinic is itself a key to `clinics`, so nothing that was checked
 * before goes unchecked.
 *
 * - `needling_sessions_id_clinic (id, clinic_id)` is the unique index the key refers to. A
 *   session is written once and its clinic never changes.
 * - No session or check-in is ever deleted (0220), so no delete waits on these checks.
 * - Existing rows are checked when the keys are added: a row whose clinic is not its session's
 *   stops the migration, and the transaction leaves the schema as it was.
 *
 * SQLite keeps its five checks. There each is a lookup in the same process, with no lock and
 * no round trip, and changing a key means rebuilding both tables (as 0110 did), a copy of every
 * check-in on the next start for no measurable gain.
 */
export const checkInSessionKeysMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'postgres') return;
    await sql`create unique index needling_sessions_id_clinic
      on needling_sessions (id, clinic_id)`.execute(db);
    for (const table of ['check_ins', 'assessments'] as const) {
      await sql`alter table ${sql.table(table)}
        add constraint ${sql.id(`${table}_session_clinic_fkey`)}
        foreign key (session_id, clinic_id) references needling_sessions (id, clinic_id)`.execute(
        db,
      );
      await sql`alter table ${sql.table(table)}
        drop constraint ${sql.id(`${table}_session_id_fkey`)},
        drop constraint ${sql.id(`${table}_clinic_id_fkey`)}`.execute(db);
    }
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'postgres') return;
    for (const table of ['check_ins', 'assessments'] as const) {
      await sql`alter table ${sql.table(table)}
        add constraint ${sql.id(`${table}_session_id_fkey`)}
          foreign key (session_id) references needling_sessions (id),
        add constraint ${sql.id(`${table}_clinic_id_fkey`)}
          foreign key (clinic_id) references clinics (id)`.execute(db);
      await sql`alter table ${sql.table(table)}
        drop constraint ${sql.id(`${table}_session_clinic_fkey`)}`.execute(db);
    }
    await sql`drop index needling_sessions_id_clinic`.execute(db);
  },
};
