import { isTimeZone } from '../clinical/time-zone.ts';
import { LOCALES, type Locale } from '../clinical/types.ts';
import {
  type Clinic,
  findClinic,
  findClinicsByName,
  insertClinic,
  listClinics,
  setClinicSuspended,
} from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import {
  deleteStaffSessionsForClinic,
  insertStaffUser,
  type StaffUser,
} from '../store/staff.repository.ts';
import type { Actor, SystemActor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { isUuid } from './ids.ts';
import { issuePasswordLink, NO_PASSWORD } from './set-password.ts';
import { nameIssue } from './text.ts';

/**
 * Clinics on one server (issue 11, "first run and clinics"): whoever hosts Needlecare creates a
 * clinic with its first admin, lists them, suspends and resumes them. Only trusted code acts
 * here — the CLI (a `SystemActor`) or the first-run setup page once it has checked its one-time
 * token (docs/decisions/1300-clinics-and-set-password-links.md).
 */
export interface NewClinicInput {
  readonly name: string;
  readonly timeZone: string;
  /** ISO 3166-1 alpha-2 (any case); picks the emergency number. */
  readonly country: string;
  readonly adminEmail: string;
  readonly adminName?: string | undefined;
  readonly language?: string | undefined;
  /** The clinic's phone, shown to patients; may be set later in the clinic settings. */
  readonly contactPhone?: string | undefined;
}

export interface CreatedClinic {
  readonly clinic: Clinic;
  readonly admin: StaffUser;
  /** Single-use, 7 days: the admin chooses a password there. */
  readonly setPasswordUrl: string;
  readonly setPasswordExpiresAt: string;
}

/**
 * The emergency number patients are told to call, by country; 112 elsewhere (the European and
 * GSM-wide number). The admin can change it in the clinic settings.
 */
const EMERGENCY_NUMBERS: Readonly<Record<string, string>> = {
  GB: '999',
  IE: '112',
  US: '911',
  CA: '911',
  MX: '911',
  AR: '911',
  AU: '000',
  NZ: '111',
};

export function emergencyNumberFor(country: string): string {
  return EMERGENCY_NUMBERS[country] ?? '112';
}

const EMAIL = /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/;

/** A new clinic's fields, checked and normalised. */
export interface CheckedClinic {
  readonly name: string;
  readonly timeZone: string;
  readonly country: string;
  readonly adminEmail: string;
  readonly adminName: string;
  readonly language: Locale;
  readonly contactPhone: string;
}

/**
 * Check every field; all problems at once, by field name (the setup page adds the password's
 * to them, so it gets the list rather than an error).
 */
export function checkNewClinic(input: NewClinicInput): {
  readonly value: CheckedClinic;
  readonly errors: readonly FieldIssue[];
} {
  const errors: FieldIssue[] = [];
  const checkedName = nameIssue(input.name, { field: 'name' });
  if (checkedName.issue !== undefined) errors.push(checkedName.issue);
  const name = checkedName.value ?? '';
  if (!isTimeZone(input.timeZone))
    errors.push({
      field: 'timeZone',
      message: 'is not a known IANA time zone (e.g. Europe/Madrid)',
    });
  const country = input.country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country))
    errors.push({ field: 'country', message: 'must be a two-letter ISO country code (e.g. ES)' });
  const adminEmail = input.adminEmail.trim().toLowerCase();
  if (!EMAIL.test(adminEmail) || adminEmail.length > 254)
    errors.push({ field: 'adminEmail', message: 'is not an e-mail address' });
  const checkedAdmin =
    (input.adminName ?? '').trim() === ''
      ? { value: adminEmail.split('@')[0] || 'Admin' }
      : nameIssue(input.adminName, { field: 'adminName' });
  if (checkedAdmin.issue !== undefined) errors.push(checkedAdmin.issue);
  const adminName = checkedAdmin.value ?? '';
  const language = input.language ?? 'en';
  if (!(LOCALES as readonly string[]).includes(language))
    errors.push({ field: 'language', message: `must be one of ${LOCALES.join(', ')}` });
  const contactPhone = (input.contactPhone ?? '').trim();
  if (contactPhone !== '' && !/^\+?[0-9 ()-]{3,30}$/.test(contactPhone))
    errors.push({ field: 'contactPhone', message: 'is not a phone number' });
  return {
    value: {
      name,
      timeZone: input.timeZone,
      country,
      adminEmail,
      adminName,
      language: language as Locale,
      contactPhone,
    },
    errors,
  };
}

function validateNewClinic(input: NewClinicInput): CheckedClinic {
  const { value, errors } = checkNewClinic(input);
  if (errors.length > 0) throw new AppError('validation_failed', describe(errors), { errors });
  return value;
}

function describe(errors: readonly FieldIssue[]): string {
  return errors.map((e) => `${e.field} ${e.message}`).join('; ');
}

function requireHost(actor: Actor): asserts actor is SystemActor {
  if (actor.kind !== 'system')
    throw new AppError('forbidden', 'Only the server operator may manage clinics.');
}

/**
 * Create a clinic and its first admin (no password yet) in one transaction, with a 7-day
 * single-use set-password link. Refuses a clinic name already taken (any case), storing
 * nothing; the admin's address may already have an account in another clinic (decision 1331).
 */
export async function createClinic(
  deps: ServiceDeps,
  actor: Actor,
  input: NewClinicInput,
): Promise<CreatedClinic> {
  requireHost(actor);
  const v = validateNewClinic(input);
  return withTransaction(deps.db, async (trx) => {
    const { clinic, admin } = await insertClinicWithAdmin(deps, trx, actor, v, {
      passwordHash: NO_PASSWORD,
      via: 'clinic.create',
    });
    const link = await issuePasswordLink(deps, trx, {
      user: admin,
      purpose: 'first_admin',
      createdBy: null,
    });
    return {
      clinic,
      admin,
      setPasswordUrl: link.url,
      setPasswordExpiresAt: link.token.expiresAt,
    };
  });
}

/**
 * The clinic and its first admin, inside the caller's transaction, with their audit events:
 * shared by `createClinic` (admin without a password, a link follows) and the first-run setup
 * page (the admin chose a password on the form; src/services/first-run.ts). Refuses a clinic
 * name already taken (any case); the admin's address may already have an account in another
 * clinic (decision 1331).
 */
export async function insertClinicWithAdmin(
  deps: ServiceDeps,
  trx: ServiceDeps['db'],
  actor: Actor,
  v: CheckedClinic,
  options: { readonly passwordHash: string; readonly via: string },
): Promise<{ clinic: Clinic; admin: StaffUser }> {
  if ((await findClinicsByName(trx, v.name)).length > 0)
    throw new AppError('conflict', `A clinic named "${v.name}" already exists.`, {
      errors: [{ field: 'name', message: 'already exists' }],
    });
  const now = deps.clock.now();
  const clinic = await insertClinic(trx, {
    name: v.name,
    timeZone: v.timeZone,
    country: v.country,
    emergencyNumber: emergencyNumberFor(v.country),
    contactPhone: v.contactPhone,
    defaultLanguage: v.language,
    languages: v.language === 'en' ? ['en'] : [v.language, 'en'],
    createdAt: now,
  });
  const admin = await insertStaffUser(trx, {
    clinicId: clinic.id,
    email: v.adminEmail,
    displayName: v.adminName,
    role: 'admin',
    passwordHash: options.passwordHash,
    createdAt: now,
  });
  const who = { ...auditActorOf(actor), clinicId: clinic.id };
  await recordAudit(trx, deps.clock, who, {
    action: 'clinic.create',
    subjectType: 'clinic',
    subjectId: clinic.id,
    details: { country: v.country, timeZone: v.timeZone, via: options.via },
  });
  await recordAudit(trx, deps.clock, who, {
    action: 'staff.create',
    subjectType: 'staff_user',
    subjectId: admin.id,
    details: { role: 'admin', via: options.via },
  });
  return { clinic, admin };
}

/** Every clinic on this server, oldest first (the host's view; no patient data). */
export async function listAllClinics(deps: ServiceDeps, actor: Actor): Promise<Clinic[]> {
  requireHost(actor);
  return listClinics(deps.db);
}

/**
 * Suspend or resume a clinic. While suspended its staff cannot sign in, its patient links show
 * only the clinic's phone, and alerts already raised are still delivered by e-mail. Suspending
 * twice keeps the first instant.
 */
export async function setClinicSuspension(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly clinicId: string; readonly suspended: boolean },
): Promise<Clinic> {
  requireHost(actor);
  if (!isUuid(input.clinicId)) throw new AppError('not_found', 'No such clinic.');
  return withTransaction(deps.db, async (trx) => {
    const before = await findClinic(trx, input.clinicId);
    if (before === undefined) throw new AppError('not_found', 'No such clinic.');
    if ((before.suspendedAt !== null) === input.suspended) return before;
    const clinic = await setClinicSuspended(
      trx,
      before.id,
      input.suspended ? deps.clock.now() : null,
    );
    if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
    if (input.suspended) await deleteStaffSessionsForClinic(trx, clinic.id);
    await recordAudit(
      trx,
      deps.clock,
      { ...auditActorOf(actor), clinicId: clinic.id },
      {
        action: input.suspended ? 'clinic.suspend' : 'clinic.resume',
        subjectType: 'clinic',
        subjectId: clinic.id,
      },
    );
    return clinic;
  });
}
