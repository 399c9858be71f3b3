import { randomUUID } from 'node:crypto';
import { DEFAULT_PLAN_HOURS, THORACIC_PLAN_HOURS } from '../clinical/checkin-plan.ts';
import type { Locale } from '../clinical/types.ts';
import { type InstantInput, parseJson, toIso, toJson } from './codec.ts';
import type { Db } from './db.ts';
import { type KeySet, keysOf } from './keyring.ts';
import type { ClinicRow, ClinicUpdate } from './schema.ts';
import { openOrPlain, SealError, seal } from './secret-box.ts';

// Coverage hours are the clinical core's (clinic-hours.ts); the store keeps them as JSON.
export type { TimeRange, WeeklyCoverage } from '../clinical/clinic-hours.ts';
export type { Weekday } from '../clinical/time-zone.ts';

import type { WeeklyCoverage } from '../clinical/clinic-hours.ts';
/** Local `HH:MM` window in which no reminder is sent; `null` when the clinic has none. */
export type QuietHours = { readonly start: string; readonly end: string } | null;
/** Escalation settings; the shape belongs to the alert-delivery job, the store keeps it as JSON. */
export type EscalationSettings = Readonly<Record<string, unknown>>;

/** The plans of RULES.md, from the clinical core: one source for the hours. */
export const DEFAULT_CHECKIN_PLAN_HOURS: readonly number[] = DEFAULT_PLAN_HOURS;
export const DEFAULT_THORACIC_PLAN_HOURS: readonly number[] = THORACIC_PLAN_HOURS;
export const DEFAULT_LINK_TTL_DAYS = 14;

export interface Clinic {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly emergencyNumber: string;
  readonly contactPhone: string;
  readonly defaultLanguage: Locale;
  readonly languages: readonly Locale[];
  readonly checkInPlanHours: readonly number[];
  readonly thoracicPlanHours: readonly number[];
  readonly coverage: WeeklyCoverage;
  readonly quietHours: QuietHours;
  readonly escalation: EscalationSettings;
  readonly linkTtlDays: number;
  /** Years after a patient's last session before the retention job erases them. */
  readonly retentionYears: number;
  /**
   * Urgent and emergency alert e-mails and webhooks carry the patient's phone and e-mail (or
   * say that none was given); on by default (decision 1221).
   */
  readonly patientContactInAlerts: boolean;
  readonly createdAt: string;
  /** ISO 3166-1 alpha-2, or null when never set. */
  readonly country: string | null;
  /** When the clinic was suspended; null while it runs. */
  readonly suspendedAt: string | null;
}

export interface ClinicSettingsPatch {
  readonly name?: string;
  readonly timeZone?: string;
  readonly emergencyNumber?: string;
  readonly contactPhone?: string;
  readonly defaultLanguage?: Locale;
  readonly languages?: readonly Locale[];
  readonly checkInPlanHours?: readonly number[];
  readonly thoracicPlanHours?: readonly number[];
  readonly coverage?: WeeklyCoverage;
  readonly quietHours?: QuietHours;
  readonly escalation?: EscalationSettings;
  readonly linkTtlDays?: number;
  readonly retentionYears?: number;
  readonly patientContactInAlerts?: boolean;
}

export interface NewClinic extends ClinicSettingsPatch {
  readonly id?: string;
  readonly name: string;
  readonly timeZone: string;
  readonly emergencyNumber: string;
  readonly contactPhone: string;
  readonly country?: string | null;
  readonly createdAt: InstantInput;
}

/**
 * Webhook signing secrets are sealed at rest (secret-box.ts): `escalation.webhooks[].secret` is
 * written as `nc1.…` and opened on read, so a copy of the database holds no usable secret. A
 * secret written before sealing reads as is and is sealed on its next write; one that no key
 * opens reads as '' (the jobs then drop that endpoint, which shows as a skipped delivery).
 */
function mapWebhookSecrets(
  escalation: EscalationSettings,
  fn: (secret: string) => string,
): EscalationSettings {
  const hooks = escalation.webhooks;
  if (!Array.isArray(hooks)) return escalation;
  return {
    ...escalation,
    webhooks: hooks.map((h: unknown) => {
      if (typeof h !== 'object' || h === null) return h;
      const o = h as Record<string, unknown>;
      return typeof o.secret === 'string' ? { ...o, secret: fn(o.secret) } : o;
    }),
  };
}

function sealEscalation(db: Db, escalation: EscalationSettings): string {
  const keys = keysOf(db).secret;
  return toJson(mapWebhookSecrets(escalation, (s) => seal(keys, 'clinic.webhook-secret', s)));
}

function openEscalation(keys: KeySet, json: string): EscalationSettings {
  return mapWebhookSecrets(parseJson<EscalationSettings>(json), (s) => {
    try {
      return openOrPlain(keys, 'clinic.webhook-secret', s);
    } catch (error) {
      if (error instanceof SealError) return '';
      throw error;
    }
  });
}

/** A clinic row as the app holds it (webhook secrets opened). */
export function clinicFromRow(db: Db, row: ClinicRow): Clinic {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    emergencyNumber: row.emergency_number,
    contactPhone: row.contact_phone,
    defaultLanguage: row.default_language as Locale,
    languages: parseJson<Locale[]>(row.languages_json),
    checkInPlanHours: parseJson<number[]>(row.checkin_plan_json),
    thoracicPlanHours: parseJson<number[]>(row.thoracic_plan_json),
    coverage: parseJson<WeeklyCoverage>(row.coverage_json),
    quietHours: parseJson<QuietHours>(row.quiet_hours_json),
    escalation: openEscalation(keysOf(db).secret, row.escalation_json),
    linkTtlDays: row.link_ttl_days,
    retentionYears: row.retention_years,
    patientContactInAlerts: row.patient_contact_in_alerts !== 0,
    createdAt: row.created_at,
    country: row.country,
    suspendedAt: row.suspended_at,
  };
}

function toUpdate(db: Db, patch: ClinicSettingsPatch): ClinicUpdate {
  const u: ClinicUpdate = {};
  if (patch.name !== undefined) u.name = patch.name;
  if (patch.timeZone !== undefined) u.time_zone = patch.timeZone;
  if (patch.emergencyNumber !== undefined) u.emergency_number = patch.emergencyNumber;
  if (patch.contactPhone !== undefined) u.contact_phone = patch.contactPhone;
  if (patch.defaultLanguage !== undefined) u.default_language = patch.defaultLanguage;
  if (patch.languages !== undefined) u.languages_json = toJson(patch.languages);
  if (patch.checkInPlanHours !== undefined) u.checkin_plan_json = toJson(patch.checkInPlanHours);
  if (patch.thoracicPlanHours !== undefined) {
    u.thoracic_plan_json = toJson(patch.thoracicPlanHours);
  }
  if (patch.coverage !== undefined) u.coverage_json = toJson(patch.coverage);
  if (patch.quietHours !== undefined) u.quiet_hours_json = toJson(patch.quietHours);
  if (patch.escalation !== undefined) u.escalation_json = sealEscalation(db, patch.escalation);
  if (patch.linkTtlDays !== undefined) u.link_ttl_days = patch.linkTtlDays;
  if (patch.retentionYears !== undefined) u.retention_years = patch.retentionYears;
  if (patch.patientContactInAlerts !== undefined)
    u.patient_contact_in_alerts = patch.patientContactInAlerts ? 1 : 0;
  return u;
}

/** Insert a clinic; unset settings get the defaults (plan hours of RULES.md, 14-day links). */
export async function insertClinic(db: Db, input: NewClinic): Promise<Clinic> {
  const defaultLanguage = input.defaultLanguage ?? 'en';
  const row = await db
    .insertInto('clinics')
    .values({
      id: input.id ?? randomUUID(),
      name: input.name,
      time_zone: input.timeZone,
      emergency_number: input.emergencyNumber,
      contact_phone: input.contactPhone,
      default_language: defaultLanguage,
      languages_json: toJson(input.languages ?? [defaultLanguage]),
      checkin_plan_json: toJson(input.checkInPlanHours ?? DEFAULT_CHECKIN_PLAN_HOURS),
      thoracic_plan_json: toJson(input.thoracicPlanHours ?? DEFAULT_THORACIC_PLAN_HOURS),
      coverage_json: toJson(input.coverage ?? {}),
      quiet_hours_json: toJson(input.quietHours ?? null),
      escalation_json: sealEscalation(db, input.escalation ?? {}),
      link_ttl_days: input.linkTtlDays ?? DEFAULT_LINK_TTL_DAYS,
      patient_contact_in_alerts: input.patientContactInAlerts === false ? 0 : 1,
      created_at: toIso(input.createdAt),
      country: input.country ?? null,
      suspended_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return clinicFromRow(db, row);
}

export async function findClinic(db: Db, id: string): Promise<Clinic | undefined> {
  const row = await db.selectFrom('clinics').selectAll().where('id', '=', id).executeTakeFirst();
  return row && clinicFromRow(db, row);
}

export async function listClinics(db: Db): Promise<Clinic[]> {
  const rows = await db.selectFrom('clinics').selectAll().orderBy('created_at').execute();
  return rows.map((row) => clinicFromRow(db, row));
}

/**
 * Change only the given settings (validation is the caller's: the clinical core checks plan
 * hours). Returns the updated clinic, or undefined when it does not exist.
 */
export async function updateClinicSettings(
  db: Db,
  id: string,
  patch: ClinicSettingsPatch,
): Promise<Clinic | undefined> {
  const update = toUpdate(db, patch);
  if (Object.keys(update).length === 0) return findClinic(db, id);
  const row = await db
    .updateTable('clinics')
    .set(update)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && clinicFromRow(db, row);
}

/** Clinics whose name matches, ignoring case and surrounding spaces (duplicate check). */
export async function findClinicsByName(db: Db, name: string): Promise<Clinic[]> {
  const rows = await db
    .selectFrom('clinics')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
    .execute();
  return rows.map((row) => clinicFromRow(db, row));
}

/** Suspend (`at` an instant) or resume (`at` null) a clinic; undefined when it does not exist. */
export async function setClinicSuspended(
  db: Db,
  id: string,
  at: InstantInput | null,
): Promise<Clinic | undefined> {
  const row = await db
    .updateTable('clinics')
    .set({ suspended_at: at === null ? null : toIso(at) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && clinicFromRow(db, row);
}
