import { type Kysely, type Migration, sql } from 'kysely';
import { dialectOf } from './db.ts';

/**
 * PostgreSQL: every session carries `triage_version`, and the database itself moves it
 * whenever anything a check-in's triage reads of that session changes (decision 1461). A
 * process may then keep a session's triage inputs after its own commit and use them for the
 * next check-in without reading them again: the group's rows statement moves the version on
 * from the one the inputs were kept at, and fails if it is not that one any more
 * (`moveSessionsAlong` in `checkins.repository.ts`).
 *
 * What a check-in reads of its session (`readGroup` in services/submit-check-in.ts) and what
 * moves the version when it changes:
 *
 * - the session's row (its time, patient, clinic): a row trigger on `needling_sessions`, on any
 *   update that does not set the version itself;
 * - its sites: `session_sites`; its reports: `check_ins`; its open alert: `alerts`; its links'
 *   revocations: `patient_links`. Each has statement triggers for insert, update and delete
 *   that move the version of every session their rows name, once a statement, so a bulk
 *   insert of a million check-ins costs one `update` per statement, not one per row;
 * - its clinic (name, phone numbers, suspension): a statement trigger on `clinics` that moves
 *   the version of every session of the clinics updated. Clinic updates are rare settings
 *   changes; a clinic's sessions are written once for all of them.
 *
 * A check-in group's transaction says `set local needlecare.triage_versions = 'moved'`: its
 * rows statement moves the version of every session it read (and it writes to no other), so
 * the triggers let its own writes pass without moving it twice. Nothing else says it.
 *
 * SQLite has no version: a process there reads its sessions in microseconds, and
 * `serve --processes N` shares one file, which no kept state would see change.
 */
export const triageVersionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'postgres') return;
    await sql`alter table needling_sessions
      add column triage_version bigint not null default 0`.execute(db);
    // Any update of a session that leaves the version as it was moves it.
    await sql`create function needlecare_session_moved() returns trigger language plpgsql as $$
      begin
        if new.triage_version is not distinct from old.triage_version then
          new.triage_version := old.triage_version + 1;
        end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger needling_sessions_triage_version
      before update on needling_sessions
      for each row execute function needlecare_session_moved()`.execute(db);
    // The sessions named by the rows a statement changed (`changed`, its transition table):
    // TG_ARGV[0] is the column naming the session, or 'clinic_id' of a clinic's own row.
    await sql`create function needlecare_sessions_moved() returns trigger language plpgsql as $$
      begin
        if current_setting('needlecare.triage_versions', true) = 'moved' then
          return null;
        end if;
        if tg_argv[0] = 'clinic' then
          update needling_sessions set triage_version = triage_version + 1
            where clinic_id in (select id from changed);
        else
          execute format(
            'update needling_sessions set triage_version = triage_version + 1
               where id in (select %I from changed)', tg_argv[0]);
        end if;
        return null;
      end $$`.execute(db);
    for (const [table, column] of WATCHED) {
      for (const event of ['insert', 'update', 'delete'] as const) {
        if (table === 'clinics' && event !== 'update') continue;
        const rows = event === 'insert' ? sql`new table as changed` : sql`old table as changed`;
        await sql`create trigger ${sql.id(`${table}_moves_triage_${event}`)}
          after ${sql.raw(event)} on ${sql.table(table)}
          referencing ${rows}
          for each statement execute function needlecare_sessions_moved(${sql.lit(column)})`.execute(
          db,
        );
      }
    }
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'postgres') return;
    for (const [table] of WATCHED) {
      for (const event of ['insert', 'update', 'delete'] as const) {
        await sql`drop trigger if exists ${sql.id(`${table}_moves_triage_${event}`)}
          on ${sql.table(table)}`.execute(db);
      }
    }
    await sql`drop function needlecare_sessions_moved()`.execute(db);
    await sql`drop trigger needling_sessions_triage_version on needling_sessions`.execute(db);
    await sql`drop function needlecare_session_moved()`.execute(db);
    await sql`alter table needling_sessions drop column triage_version`.execute(db);
  },
};

/** The tables whose rows a check-in's triage reads, with the column that names the session. */
const WATCHED = [
  ['check_ins', 'session_id'],
  ['alerts', 'session_id'],
  ['patient_links', 'session_id'],
  ['session_sites', 'session_id'],
  ['clinics', 'clinic'],
] as const;
