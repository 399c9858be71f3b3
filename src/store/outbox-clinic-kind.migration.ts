import type { Kysely, Migration } from 'kysely';

/**
 * `outbox_clinic_kind_due`: a patient's messages (the patient page, export and erasure,
 * `patientOutboxRows`) are read as the clinic's reminder rows, newest first. Without an index
 * on the clinic that read scanned the whole outbox of every clinic (found by
 * src/jobs/housekeeping-plans.int.test.ts); now it reads the clinic's rows of those kinds only.
 */
export const outboxClinicKindMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('outbox_clinic_kind_due')
      .on('outbox')
      .columns(['clinic_id', 'kind', 'due_at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('outbox_clinic_kind_due').ifExists().execute();
  },
};
