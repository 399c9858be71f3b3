import type { FromSchema } from 'json-schema-to-ts';
import { validatePlanHours } from '../clinical/checkin-plan.ts';
import { isTimeZone } from '../clinical/time-zone.ts';
import { LOCALES } from '../clinical/types.ts';
import {
  type Clinic,
  type ClinicSettingsPatch,
  findClinic,
  type TimeRange,
  updateClinicSettings,
  type Weekday,
} from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { type Actor, requireAdmin, requireClinicActor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { requireName } from './text.ts';

/** The settings an admin may change, as JSON Schema (shape) plus `checkSettings` (meaning). */
const hhmm = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const;
const range = { type: 'array', minItems: 2, maxItems: 2, items: hhmm } as const;
const dayRanges = { type: 'array', maxItems: 4, items: range } as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const planHours = {
  type: 'array',
  minItems: 1,
  maxItems: 12,
  items: { type: 'number', minimum: 0.5, maximum: 720 },
} as const;

export const clinicSettingsProperties = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  timeZone: {
    type: 'string',
    minLength: 1,
    maxLength: 64,
    description: 'IANA time zone, e.g. Europe/Madrid',
  },
  emergencyNumber: {
    type: 'string',
    pattern: '^[0-9+*#]{2,16}$',
    description: 'Dialled as is, e.g. 112, 911, 999',
  },
  contactPhone: { type: 'string', pattern: '^\\+?[0-9][0-9 ()-]{4,29}$' },
  defaultLanguage: { type: 'string', enum: [...LOCALES] },
  languages: {
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: { type: 'string', enum: [...LOCALES] },
  },
  checkInPlanHours: planHours,
  thoracicPlanHours: planHours,
  coverage: {
    type: 'object',
    additionalProperties: false,
    description: 'Staffed hours per weekday as [["08:00","18:00"]] in the clinic time zone',
    properties: {
      mon: dayRanges,
      tue: dayRanges,
      wed: dayRanges,
      thu: dayRanges,
      fri: dayRanges,
      sat: dayRanges,
      sun: dayRanges,
    },
  },
  quietHours: {
    type: ['object', 'null'],
    additionalProperties: false,
    required: ['start', 'end'],
    properties: { start: hhmm, end: hhmm },
  },
  linkTtlDays: { type: 'integer', minimum: 1, maximum: 90 },
  /** Years after a patient's last session before the retention job erases them (decision 1313). */
  retentionYears: { type: 'integer', minimum: 1, maximum: 100 },
  patientContactInAlerts: {
    type: 'boolean',
    description:
      "Urgent and emergency alert e-mails and webhooks carry the patient's phone and e-mail, or say that none was given (default true; decision 1221)",
  },
} as const;

export const clinicSettingsPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: clinicSettingsProperties,
} as const;

export const clinicSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    createdAt: { type: 'string' },
    ...clinicSettingsProperties,
  },
} as const;

/** A settings change as the schema admits it (the type is derived from the schema). */
export type ClinicSettingsBody = FromSchema<typeof clinicSettingsPatchSchema>;

/**
 * What the schema cannot say: the zone exists, plans satisfy the clinical core's rules, the
 * default language is offered, ranges run forwards. Checked against the merged settings.
 */
function checkSettings(current: Clinic, body: ClinicSettingsBody): ClinicSettingsPatch {
  const issues: FieldIssue[] = [];
  if (body.timeZone !== undefined && !isTimeZone(body.timeZone)) {
    issues.push({
      field: 'timeZone',
      message: 'unknown time zone; use an IANA name such as Europe/Madrid',
    });
  }
  let checkInPlanHours: number[] | undefined;
  if (body.checkInPlanHours !== undefined) {
    const r = validatePlanHours(body.checkInPlanHours, false);
    if (r.ok) checkInPlanHours = r.value;
    else issues.push({ field: 'checkInPlanHours', message: r.error });
  }
  let thoracicPlanHours: number[] | undefined;
  if (body.thoracicPlanHours !== undefined) {
    const r = validatePlanHours(body.thoracicPlanHours, true);
    if (r.ok) thoracicPlanHours = r.value;
    else issues.push({ field: 'thoracicPlanHours', message: r.error });
  }
  const languages = body.languages ?? current.languages;
  const defaultLanguage = body.defaultLanguage ?? current.defaultLanguage;
  if (!languages.includes(defaultLanguage)) {
    issues.push({
      field: body.defaultLanguage !== undefined ? 'defaultLanguage' : 'languages',
      message: `must include the default language (${defaultLanguage})`,
    });
  }
  // The schema holds each range to two "HH:MM" strings; its type cannot say "two".
  const coverage: Partial<Record<Weekday, TimeRange[]>> | undefined =
    body.coverage === undefined ? undefined : {};
  for (const day of WEEKDAYS) {
    const ranges = body.coverage?.[day];
    if (ranges === undefined || coverage === undefined) continue;
    coverage[day] = ranges.map(([start = '', end = ''], i) => {
      if (start >= end)
        issues.push({ field: `coverage.${day}[${i}]`, message: 'must end after it starts' });
      return [start, end] as const;
    });
  }
  if (issues.length > 0) {
    throw new AppError('validation_failed', `Invalid ${issues.map((i) => i.field).join(', ')}`, {
      errors: issues,
    });
  }
  const { coverage: _coverage, ...rest } = body;
  return {
    ...rest,
    ...(coverage === undefined ? {} : { coverage }),
    ...(checkInPlanHours === undefined ? {} : { checkInPlanHours }),
    ...(thoracicPlanHours === undefined ? {} : { thoracicPlanHours }),
  };
}

/** The caller's clinic with its settings (every member of a clinic may read them). */
export async function readClinic(deps: ServiceDeps, actor: Actor): Promise<Clinic> {
  requireClinicActor(actor);
  const clinic = await findClinic(deps.db, actor.clinicId);
  if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
  return clinic;
}

/**
 * Change the fields of the caller's clinic settings that `patch` holds (admins only). The
 * shape is `clinicSettingsPatchSchema`'s, checked by the door; the meaning is checked here.
 */
export async function updateClinic(
  deps: ServiceDeps,
  actor: Actor,
  patch: ClinicSettingsBody,
): Promise<Clinic> {
  requireAdmin(actor);
  return withTransaction(deps.db, async (trx) => {
    const current = await findClinic(trx, actor.clinicId);
    if (current === undefined) throw new AppError('not_found', 'No such clinic.');
    const cleaned =
      patch.name === undefined ? patch : { ...patch, name: requireName(patch.name, 'name') };
    const updated = await updateClinicSettings(
      trx,
      actor.clinicId,
      checkSettings(current, cleaned),
    );
    if (updated === undefined) throw new AppError('not_found', 'No such clinic.');
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'clinic.settings.update',
      subjectType: 'clinic',
      subjectId: actor.clinicId,
      details: { fields: Object.keys(patch) },
    });
    return updated;
  });
}
