import type { Kysely, Migration } from 'kysely';

/**
 * `cds_jwt_ids` (docs/decisions/0911): the `jti` of every CDS Hooks JWT accepted, per issuer,
 * until the token could no longer be accepted anyway (its `exp` plus the clock tolerance).
 * The primary key makes "seen before" one atomic insert on both dialects, across processes.
 * Rows live minutes: deleted on the next insert from the same issuer and by the worker's
 * housekeeping.
 */
export const cdsJwtIdsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('cds_jwt_ids')
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('jti', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('cds_jwt_ids_pk', ['issuer', 'jti'])
      .execute();
    await db.schema
      .createIndex('cds_jwt_ids_expires')
      .on('cds_jwt_ids')
      .column('expires_at')
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('cds_jwt_ids').ifExists().execute();
  },
};
