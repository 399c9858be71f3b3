import { type Kysely, type Migration, sql } from 'kysely';
import { dialectOf } from './db.ts';

/** How long a token made before this migration stays valid, counted from the migration. */
const EXISTING_TOKEN_DAYS = 90;

/**
 * Issue 11, people (docs/decisions/1330, 1331):
 * - `api_tokens.expires_at`: every token now expires. Tokens made before this migration get
 *   90 days from the migration, not from their creation: an integration made a year ago must
 *   not stop at the moment of the upgrade without warning.
 * - `staff_users.email` is unique per clinic, no longer across clinics: the same person may
 *   work for two clinics, and one clinic's admin must learn nothing about another's people.
 *   PostgreSQL drops the column's unique constraint in place; SQLite rebuilds the table (a
 *   column constraint cannot be dropped there), foreign keys checked afterwards.
 */
/** The columns of `staff_users` as 0001 made them, copied by the SQLite rebuild. */
const BASE_COLUMNS = [
  'id',
  'clinic_id',
  'email',
  'display_name',
  'role',
  'password_hash',
  'active',
  'failed_logins',
  'locked_until',
  'created_at',
] as const;

export const staffEmailTokenExpiryMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
    const until = new Date(Date.now() + EXISTING_TOKEN_DAYS * 86_400_000).toISOString();
    await sql`update api_tokens set expires_at = ${until} where expires_at is null`.execute(db);

    if (dialectOf(db) === 'postgres') {
      await sql`alter table staff_users drop constraint if exists staff_users_email_key`.execute(
        db,
      );
      await sql`create unique index if not exists staff_users_clinic_email on staff_users (clinic_id, email)`.execute(
        db,
      );
      await sql`create index if not exists staff_users_email on staff_users (email)`.execute(db);
      return;
    }
    await sql`pragma foreign_keys = off`.execute(db);
    try {
      await db.transaction().execute(async (trx) => {
        await trx.schema
          .createTable('staff_users_v2')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) =>
            c.notNull().check(sql`role in ('admin', 'practitioner')`),
          )
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('locked_until', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        // Columns other migrations added before this one (0160's `language`) are carried over
        // as they are: the rebuild changes the e-mail constraint and nothing else.
        const known = new Set<string>(BASE_COLUMNS);
        const info = await sql<{
          name: string;
          type: string;
        }>`select name, type from pragma_table_info('staff_users')`.execute(trx);
        const extra = info.rows.filter((c) => !known.has(c.name));
        for (const c of extra)
          await sql`alter table staff_users_v2 add column ${sql.id(c.name)} ${sql.raw(/^[A-Za-z ]*$/.test(c.type) ? c.type : 'text')}`.execute(
            trx,
          );
        const columns = sql.join(
          [...BASE_COLUMNS, ...extra.map((c) => c.name)].map((n) => sql.id(n)),
        );
        await sql`insert into staff_users_v2 (${columns}) select ${columns} from staff_users`.execute(
          trx,
        );
        await trx.schema.dropTable('staff_users').execute();
        await sql`alter table staff_users_v2 rename to staff_users`.execute(trx);
        await trx.schema
          .createIndex('staff_users_clinic')
          .on('staff_users')
          .column('clinic_id')
          .execute();
        await trx.schema
          .createIndex('staff_users_clinic_email')
          .on('staff_users')
          .columns(['clinic_id', 'email'])
          .unique()
          .execute();
        await trx.schema
          .createIndex('staff_users_email')
          .on('staff_users')
          .column('email')
          .execute();
        const broken = await sql`pragma foreign_key_check`.execute(trx);
        if (broken.rows.length > 0) throw new Error('0170: foreign keys broken by the rebuild');
      });
    } finally {
      await sql`pragma foreign_keys = on`.execute(db);
    }
  },
  // Down keeps e-mail addresses unique per clinic (a global constraint could refuse rows that
  // are now legal) and drops only the expiry column.
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  },
};
