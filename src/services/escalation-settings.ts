import { LOCALES } from '../clinical/types.ts';
import { findClinic, updateClinicSettings } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { type Actor, requireAdmin } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { type EscalationContact, readJobSettings, refuseOwnProblems } from './job-settings.ts';

/**
 * Who is told when an alert waits, and when (decision 0502): the escalation times, the
 * escalation contacts in order, the clinic's alert address, the minutes an early check-in may
 * come late, and the out-of-hours line shown to patients. Read and changed by the clinic's
 * admins through the API (`/api/v1/admin/escalation`). They live in the clinic's escalation
 * settings beside the webhook endpoints (job-settings.ts owns the shape; webhooks have their
 * own door, webhook-settings.ts), which a change here keeps as they are.
 */
export interface EscalationView {
  readonly emergencyMinutes: number;
  readonly urgentMinutes: number;
  readonly routineMinutes: number | null;
  readonly contacts: readonly EscalationContact[];
  readonly alertEmail: string | null;
  readonly missedCheckInMinutes: number;
  readonly afterHoursPhone: string | null;
}

const minutes = { type: 'integer', minimum: 1, maximum: 7 * 24 * 60 } as const;

const contactSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    email: { type: ['string', 'null'], maxLength: 254 },
    phone: { type: ['string', 'null'], maxLength: 40 },
    language: {
      type: 'string',
      enum: [...LOCALES],
      description: "The language of this contact's e-mails and SMS (default: the clinic's)",
    },
  },
} as const;

const escalationProperties = {
  emergencyMinutes: {
    ...minutes,
    description:
      'Minutes an emergency alert may stay unacknowledged before the next contact is told (default 15)',
  },
  urgentMinutes: { ...minutes, description: 'The same for urgent alerts (default 120)' },
  routineMinutes: {
    type: ['integer', 'null'],
    minimum: 1,
    maximum: 7 * 24 * 60,
    description: 'The same for routine alerts; null: they never escalate (default)',
  },
  contacts: {
    type: 'array',
    maxItems: 10,
    items: contactSchema,
    description: 'Told in this order, one interval apart, each by e-mail and/or SMS',
  },
  alertEmail: {
    type: ['string', 'null'],
    maxLength: 254,
    description: 'Where alert e-mails go when the session has no practitioner with an e-mail',
  },
  missedCheckInMinutes: {
    ...minutes,
    description:
      'How late an early check-in after chest-area needling may come before it is an alert (default 90)',
  },
  afterHoursPhone: {
    type: ['string', 'null'],
    maxLength: 40,
    description: 'Out-of-hours line shown to patients while the clinic is closed',
  },
} as const;

export const escalationViewSchema = {
  type: 'object',
  properties: escalationProperties,
} as const;

export const escalationPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: escalationProperties,
} as const;

/** A change as the schema admits it: only the fields sent change. */
export type EscalationPatch = Partial<Record<keyof typeof escalationProperties, unknown>>;

function viewOf(escalation: Readonly<Record<string, unknown>>): EscalationView {
  const s = readJobSettings(escalation);
  return {
    emergencyMinutes: s.timing.emergencyMinutes,
    urgentMinutes: s.timing.urgentMinutes,
    routineMinutes: s.timing.routineMinutes,
    contacts: s.contacts,
    alertEmail: s.alertEmail,
    missedCheckInMinutes: s.missedCheckInMinutes,
    afterHoursPhone: s.afterHoursPhone,
  };
}

/** The clinic's escalation settings as the worker reads them (admins). */
export async function readEscalationSettings(
  deps: ServiceDeps,
  actor: Actor,
): Promise<EscalationView> {
  requireAdmin(actor);
  const clinic = await findClinic(deps.db, actor.clinicId);
  if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
  return viewOf(clinic.escalation);
}

/**
 * `escalation.contacts[0].email: …` → a field issue on `contacts[0].email`, for the fields this
 * change sent (a problem elsewhere in the stored settings is not this request's).
 */
function issuesOf(problems: readonly string[], sent: readonly string[]): FieldIssue[] {
  return problems.flatMap((p) => {
    const colon = p.indexOf(': ');
    const field = p.slice(0, colon).replace(/^escalation\./, '');
    const key = /^[A-Za-z]+/.exec(field)?.[0] ?? '';
    return sent.includes(key) ? [{ field, message: p.slice(colon + 2) }] : [];
  });
}

/**
 * Change the fields `patch` holds (admins): checked as the worker will read them, every
 * problem named by its field; nothing is saved unless all are right. Audited with the names of
 * the fields changed.
 */
export async function updateEscalationSettings(
  deps: ServiceDeps,
  actor: Actor,
  patch: EscalationPatch,
): Promise<EscalationView> {
  requireAdmin(actor);
  return withTransaction(deps.db, async (trx) => {
    const clinic = await findClinic(trx, actor.clinicId);
    if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
    const escalation = { ...clinic.escalation, ...patch };
    const sent = Object.keys(patch);
    refuseOwnProblems(escalation, deps.config.keys.webhookAllowHosts, (problems) =>
      issuesOf(problems, sent),
    );
    await updateClinicSettings(trx, actor.clinicId, { escalation });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'clinic.escalation.update',
      subjectType: 'clinic',
      subjectId: actor.clinicId,
      details: { fields: sent },
    });
    return viewOf(escalation);
  });
}
