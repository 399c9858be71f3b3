import { type Kysely, type Migration, sql } from 'kysely';
import { dialectOf } from './db.ts';

/**
 * `audit_head` holds one row per lane of the audit chain, ids 1 to 1024, where it held the
 * one row with id 1 (decision 1473). Nothing else changes: the events and head of before are
 * lane 1's, and another lane's row is made when a process first appends to it
 * (`openAuditLane`).
 *
 * PostgreSQL swaps the column's check. SQLite cannot alter a check: the table (a few rows) is
 * rebuilt in one transaction. Down refuses while a lane other than 1 has a row: dropping it
 * would cut that lane's events off from their head.
 */
export const auditLanesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) === 'postgres') {
      await sql`alter table audit_head drop constraint audit_head_id_check,
        add constraint audit_head_id_check check (id between 1 and 1024)`.execute(db);
      return;
    }
    await rebuildAuditHead(db, sql`id between 1 and 1024`);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    const others = await sql<{
      n: number;
    }>`select count(*) as n from audit_head where id <> 1`.execute(db);
    if (Number(others.rows[0]?.n ?? 0) > 0) {
      throw new Error('audit lanes other than 1 hold events: the migration cannot be undone');
    }
    if (dialectOf(db) === 'postgres') {
      await sql`alter table audit_head drop constraint audit_head_id_check,
        add constraint audit_head_id_check check (id = 1)`.execute(db);
      return;
    }
    await rebuildAuditHead(db, sql`id = 1`);
  },
};

async function rebuildAuditHead(db: Kysely<unknown>, check: ReturnType<typeof sql>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`create table audit_head_v2 (
      id integer primary key check (${check}),
      last_seq integer not null,
      last_hash text not null
    )`.execute(trx);
    await sql`insert into audit_head_v2 (id, last_seq, last_hash)
      select id, last_seq, last_hash from audit_head`.execute(trx);
    await trx.schema.dropTable('audit_head').execute();
    await sql`alter table audit_head_v2 rename to audit_head`.execute(trx);
  });
}
