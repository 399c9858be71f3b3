import { randomUUID } from 'node:crypto';
import { readBatched } from './batched-reads.ts';
import { builtOnce } from './built-once.ts';
import { type InstantInput, toIso } from './codec.ts';
import { type Db, isOneOf } from './db.ts';
import type { PatientLinkRow } from './schema.ts';

/** A patient's personal link to one session. Only the token's sha256 is stored. */
export interface PatientLink {
  readonly id: string;
  readonly sessionId: string;
  readonly clinicId: string;
  readonly tokenHash: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

export interface NewPatientLink {
  readonly id?: string;
  readonly sessionId: string;
  readonly clinicId: string;
  readonly tokenHash: string;
  readonly createdAt: InstantInput;
  readonly expiresAt: InstantInput;
}

function toLink(row: PatientLinkRow): PatientLink {
  return {
    id: row.id,
    sessionId: row.session_id,
    clinicId: row.clinic_id,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export async function insertPatientLink(db: Db, input: NewPatientLink): Promise<PatientLink> {
  const row = await db
    .insertInto('patient_links')
    .values({
      id: input.id ?? randomUUID(),
      session_id: input.sessionId,
      clinic_id: input.clinicId,
      token_hash: input.tokenHash,
      created_at: toIso(input.createdAt),
      expires_at: toIso(input.expiresAt),
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toLink(row);
}

/**
 * Resolve a presented link token (by hash) to its link and the ids it grants access to.
 * Expired and revoked links are returned too: the caller decides (and words) the refusal.
 */
export async function findLinkByTokenHash(
  db: Db,
  tokenHash: string,
): Promise<(PatientLink & { readonly patientId: string }) | undefined> {
  const row = await db
    .selectFrom('patient_links as l')
    .innerJoin('needling_sessions as s', 's.id', 'l.session_id')
    .selectAll('l')
    .select('s.patient_id')
    .where('l.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...toLink(row), patientId: row.patient_id };
}

/** A link with its patient and whether its clinic is suspended (`findLinkWithClinicState`). */
export interface LinkWithClinicState {
  readonly link: PatientLink & { readonly patientId: string };
  readonly clinicSuspendedAt: string | null;
}

/**
 * `findLinkByTokenHash` plus whether the link's clinic is suspended, in one statement: what
 * every patient-link request needs before it may act (decision 1011), without loading (and
 * unsealing) the whole clinic. Outside a transaction, the lookups of one event-loop turn are
 * made in one statement (`readBatched`, decision 1422).
 */
export function findLinkWithClinicState(
  db: Db,
  tokenHash: string,
): Promise<LinkWithClinicState | undefined> {
  return readBatched(db, 'link-with-clinic-state', tokenHash, findLinksWithClinicState);
}

/** `findLinkWithClinicState` for several token hashes at once, by hash. */
export async function findLinksWithClinicState(
  db: Db,
  tokenHashes: readonly string[],
): Promise<Map<string, LinkWithClinicState>> {
  const rows = await linkWithClinicStateRows(db, [...new Set(tokenHashes)]);
  return new Map(
    rows.map((row) => [
      row.token_hash,
      {
        link: { ...toLink(row), patientId: row.patient_id },
        clinicSuspendedAt: row.clinic_suspended_at,
      },
    ]),
  );
}

/** The statement of `findLinksWithClinicState`, built once per number of links (decision 1425). */
const linkWithClinicStateRows = builtOnce((db, hashes: string[]) =>
  db
    .selectFrom('patient_links as l')
    .innerJoin('needling_sessions as s', 's.id', 'l.session_id')
    .innerJoin('clinics as c', 'c.id', 'l.clinic_id')
    .selectAll('l')
    .select(['s.patient_id', 'c.suspended_at as clinic_suspended_at'])
    .where(isOneOf(db, 'l.token_hash', hashes)),
);

export async function listLinksForSession(
  db: Db,
  clinicId: string,
  sessionId: string,
): Promise<PatientLink[]> {
  const rows = await db
    .selectFrom('patient_links')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('session_id', '=', sessionId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toLink);
}

/** Revoke once; false when unknown in this clinic or already revoked. */
export async function revokeLink(
  db: Db,
  clinicId: string,
  id: string,
  at: InstantInput,
): Promise<boolean> {
  const result = await db
    .updateTable('patient_links')
    .set({ revoked_at: toIso(at) })
    .where('id', '=', id)
    .where('clinic_id', '=', clinicId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
