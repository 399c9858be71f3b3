import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Locale } from '../clinical/types.ts';
import { builtOnce } from './built-once.ts';
import { type InstantInput, toIso } from './codec.ts';
import type { Db } from './db.ts';
import type { PatientRow } from './schema.ts';
import { normaliseForSearch, phoneQueryDigits, searchKeyOf } from './search-key.ts';

export interface Patient {
  readonly id: string;
  readonly clinicId: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly language: Locale;
  readonly createdAt: string;
  /** When the patient was erased (their name, contacts and free text are gone), else null. */
  readonly erasedAt: string | null;
}

export interface NewPatient {
  readonly id?: string;
  readonly clinicId: string;
  readonly displayName: string;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly language: Locale;
  readonly createdAt: InstantInput;
}

function toPatient(row: PatientRow): Patient {
  return {
    id: row.id,
    clinicId: row.clinic_id,
    displayName: row.display_name,
    email: row.email,
    phone: row.phone,
    language: row.language as Locale,
    createdAt: row.created_at,
    erasedAt: row.erased_at,
  };
}

export async function insertPatient(db: Db, input: NewPatient): Promise<Patient> {
  const row = await db
    .insertInto('patients')
    .values({
      id: input.id ?? randomUUID(),
      clinic_id: input.clinicId,
      display_name: input.displayName,
      email: input.email ?? null,
      phone: input.phone ?? null,
      language: input.language,
      created_at: toIso(input.createdAt),
      search_key: searchKeyOf(input.displayName, input.email, input.phone),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPatient(row);
}

/** A patient of this clinic only: another clinic's id reads as not found. */
export async function findPatient(
  db: Db,
  clinicId: string,
  id: string,
): Promise<Patient | undefined> {
  const row = await db
    .selectFrom('patients')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toPatient(row);
}

/**
 * Several patients of one clinic in one statement (the alert queue's contact routes: it was one
 * read per patient, issue 14). Ids of another clinic or unknown ids are simply absent.
 */
// Built once per number of patients (decision 1425): every queue page reads them.
const patientRows = builtOnce((db, a: { clinicId: string; ids: string[] }) =>
  db
    .selectFrom('patients')
    .selectAll()
    .where('clinic_id', '=', a.clinicId)
    .where('id', 'in', a.ids),
);

export async function findPatientsByIds(
  db: Db,
  clinicId: string,
  ids: readonly string[],
): Promise<Map<string, Patient>> {
  const unique = [...new Set(ids)];
  const found = new Map<string, Patient>();
  // In chunks, well under both dialects' bound-parameter limits.
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await patientRows(db, { clinicId, ids: unique.slice(i, i + 500) });
    for (const row of rows) found.set(row.id, toPatient(row));
  }
  return found;
}

/** Escape LIKE wildcards so user input matches literally (with `escape '\'`). */
function likeContains(query: string): string {
  return `%${normaliseForSearch(query).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Where a page of patients starts: after this (createdAt, id), newest first. */
export interface PatientCursor {
  readonly createdAt: string;
  readonly id: string;
}

/**
 * Accent- and case-insensitive substring search over name, e-mail and phone (the stored
 * `search_key`, decision 1310), newest first, keyset-paged by `after`. An empty query lists the
 * clinic's patients. Erased patients have an empty key and so are only listed, never found.
 */
export async function searchPatients(
  db: Db,
  clinicId: string,
  query: string,
  limit: number,
  after?: PatientCursor,
): Promise<Patient[]> {
  const q = query.trim();
  let builder = db.selectFrom('patients').selectAll().where('clinic_id', '=', clinicId);
  if (q !== '') {
    const digits = phoneQueryDigits(q);
    builder = builder.where((eb) =>
      eb.or([
        eb('search_key', 'like', sql<string>`${likeContains(q)} escape '\\'`),
        // A phone number however it is spaced, with or without its country code (1227).
        ...(digits ?? []).map((d) => eb('search_key', 'like', `%${d}%`)),
      ]),
    );
  }
  if (after !== undefined) {
    builder = builder.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  const rows = await builder
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.max(0, Math.floor(limit)))
    .execute();
  return rows.map(toPatient);
}

/** Patients of this clinic with the same name (accents and case aside) and phone or e-mail. */
export async function findLikelyDuplicates(
  db: Db,
  clinicId: string,
  candidate: { displayName: string; email?: string | null; phone?: string | null },
): Promise<Patient[]> {
  const rows = await db
    .selectFrom('patients')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('erased_at', 'is', null)
    .where(
      'search_key',
      'like',
      sql<string>`${`${likeEscape(normaliseForSearch(candidate.displayName.trim()))}\n%`} escape '\\'`,
    )
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute();
  const email = candidate.email?.trim().toLowerCase() ?? '';
  const phone = digitsOf(candidate.phone ?? '');
  return rows
    .map(toPatient)
    .filter(
      (p) =>
        (email !== '' && p.email?.toLowerCase() === email) ||
        (phone !== '' && digitsOf(p.phone ?? '') === phone),
    );
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function digitsOf(phone: string): string {
  return phone.replace(/[^0-9]/g, '');
}

export interface PatientChanges {
  readonly displayName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly language: Locale;
}

/** Replace a patient's name, contacts and language (and their search key); undefined if unknown. */
export async function updatePatient(
  db: Db,
  clinicId: string,
  id: string,
  changes: PatientChanges,
): Promise<Patient | undefined> {
  const row = await db
    .updateTable('patients')
    .set({
      display_name: changes.displayName,
      email: changes.email,
      phone: changes.phone,
      language: changes.language,
      search_key: searchKeyOf(changes.displayName, changes.email, changes.phone),
    })
    .where('clinic_id', '=', clinicId)
    .where('id', '=', id)
    .where('erased_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row && toPatient(row);
}
