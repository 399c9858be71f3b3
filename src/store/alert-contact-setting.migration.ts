import type { Kysely, Migration } from 'kysely';

/**
 * `clinics.patient_contact_in_alerts` (decision 1221): whether urgent and emergency alert
 * e-mails and webhooks carry the patient's phone and e-mail. On (1) by default, for every
 * clinic, including those made before it: not reaching a patient in an emergency is the
 * greater risk. An admin can switch it off in the clinic settings.
 */
export const alertContactSettingMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('clinics')
      .addColumn('patient_contact_in_alerts', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('clinics').dropColumn('patient_contact_in_alerts').execute();
  },
};
