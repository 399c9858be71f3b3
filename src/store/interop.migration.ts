import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Tables of the interoperability doors (FHIR, CDS Hooks), docs/decisions/0902:
 * - `patient_identifiers`: the ids a clinic's EHR gives its patients (one system per clinic
 *   links CDS Hooks requests to our patients);
 * - `cds_clients`: the EHRs allowed to call the CDS services, by JWT issuer, with the keys
 *   their JWTs are verified against and the identifier system that links patients;
 * - `fhir_exports` / `fhir_export_files`: bulk export jobs of the async `$export` flow and
 *   their NDJSON output.
 */
export const interopMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('patient_identifiers')
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
      .addColumn('system', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('patient_identifiers_pk', ['clinic_id', 'system', 'value'])
      .execute();
    await db.schema
      .createIndex('patient_identifiers_patient')
      .on('patient_identifiers')
      .column('patient_id')
      .execute();

    await db.schema
      .createTable('cds_clients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('issuer', 'text', (c) => c.notNull().unique())
      .addColumn('jwks_url', 'text')
      .addColumn('jwks_json', 'text')
      .addColumn('identifier_system', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addCheckConstraint('cds_clients_keys', sql`jwks_url is not null or jwks_json is not null`)
      .execute();

    await db.schema
      .createTable('fhir_exports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('request_url', 'text', (c) => c.notNull())
      .addColumn('since', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('fhir_export_files')
      .addColumn('export_id', 'text', (c) =>
        c.notNull().references('fhir_exports.id').onDelete('cascade'),
      )
      .addColumn('resource_type', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('ndjson', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('fhir_export_files_pk', ['export_id', 'resource_type'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['fhir_export_files', 'fhir_exports', 'cds_clients', 'patient_identifiers'])
      await db.schema.dropTable(table).ifExists().execute();
  },
};
