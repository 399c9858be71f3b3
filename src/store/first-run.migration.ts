import type { Kysely, Migration } from 'kysely';

/**
 * Issue 11, first run and own account (docs/decisions/1320):
 * - `setup_tokens`: the one-time setup links `needlecare serve` prints on a database with no
 *   clinic, kept only as sha256 hashes; using one marks every outstanding one used.
 * - `staff_users.language`: the person's own dashboard and e-mail language (null: the clinic's).
 */
export const firstRunMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('setup_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema.alterTable('staff_users').addColumn('language', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('staff_users').dropColumn('language').execute();
    await db.schema.dropTable('setup_tokens').ifExists().execute();
  },
};
