import { randomUUID } from 'node:crypto';
import type { Updateable } from 'kysely';
import { LOCALES, type Locale } from '../clinical/types.ts';
import { builtOnce } from './built-once.ts';
import { type Clinic, clinicFromRow } from './clinics.repository.ts';
import { fromIntBool, type InstantInput, toIntBool, toIso } from './codec.ts';
import { type Db, dialectOf } from './db.ts';
import type { StaffSessionRow, StaffUserRow, StaffUsersTable } from './schema.ts';

export type StaffRole = 'admin' | 'practitioner';

export interface StaffUser {
  readonly id: string;
  readonly clinicId: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: StaffRole;
  readonly passwordHash: string;
  readonly active: boolean;
  readonly failedLogins: number;
  readonly lockedUntil: string | null;
  readonly createdAt: string;
  /** Their own language (dashboard, e-mails); null: the clinic's default. */
  readonly language: Locale | null;
}

export interface NewStaffUser {
  readonly id?: string;
  readonly clinicId: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: StaffRole;
  readonly passwordHash: string;
  readonly active?: boolean;
  readonly createdAt: InstantInput;
}

export interface StaffUserPatch {
  readonly email?: string;
  readonly displayName?: string;
  readonly role?: StaffRole;
  readonly passwordHash?: string;
  readonly active?: boolean;
  readonly language?: Locale | null;
}

export interface StaffSession {
  readonly idHash: string;
  readonly userId: string;
  readonly clinicId: string;
  readonly csrfToken: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastSeenAt: string;
}

export interface NewStaffSession {
  readonly idHash: string;
  readonly userId: string;
  readonly clinicId: string;
  readonly csrfToken: string;
  readonly createdAt: InstantInput;
  readonly expiresAt: InstantInput;
}

function isLocale(v: string | null): v is Locale {
  return v !== null && (LOCALES as readonly string[]).includes(v);
}

function toStaffUser(row: StaffUserRow): StaffUser {
  return {
    id: row.id,
    clinicId: row.clinic_id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    passwordHash: row.password_hash,
    active: fromIntBool(row.active),
    failedLogins: row.failed_logins,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    language: isLocale(row.language) ? row.language : null,
  };
}

function toStaffSession(row: StaffSessionRow): StaffSession {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    clinicId: row.clinic_id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** E-mail addresses are compared and stored lower-case and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Insert a staff user. The e-mail is unique within a clinic (migration 0170): a duplicate in
 * the same clinic throws; the same address in another clinic is a different person's account.
 */
export async function insertStaffUser(db: Db, input: NewStaffUser): Promise<StaffUser> {
  const row = await db
    .insertInto('staff_users')
    .values({
      id: input.id ?? randomUUID(),
      clinic_id: input.clinicId,
      email: normalizeEmail(input.email),
      display_name: input.displayName,
      role: input.role,
      password_hash: input.passwordHash,
      active: toIntBool(input.active ?? true),
      failed_logins: 0,
      locked_until: null,
      created_at: toIso(input.createdAt),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStaffUser(row);
}

/**
 * Look up by e-mail across all clinics; includes inactive users. Since migration 0170 an
 * address may be in several clinics: this returns the oldest account. Sign-in uses
 * `listStaffByEmail`, a clinic's own checks `findStaffByEmailInClinic`.
 */
export async function findStaffByEmail(db: Db, email: string): Promise<StaffUser | undefined> {
  return (await listStaffByEmail(db, email))[0];
}

/** Every account with this address, in every clinic, oldest first; includes inactive users (sign-in, and the forgot-password form, which must reach each account it names). */
export async function listStaffByEmail(db: Db, email: string): Promise<StaffUser[]> {
  const rows = await db
    .selectFrom('staff_users')
    .selectAll()
    .where('email', '=', normalizeEmail(email))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toStaffUser);
}

/** The account with this address in this clinic, if any (unique per clinic). */
export async function findStaffByEmailInClinic(
  db: Db,
  clinicId: string,
  email: string,
): Promise<StaffUser | undefined> {
  const row = await db
    .selectFrom('staff_users')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirst();
  return row && toStaffUser(row);
}

/**
 * The ids of the clinic's active admins who have a password (who can actually administer),
 * locked for the rest of the transaction on PostgreSQL so two admins demoting each other at
 * once cannot both pass the "someone else is still admin" check (SQLite's write transactions
 * are serialised already, decision 0801).
 */
export async function lockActiveAdmins(
  db: Db,
  clinicId: string,
  noPassword: string,
): Promise<string[]> {
  let query = db
    .selectFrom('staff_users')
    .select('id')
    .where('clinic_id', '=', clinicId)
    .where('role', '=', 'admin')
    .where('active', '=', 1)
    .where('password_hash', '!=', noPassword)
    .orderBy('id');
  if (dialectOf(db) === 'postgres') query = query.forUpdate();
  return (await query.execute()).map((r) => r.id);
}

export async function findStaffById(db: Db, id: string): Promise<StaffUser | undefined> {
  const row = await db
    .selectFrom('staff_users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toStaffUser(row);
}

export async function listStaff(db: Db, clinicId: string): Promise<StaffUser[]> {
  return (await staffRows(db, clinicId)).map(toStaffUser);
}

// Built once (decision 1425): every queue page reads the staff's names.
const staffRows = builtOnce((db, clinicId: string) =>
  db
    .selectFrom('staff_users')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .orderBy('display_name')
    .orderBy('id'),
);

/** Update a user of this clinic; undefined when no such user in this clinic. */
export async function updateStaffUser(
  db: Db,
  clinicId: string,
  id: string,
  patch: StaffUserPatch,
): Promise<StaffUser | undefined> {
  const u: Updateable<StaffUsersTable> = {};
  if (patch.email !== undefined) u.email = normalizeEmail(patch.email);
  if (patch.displayName !== undefined) u.display_name = patch.displayName;
  if (patch.role !== undefined) u.role = patch.role;
  if (patch.passwordHash !== undefined) u.password_hash = patch.passwordHash;
  if (patch.active !== undefined) u.active = toIntBool(patch.active);
  if (patch.language !== undefined) u.language = patch.language;
  if (Object.keys(u).length === 0) {
    const user = await findStaffById(db, id);
    return user?.clinicId === clinicId ? user : undefined;
  }
  const row = await db
    .updateTable('staff_users')
    .set(u)
    .where('id', '=', id)
    .where('clinic_id', '=', clinicId)
    .returningAll()
    .executeTakeFirst();
  return row && toStaffUser(row);
}

/**
 * Count a failed sign-in and, once `maxFailures` is reached, lock the account until
 * `lockUntil` — in one statement, so parallel guesses all count and none slips past the lock.
 */
export async function recordFailedLogin(
  db: Db,
  id: string,
  policy: { readonly maxFailures: number; readonly lockUntil: InstantInput },
): Promise<{ failedLogins: number; lockedUntil: string | null }> {
  const lockUntil = toIso(policy.lockUntil);
  const row = await db
    .updateTable('staff_users')
    .set((eb) => ({
      failed_logins: eb('failed_logins', '+', 1),
      locked_until: eb
        .case()
        .when(eb('failed_logins', '+', 1), '>=', policy.maxFailures)
        .then(lockUntil)
        .else(eb.ref('locked_until'))
        .end(),
    }))
    .where('id', '=', id)
    .returning(['failed_logins', 'locked_until'])
    .executeTakeFirst();
  if (!row) return { failedLogins: 0, lockedUntil: null };
  return { failedLogins: row.failed_logins, lockedUntil: row.locked_until };
}

/** After a successful sign-in (or an admin unlock): zero the counter and lift any lock. */
export async function resetFailedLogins(db: Db, id: string): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({ failed_logins: 0, locked_until: null })
    .where('id', '=', id)
    .execute();
}

export async function insertStaffSession(db: Db, input: NewStaffSession): Promise<StaffSession> {
  const createdAt = toIso(input.createdAt);
  const row = await db
    .insertInto('staff_sessions')
    .values({
      id_hash: input.idHash,
      user_id: input.userId,
      clinic_id: input.clinicId,
      csrf_token: input.csrfToken,
      created_at: createdAt,
      expires_at: toIso(input.expiresAt),
      last_seen_at: createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStaffSession(row);
}

/**
 * The session for a cookie (by the token's hash) with its user, or undefined when unknown,
 * expired at `now`, or the user is inactive. Lock-out is not checked here: it stops new
 * sign-ins, not open sessions (deactivation ends those).
 */
export async function findStaffSession(
  db: Db,
  idHash: string,
  now: InstantInput,
): Promise<(StaffSession & { readonly user: StaffUser }) | undefined> {
  // One statement, not the session and then its user: every signed-in page and API call
  // starts here, and on PostgreSQL each statement is a round trip (decision 1455).
  const row = await sessionQuery(db, idHash, toIso(now)).executeTakeFirst();
  return row && sessionOfRow(row);
}

/**
 * `findStaffSession` with the user's clinic, in the same statement: every dashboard page
 * needs the clinic (its name, time zone, languages) as soon as it knows who is signed in
 * (decision 1457).
 */
export async function findStaffSessionWithClinic(
  db: Db,
  idHash: string,
  now: InstantInput,
): Promise<(StaffSession & { readonly user: StaffUser; readonly clinic: Clinic }) | undefined> {
  const [row] = await sessionWithClinicRows(db, { idHash, now: toIso(now) });
  if (!row) return undefined;
  const clinic = clinicFromRow(db, {
    id: row.c_id,
    name: row.c_name,
    time_zone: row.c_time_zone,
    emergency_number: row.c_emergency_number,
    contact_phone: row.c_contact_phone,
    default_language: row.c_default_language,
    languages_json: row.c_languages_json,
    checkin_plan_json: row.c_checkin_plan_json,
    thoracic_plan_json: row.c_thoracic_plan_json,
    coverage_json: row.c_coverage_json,
    quiet_hours_json: row.c_quiet_hours_json,
    escalation_json: row.c_escalation_json,
    link_ttl_days: row.c_link_ttl_days,
    retention_years: row.c_retention_years,
    patient_contact_in_alerts: row.c_patient_contact_in_alerts,
    created_at: row.c_created_at,
    country: row.c_country,
    suspended_at: row.c_suspended_at,
  });
  return { ...sessionOfRow(row), clinic };
}

/** A clinic's columns beside another table's, prefixed `c_` (clinics as `c`). */
const CLINIC_COLUMNS = [
  'c.id as c_id',
  'c.name as c_name',
  'c.time_zone as c_time_zone',
  'c.emergency_number as c_emergency_number',
  'c.contact_phone as c_contact_phone',
  'c.default_language as c_default_language',
  'c.languages_json as c_languages_json',
  'c.checkin_plan_json as c_checkin_plan_json',
  'c.thoracic_plan_json as c_thoracic_plan_json',
  'c.coverage_json as c_coverage_json',
  'c.quiet_hours_json as c_quiet_hours_json',
  'c.escalation_json as c_escalation_json',
  'c.link_ttl_days as c_link_ttl_days',
  'c.retention_years as c_retention_years',
  'c.patient_contact_in_alerts as c_patient_contact_in_alerts',
  'c.created_at as c_created_at',
  'c.country as c_country',
  'c.suspended_at as c_suspended_at',
] as const;

// Built once (decision 1425): every dashboard page reads it first.
const sessionWithClinicRows = builtOnce((db, a: { idHash: string; now: string }) =>
  sessionQuery(db, a.idHash, a.now)
    .innerJoin('clinics as c', 'c.id', 'u.clinic_id')
    .select(CLINIC_COLUMNS),
);

/** `now` as ISO text: handed to Kysely as it is (`builtOnce`). */
function sessionQuery(db: Db, idHash: string, now: string) {
  return db
    .selectFrom('staff_sessions as ss')
    .innerJoin('staff_users as u', 'u.id', 'ss.user_id')
    .selectAll('u')
    .select([
      'ss.id_hash as ss_id_hash',
      'ss.user_id as ss_user_id',
      'ss.clinic_id as ss_clinic_id',
      'ss.csrf_token as ss_csrf_token',
      'ss.created_at as ss_created_at',
      'ss.expires_at as ss_expires_at',
      'ss.last_seen_at as ss_last_seen_at',
    ])
    .where('ss.id_hash', '=', idHash)
    .where('ss.expires_at', '>', now)
    .where('u.active', '=', 1);
}

function sessionOfRow(
  row: StaffUserRow & {
    readonly ss_id_hash: string;
    readonly ss_user_id: string;
    readonly ss_clinic_id: string;
    readonly ss_csrf_token: string;
    readonly ss_created_at: string;
    readonly ss_expires_at: string;
    readonly ss_last_seen_at: string;
  },
): StaffSession & { readonly user: StaffUser } {
  const session = toStaffSession({
    id_hash: row.ss_id_hash,
    user_id: row.ss_user_id,
    clinic_id: row.ss_clinic_id,
    csrf_token: row.ss_csrf_token,
    created_at: row.ss_created_at,
    expires_at: row.ss_expires_at,
    last_seen_at: row.ss_last_seen_at,
  });
  return { ...session, user: toStaffUser(row) };
}

/** Record activity and optionally slide the expiry. */
export async function touchStaffSession(
  db: Db,
  idHash: string,
  at: { readonly lastSeenAt: InstantInput; readonly expiresAt?: InstantInput },
): Promise<boolean> {
  const result = await db
    .updateTable('staff_sessions')
    .set({
      last_seen_at: toIso(at.lastSeenAt),
      ...(at.expiresAt === undefined ? {} : { expires_at: toIso(at.expiresAt) }),
    })
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteStaffSession(db: Db, idHash: string): Promise<boolean> {
  const result = await db
    .deleteFrom('staff_sessions')
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Sign a user out everywhere (deactivation, password change). */
export async function deleteStaffSessionsForUser(db: Db, userId: string): Promise<number> {
  const result = await db
    .deleteFrom('staff_sessions')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Sign every person of a clinic out (the clinic is suspended). */
export async function deleteStaffSessionsForClinic(db: Db, clinicId: string): Promise<number> {
  const result = await db
    .deleteFrom('staff_sessions')
    .where('clinic_id', '=', clinicId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Housekeeping: drop sessions expired before `now`. */
export async function deleteExpiredStaffSessions(db: Db, now: InstantInput): Promise<number> {
  const result = await db
    .deleteFrom('staff_sessions')
    .where('expires_at', '<=', toIso(now))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Sign a person out everywhere but the session `keepHash` (they changed their own password). */
export async function deleteOtherStaffSessions(
  db: Db,
  userId: string,
  keepHash: string,
): Promise<number> {
  const result = await db
    .deleteFrom('staff_sessions')
    .where('user_id', '=', userId)
    .where('id_hash', '!=', keepHash)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
