/**
 * The clinic's patients as records it owns (issue 11, decisions 1310–1313): the paged list, a
 * duplicate check, corrections, each link's state and the messages sent, one link revoked, the
 * whole record exported, and erasure (by an admin, or by the retention job).
 */
import type { Locale } from '../clinical/types.ts';
import { LOCALES } from '../clinical/types.ts';
import { type Alert, listAlertsForPatient } from '../store/alerts.repository.ts';
import {
  type CheckInWithAssessment,
  listCheckInsForSession,
} from '../store/checkins.repository.ts';
import { readClinicTables } from '../store/clinic-export.repository.ts';
import { findClinic, listClinics } from '../store/clinics.repository.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { listLinksForSession, revokeLink } from '../store/links.repository.ts';
import {
  type ErasureCounts,
  erasePatientData,
  listPatientMessages,
  listPatientsPastRetention,
  type PatientMessage,
} from '../store/patient-data.repository.ts';
import {
  findLikelyDuplicates,
  findPatient,
  type Patient,
  type PatientCursor,
  searchPatients as searchPatientRows,
  updatePatient,
} from '../store/patients.repository.ts';
import { normaliseForSearch } from '../store/search-key.ts';
import { listSessionsForPatient, type NeedlingSession } from '../store/sessions.repository.ts';
import { type Actor, type ClinicActor, requireAdmin, requireClinicActor } from './actors.ts';
import { type AuditActor, auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { isUuid } from './ids.ts';
import { type LinkState, linkState } from './links.ts';
import { nameIssue } from './text.ts';
import { toCsv, writeZip, type ZipEntry } from './zip.ts';

export const PAGE_SIZE = 25;

export interface PatientPage {
  readonly items: readonly Patient[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null;
}

function encodeCursor(p: PatientCursor): string {
  return Buffer.from(`${p.createdAt}|${p.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): PatientCursor {
  const [createdAt = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(createdAt) || !isUuid(id)) {
    throw new AppError('validation_failed', 'Invalid cursor', {
      errors: [{ field: 'cursor', message: 'is not a cursor this list gave out' }],
    });
  }
  return { createdAt, id };
}

/**
 * The clinic's patients, newest first, a page at a time; `q` matches name, e-mail or phone
 * regardless of accents and case. The ids shown are audited.
 */
export async function listPatients(
  deps: ServiceDeps,
  actor: Actor,
  input: {
    readonly q?: string;
    readonly cursor?: string;
    readonly limit?: number;
    readonly via?: 'dashboard';
  },
): Promise<PatientPage> {
  requireClinicActor(actor);
  const q = (input.q ?? '').trim();
  if (q.length > 100) {
    throw new AppError('validation_failed', 'Invalid q', {
      errors: [{ field: 'q', message: 'must be at most 100 characters' }],
    });
  }
  const limit = input.limit ?? PAGE_SIZE;
  const after =
    input.cursor === undefined || input.cursor === '' ? undefined : decodeCursor(input.cursor);
  const rows = await searchPatientRows(deps.db, actor.clinicId, q, limit + 1, after);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
    action: q === '' ? 'patient.list' : 'patient.search',
    subjectType: 'patient',
    subjectId: null,
    details: {
      resultCount: items.length,
      patientIds: items.map((p) => p.id),
      ...(input.via === undefined ? {} : { via: input.via }),
    },
  });
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null,
  };
}

/**
 * Patients of the clinic who look like the one about to be added: same name (accents and case
 * aside) and the same phone or e-mail. A warning for the person adding, never a refusal.
 */
export async function findPossibleDuplicates(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly displayName: string; readonly email?: string; readonly phone?: string },
): Promise<Patient[]> {
  requireClinicActor(actor);
  if (input.displayName.trim() === '' || (input.email === undefined && input.phone === undefined)) {
    return [];
  }
  const found = await findLikelyDuplicates(deps.db, actor.clinicId, input);
  if (found.length > 0) {
    await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
      action: 'patient.duplicate_check',
      subjectType: 'patient',
      subjectId: null,
      details: { patientIds: found.map((p) => p.id) },
    });
  }
  return found;
}

async function livePatient(db: Db, actor: ClinicActor, patientId: string): Promise<Patient> {
  const patient = isUuid(patientId) ? await findPatient(db, actor.clinicId, patientId) : undefined;
  if (patient === undefined) throw new AppError('not_found', 'No such patient.');
  return patient;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?[0-9][0-9 ()-]{4,29}$/;

export interface PatientEdit {
  readonly displayName: string;
  /** Empty or absent removes the route. */
  readonly email?: string;
  readonly phone?: string;
  readonly language: string;
}

/** Check an edit the same way behind every door; every bad field is named. */
export function validatePatientEdit(input: PatientEdit): {
  displayName: string;
  email: string | null;
  phone: string | null;
  language: Locale;
} {
  const issues: FieldIssue[] = [];
  const name = nameIssue(input.displayName, { field: 'displayName' });
  if (name.issue !== undefined) issues.push(name.issue);
  const displayName = name.value ?? '';
  const email = (input.email ?? '').trim();
  if (email !== '' && (email.length > 254 || !EMAIL_RE.test(email))) {
    issues.push({ field: 'email', message: 'is not an e-mail address' });
  }
  const phone = (input.phone ?? '').trim();
  if (phone !== '' && !PHONE_RE.test(phone)) {
    issues.push({ field: 'phone', message: 'is not a phone number' });
  }
  if (!(LOCALES as readonly string[]).includes(input.language)) {
    issues.push({ field: 'language', message: `must be one of ${LOCALES.join(', ')}` });
  }
  if (issues.length > 0) {
    throw new AppError('validation_failed', `Invalid ${issues.map((i) => i.field).join(', ')}`, {
      errors: issues,
    });
  }
  return {
    displayName,
    email: email === '' ? null : email,
    phone: phone === '' ? null : phone,
    language: input.language as Locale,
  };
}

/** Correct a patient's name, contact routes and language (audited with the fields changed). */
export async function editPatient(
  deps: ServiceDeps,
  actor: Actor,
  input: PatientEdit & { readonly patientId: string },
): Promise<Patient> {
  requireClinicActor(actor);
  const changes = validatePatientEdit(input);
  return withTransaction(deps.db, async (trx) => {
    const before = await livePatient(trx, actor, input.patientId);
    if (before.erasedAt !== null) throw new AppError('conflict', 'This patient was erased.');
    const after = await updatePatient(trx, actor.clinicId, before.id, changes);
    if (after === undefined) throw new AppError('not_found', 'No such patient.');
    const fields = (['displayName', 'email', 'phone', 'language'] as const).filter(
      (f) => before[f] !== after[f],
    );
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'patient.update',
      subjectType: 'patient',
      subjectId: after.id,
      patientId: after.id,
      details: { fields },
    });
    return after;
  });
}

export interface LinkSummary {
  readonly id: string;
  readonly sessionId: string;
  readonly state: LinkState;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

export interface PatientContacts {
  readonly patient: Patient;
  /** Every link of every session, newest session first; never the token or its hash. */
  readonly links: readonly LinkSummary[];
  readonly messages: readonly PatientMessage[];
}

async function linksOf(db: Db, clinicId: string, sessionIds: readonly string[], now: Date) {
  const links: LinkSummary[] = [];
  for (const sessionId of sessionIds) {
    for (const link of await listLinksForSession(db, clinicId, sessionId)) {
      links.push({
        id: link.id,
        sessionId,
        state: linkState(link, now),
        createdAt: link.createdAt,
        expiresAt: link.expiresAt,
        revokedAt: link.revokedAt,
      });
    }
  }
  return links;
}

/** A patient with their links' states and the reminders sent to them (audited). */
export async function readPatientContacts(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly patientId: string },
): Promise<PatientContacts> {
  requireClinicActor(actor);
  const { db } = deps;
  const patient = await livePatient(db, actor, input.patientId);
  const sessionIds = (await listSessionsForPatient(db, actor.clinicId, patient.id)).map(
    (s) => s.id,
  );
  const links = await linksOf(db, actor.clinicId, sessionIds, deps.clock.now());
  const messages = await listPatientMessages(db, actor.clinicId, sessionIds);
  await recordAudit(db, deps.clock, auditActorOf(actor), {
    action: 'patient.contacts.read',
    subjectType: 'patient',
    subjectId: patient.id,
    patientId: patient.id,
  });
  return { patient, links, messages };
}

/** Revoke one link of this patient (the session stays; a new link can be issued later). */
export async function revokeOnePatientLink(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly patientId: string; readonly linkId: string },
): Promise<void> {
  requireClinicActor(actor);
  await withTransaction(deps.db, async (trx) => {
    const patient = await livePatient(trx, actor, input.patientId);
    const sessionIds = (await listSessionsForPatient(trx, actor.clinicId, patient.id)).map(
      (s) => s.id,
    );
    const links = await linksOf(trx, actor.clinicId, sessionIds, deps.clock.now());
    const link = links.find((l) => l.id === input.linkId);
    if (link === undefined) throw new AppError('not_found', 'No such link.');
    if (link.revokedAt !== null) throw new AppError('conflict', 'This link was already revoked.');
    await revokeLink(trx, actor.clinicId, link.id, deps.clock.now());
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'patient.link.revoke',
      subjectType: 'patient_link',
      subjectId: link.id,
      patientId: patient.id,
    });
  });
}

/** Everything the clinic holds about one patient, as plain data (decision 1311). */
export interface PatientExport {
  readonly format: 'needlecare.patient-export';
  readonly version: 1;
  readonly exportedAt: string;
  readonly patient: Patient;
  readonly sessions: readonly (NeedlingSession & {
    readonly checkIns: readonly CheckInWithAssessment[];
  })[];
  readonly alerts: readonly Alert[];
  readonly links: readonly LinkSummary[];
  readonly messages: readonly PatientMessage[];
}

/** A patient's whole record (sessions, check-ins with assessments, alerts, links, messages). */
export async function exportPatient(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly patientId: string; readonly via?: 'dashboard' | 'print' },
): Promise<PatientExport> {
  requireClinicActor(actor);
  const { db } = deps;
  const patient = await livePatient(db, actor, input.patientId);
  const sessions = await listSessionsForPatient(db, actor.clinicId, patient.id);
  const withCheckIns = [];
  for (const session of sessions) {
    withCheckIns.push({ ...session, checkIns: await listCheckInsForSession(db, session.id) });
  }
  const sessionIds = sessions.map((s) => s.id);
  const now = deps.clock.now();
  const result: PatientExport = {
    format: 'needlecare.patient-export',
    version: 1,
    exportedAt: now.toISOString(),
    patient,
    sessions: withCheckIns,
    alerts: await listAlertsForPatient(db, actor.clinicId, patient.id),
    links: await linksOf(db, actor.clinicId, sessionIds, now),
    messages: await listPatientMessages(db, actor.clinicId, sessionIds),
  };
  await recordAudit(db, deps.clock, auditActorOf(actor), {
    action: 'patient.export',
    subjectType: 'patient',
    subjectId: patient.id,
    patientId: patient.id,
    details: { sessions: sessions.length, ...(input.via === undefined ? {} : { via: input.via }) },
  });
  return result;
}

/** The same name as typed, accents, case and outer spaces aside. */
function confirms(typed: string, name: string): boolean {
  return normaliseForSearch(typed.trim()) === normaliseForSearch(name.trim());
}

/**
 * Erase a patient (right to erasure, decision 1312): admins only, confirmed by typing the
 * patient's name. Their personal data goes in one transaction; clinical rows stay as anonymous
 * numbers for the register; the audit event records who and when, with counts only.
 */
export async function erasePatient(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly patientId: string; readonly confirmName: string },
): Promise<ErasureCounts> {
  requireAdmin(actor);
  return withTransaction(deps.db, async (trx) => {
    const patient = await livePatient(trx, actor, input.patientId);
    if (patient.erasedAt !== null)
      throw new AppError('conflict', 'This patient was already erased.');
    if (!confirms(input.confirmName, patient.displayName)) {
      throw new AppError('validation_failed', 'Invalid confirmName', {
        errors: [{ field: 'confirmName', message: "must be the patient's name exactly" }],
      });
    }
    return eraseWithAudit(trx, deps, auditActorOf(actor), actor.clinicId, patient.id, 'request');
  });
}

async function eraseWithAudit(
  trx: Db,
  deps: Pick<ServiceDeps, 'clock'>,
  who: AuditActor,
  clinicId: string,
  patientId: string,
  reason: 'request' | 'retention',
): Promise<ErasureCounts> {
  const counts = await erasePatientData(trx, clinicId, patientId, deps.clock.now());
  await recordAudit(trx, deps.clock, who, {
    action: 'patient.erase',
    subjectType: 'patient',
    subjectId: patientId,
    patientId,
    details: { reason, ...counts },
  });
  return counts;
}

export interface RetentionReport {
  readonly clinics: number;
  readonly erased: number;
  readonly byClinic: Readonly<Record<string, number>>;
}

/**
 * The retention job (decision 1313): in every clinic, erase the patients whose last session is
 * older than the clinic's `retentionYears`. Each erasure is its own transaction and audit event;
 * one summary event per clinic that erased anyone.
 */
export async function applyRetention(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  worker: string,
): Promise<RetentionReport> {
  const now = deps.clock.now();
  const byClinic: Record<string, number> = {};
  const clinics = await listClinics(deps.db);
  let erased = 0;
  for (const clinic of clinics) {
    const cutoff = new Date(now);
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - clinic.retentionYears);
    const due = await listPatientsPastRetention(deps.db, clinic.id, cutoff);
    if (due.length === 0) continue;
    const who: AuditActor = {
      actorType: 'system',
      actorId: worker,
      clinicId: clinic.id,
      ip: '127.0.0.1',
      requestId: `retention-${now.toISOString()}`,
    };
    for (const patientId of due) {
      await withTransaction(deps.db, (trx) =>
        eraseWithAudit(trx, deps, who, clinic.id, patientId, 'retention'),
      );
    }
    await recordAudit(deps.db, deps.clock, who, {
      action: 'retention.run',
      subjectType: 'clinic',
      subjectId: clinic.id,
      details: {
        erased: due.length,
        retentionYears: clinic.retentionYears,
        cutoff: cutoff.toISOString(),
      },
    });
    byClinic[clinic.id] = due.length;
    erased += due.length;
  }
  return { clinics: clinics.length, erased, byClinic };
}

/**
 * A whole clinic's data as a ZIP of one JSON and one CSV file per table (decision 1311), for
 * the clinic's admin or the operator's CLI; audited with the row counts.
 */
export async function exportClinic(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  actor: Actor,
  input: { readonly clinicId: string },
): Promise<{ fileName: string; zip: Buffer; counts: Record<string, number> }> {
  if (actor.kind !== 'system') requireAdmin(actor);
  if (actor.kind !== 'system' && actor.clinicId !== input.clinicId) {
    throw new AppError('not_found', 'No such clinic.');
  }
  const clinic = isUuid(input.clinicId) ? await findClinic(deps.db, input.clinicId) : undefined;
  if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
  const tables = await readClinicTables(deps.db, clinic.id);
  const now = deps.clock.now();
  const entries: ZipEntry[] = [];
  const counts: Record<string, number> = {};
  for (const [name, rows] of Object.entries(tables)) {
    counts[name] = rows.length;
    entries.push({ name: `${name}.json`, data: Buffer.from(JSON.stringify(rows, null, 2)) });
    entries.push({ name: `${name}.csv`, data: Buffer.from(toCsv(rows)) });
  }
  entries.unshift({
    name: 'README.txt',
    data: Buffer.from(
      `Needlecare export of clinic ${clinic.name} (${clinic.id}) at ${now.toISOString()}.\n` +
        'One JSON and one CSV file per table; instants are UTC; *_json columns hold JSON text.\n' +
        'Password and token hashes, message contents and webhook secrets are not included.\n',
    ),
  });
  await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
    action: 'clinic.export',
    subjectType: 'clinic',
    subjectId: clinic.id,
    details: counts,
  });
  const day = now.toISOString().slice(0, 10);
  return { fileName: `needlecare-${day}-${clinic.id}.zip`, zip: writeZip(entries, now), counts };
}
