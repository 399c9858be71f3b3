import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Locale } from '../clinical/types.ts';
import { type InstantInput, toIso } from './codec.ts';
import type { Db } from './db.ts';
import type { PatientRow } from './schema.ts';

export interface Patient {
  readonly id: string;
  readonly clinicId: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly language: Locale;
  readonly createdAt: string;
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

/** Escape LIKE wildcards so user input matches literally (with `escape '\'`). */
function likeContains(query: string): string {
  return `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Case-insensitive substring search over name, e-mail and phone, by name. An empty query lists
 * the clinic's patients by name. `lower() like` behaves the same on both dialects (SQLite's
 * `like` alone is case-insensitive, PostgreSQL's is not).
 */
export async function searchPatients(
  db: Db,
  clinicId: string,
  query: string,
  limit: number,
): Promise<Patient[]> {
  const q = query.trim();
  let builder = db.selectFrom('patients').selectAll().where('clinic_id', '=', clinicId);
  if (q !== '') {
    const pattern = likeContains(q);
    builder = builder.where((eb) =>
      eb.or([
        eb(sql`lower(display_name)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(coalesce(email, ''))`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`coalesce(phone, '')`, 'like', sql`${pattern} escape '\\'`),
      ]),
    );
  }
  const rows = await builder
    .orderBy('display_name')
    .orderBy('id')
    .limit(Math.max(0, Math.floor(limit)))
    .execute();
  return rows.map(toPatient);
}
