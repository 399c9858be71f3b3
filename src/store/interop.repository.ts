import { randomUUID } from 'node:crypto';
import { type Alert, listAlertsForPatient } from './alerts.repository.ts';
import { type CheckInWithAssessment, listCheckInsForSession } from './checkins.repository.ts';
import { type Clinic, findClinic } from './clinics.repository.ts';
import { type InstantInput, parseJson, toIso, toJson } from './codec.ts';
import type { Db } from './db.ts';
import { findPatient, type Patient, searchPatients } from './patients.repository.ts';
import { listSessionsForPatient, type NeedlingSession } from './sessions.repository.ts';
import { listStaff, type StaffRole } from './staff.repository.ts';

/**
 * Reads and writes of the interoperability doors (docs/decisions/0902). The tables are
 * created by interop.migration.ts and typed here (`withTables`), so schema.ts stays the core
 * schema.
 */
type InteropTables = {
  patient_identifiers: {
    clinic_id: string;
    patient_id: string;
    system: string;
    value: string;
    created_at: string;
  };
  cds_clients: {
    id: string;
    clinic_id: string;
    issuer: string;
    jwks_url: string | null;
    jwks_json: string | null;
    identifier_system: string;
    created_at: string;
  };
  fhir_exports: {
    id: string;
    clinic_id: string;
    requested_by: string;
    request_url: string;
    since: string | null;
    created_at: string;
    expires_at: string;
  };
  fhir_export_files: {
    export_id: string;
    resource_type: string;
    count: number;
    ndjson: string;
  };
  cds_jwt_ids: {
    issuer: string;
    jti: string;
    expires_at: string;
  };
};

function interop(db: Db) {
  return db.withTables<InteropTables>();
}

export interface ExternalIdentifier {
  readonly system: string;
  readonly value: string;
}

export interface RecordStaff {
  readonly id: string;
  readonly clinicId: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: StaffRole;
  readonly active: boolean;
  readonly createdAt: string;
}

/** One clinic's data, or one patient's part of it: what the FHIR mapping reads. */
export interface ClinicRecord {
  readonly clinic: Clinic;
  readonly staff: readonly RecordStaff[];
  readonly patients: readonly (Patient & { readonly identifiers: readonly ExternalIdentifier[] })[];
  readonly sessions: readonly NeedlingSession[];
  readonly checkIns: readonly CheckInWithAssessment[];
  readonly alerts: readonly Alert[];
}

/** Far more patients than a clinic has; `searchPatients` needs a limit. */
const ALL_PATIENTS = 1_000_000;

/**
 * A clinic's record, or only `patientId`'s part when given (undefined when the clinic or the
 * patient is not found in that clinic). Everything is read through the clinic-scoped queries.
 */
export async function loadClinicRecord(
  db: Db,
  clinicId: string,
  patientId?: string,
): Promise<ClinicRecord | undefined> {
  const clinic = await findClinic(db, clinicId);
  if (clinic === undefined) return undefined;
  let patients: Patient[];
  if (patientId === undefined) {
    patients = await searchPatients(db, clinicId, '', ALL_PATIENTS);
  } else {
    const one = await findPatient(db, clinicId, patientId);
    if (one === undefined) return undefined;
    patients = [one];
  }
  const identifiers = await listIdentifiers(
    db,
    clinicId,
    patients.map((p) => p.id),
  );
  const sessions: NeedlingSession[] = [];
  const alerts: Alert[] = [];
  for (const p of patients) {
    sessions.push(...(await listSessionsForPatient(db, clinicId, p.id)));
    alerts.push(...(await listAlertsForPatient(db, clinicId, p.id)));
  }
  const checkIns: CheckInWithAssessment[] = [];
  for (const s of sessions) checkIns.push(...(await listCheckInsForSession(db, s.id)));
  const staff = (await listStaff(db, clinicId)).map((u) => ({
    id: u.id,
    clinicId: u.clinicId,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    active: u.active,
    createdAt: u.createdAt,
  }));
  return {
    clinic,
    staff,
    patients: patients.map((p) => ({ ...p, identifiers: identifiers.get(p.id) ?? [] })),
    sessions,
    checkIns,
    alerts,
  };
}

async function listIdentifiers(
  db: Db,
  clinicId: string,
  patientIds: readonly string[],
): Promise<Map<string, ExternalIdentifier[]>> {
  const out = new Map<string, ExternalIdentifier[]>();
  if (patientIds.length === 0) return out;
  const rows = await interop(db)
    .selectFrom('patient_identifiers')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .orderBy('system')
    .orderBy('value')
    .execute();
  const wanted = new Set(patientIds);
  for (const r of rows) {
    if (!wanted.has(r.patient_id)) continue;
    const list = out.get(r.patient_id) ?? [];
    list.push({ system: r.system, value: r.value });
    out.set(r.patient_id, list);
  }
  return out;
}

/** The patient of this clinic that carries `system|value`, if any. */
export async function findPatientIdByIdentifier(
  db: Db,
  clinicId: string,
  identifier: ExternalIdentifier,
): Promise<string | undefined> {
  const row = await interop(db)
    .selectFrom('patient_identifiers')
    .select('patient_id')
    .where('clinic_id', '=', clinicId)
    .where('system', '=', identifier.system)
    .where('value', '=', identifier.value)
    .executeTakeFirst();
  return row?.patient_id;
}

/** Give a patient an identifier; false when the clinic already gave it to a patient. */
export async function insertPatientIdentifier(
  db: Db,
  input: { clinicId: string; patientId: string; system: string; value: string; at: InstantInput },
): Promise<boolean> {
  const result = await interop(db)
    .insertInto('patient_identifiers')
    .values({
      clinic_id: input.clinicId,
      patient_id: input.patientId,
      system: input.system,
      value: input.value,
      created_at: toIso(input.at),
    })
    .onConflict((oc) => oc.columns(['clinic_id', 'system', 'value']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export interface CdsClient {
  readonly id: string;
  readonly clinicId: string;
  /** The `iss` of the EHR's JWTs. */
  readonly issuer: string;
  readonly jwksUrl: string | null;
  /** A JSON Web Key Set of public keys, when the EHR's keys are configured inline. */
  readonly jwks: { readonly keys: readonly object[] } | null;
  /** The identifier system whose values link the EHR's patients to ours. */
  readonly identifierSystem: string;
  readonly createdAt: string;
}

export async function insertCdsClient(
  db: Db,
  input: Omit<CdsClient, 'id' | 'createdAt'> & { at: InstantInput },
): Promise<CdsClient> {
  const id = randomUUID();
  await interop(db)
    .insertInto('cds_clients')
    .values({
      id,
      clinic_id: input.clinicId,
      issuer: input.issuer,
      jwks_url: input.jwksUrl,
      jwks_json: input.jwks === null ? null : toJson(input.jwks),
      identifier_system: input.identifierSystem,
      created_at: toIso(input.at),
    })
    .execute();
  const created = await findCdsClientByIssuer(db, input.issuer);
  if (created === undefined) throw new Error('cds client vanished after insert');
  return created;
}

export async function findCdsClientByIssuer(
  db: Db,
  issuer: string,
): Promise<CdsClient | undefined> {
  const row = await interop(db)
    .selectFrom('cds_clients')
    .selectAll()
    .where('issuer', '=', issuer)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    clinicId: row.clinic_id,
    issuer: row.issuer,
    jwksUrl: row.jwks_url,
    jwks: row.jwks_json === null ? null : parseJson(row.jwks_json),
    identifierSystem: row.identifier_system,
    createdAt: row.created_at,
  };
}

export interface FhirExport {
  readonly id: string;
  readonly clinicId: string;
  readonly requestedBy: string;
  readonly requestUrl: string;
  readonly since: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly files: readonly { readonly type: string; readonly count: number }[];
}

/** Store a finished export and its NDJSON files (one per resource type). */
export async function insertFhirExport(
  db: Db,
  input: Omit<FhirExport, 'files'> & {
    files: readonly { type: string; count: number; ndjson: string }[];
  },
): Promise<void> {
  await interop(db)
    .insertInto('fhir_exports')
    .values({
      id: input.id,
      clinic_id: input.clinicId,
      requested_by: input.requestedBy,
      request_url: input.requestUrl,
      since: input.since,
      created_at: input.createdAt,
      expires_at: input.expiresAt,
    })
    .execute();
  for (const f of input.files) {
    await interop(db)
      .insertInto('fhir_export_files')
      .values({ export_id: input.id, resource_type: f.type, count: f.count, ndjson: f.ndjson })
      .execute();
  }
}

/** An export of this clinic, with its file list (not their content). */
export async function findFhirExport(
  db: Db,
  clinicId: string,
  id: string,
): Promise<FhirExport | undefined> {
  const row = await interop(db)
    .selectFrom('fhir_exports')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const files = await interop(db)
    .selectFrom('fhir_export_files')
    .select(['resource_type', 'count'])
    .where('export_id', '=', id)
    .orderBy('resource_type')
    .execute();
  return {
    id: row.id,
    clinicId: row.clinic_id,
    requestedBy: row.requested_by,
    requestUrl: row.request_url,
    since: row.since,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    files: files.map((f) => ({ type: f.resource_type, count: Number(f.count) })),
  };
}

export async function readFhirExportFile(
  db: Db,
  clinicId: string,
  id: string,
  type: string,
): Promise<string | undefined> {
  const row = await interop(db)
    .selectFrom('fhir_export_files')
    .innerJoin('fhir_exports', 'fhir_exports.id', 'fhir_export_files.export_id')
    .select('fhir_export_files.ndjson')
    .where('fhir_exports.clinic_id', '=', clinicId)
    .where('fhir_exports.id', '=', id)
    .where('fhir_export_files.resource_type', '=', type)
    .executeTakeFirst();
  return row?.ndjson;
}

export async function deleteFhirExport(db: Db, clinicId: string, id: string): Promise<boolean> {
  const found = await findFhirExport(db, clinicId, id);
  if (found === undefined) return false;
  await interop(db).deleteFrom('fhir_export_files').where('export_id', '=', id).execute();
  const result = await interop(db)
    .deleteFrom('fhir_exports')
    .where('clinic_id', '=', clinicId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Record that `issuer` used `jti`, unless it did before (decision 0911): one insert against
 * the primary key, so two processes racing with the same token cannot both succeed. The
 * issuer's expired entries go first (they can no longer match a token that is accepted).
 * Returns false for a replay.
 */
export async function insertCdsJwtId(
  db: Db,
  input: { issuer: string; jti: string; expiresAt: InstantInput; now: InstantInput },
): Promise<boolean> {
  await interop(db)
    .deleteFrom('cds_jwt_ids')
    .where('issuer', '=', input.issuer)
    .where('expires_at', '<=', toIso(input.now))
    .execute();
  const result = await interop(db)
    .insertInto('cds_jwt_ids')
    .values({ issuer: input.issuer, jti: input.jti, expires_at: toIso(input.expiresAt) })
    .onConflict((oc) => oc.columns(['issuer', 'jti']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Housekeeping: forget the `jti`s of tokens that have expired. */
export async function deleteExpiredCdsJwtIds(db: Db, now: InstantInput): Promise<number> {
  const result = await interop(db)
    .deleteFrom('cds_jwt_ids')
    .where('expires_at', '<=', toIso(now))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Housekeeping: delete the exports (and, by their foreign key and explicitly, their files)
 * that expired at or before `now` (decision 0903). Returns the number of exports deleted.
 */
export async function deleteExpiredFhirExports(db: Db, now: InstantInput): Promise<number> {
  const expired = interop(db)
    .selectFrom('fhir_exports')
    .select('id')
    .where('expires_at', '<=', toIso(now));
  await interop(db).deleteFrom('fhir_export_files').where('export_id', 'in', expired).execute();
  const result = await interop(db)
    .deleteFrom('fhir_exports')
    .where('expires_at', '<=', toIso(now))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
