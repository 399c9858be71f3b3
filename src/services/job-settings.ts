/**
 * A clinic's escalation and out-of-hours settings, read by the worker (escalation, webhooks)
 * and by the patient answer page (the out-of-hours line), kept in the clinic's `escalation_json` column (the
 * store keeps that JSON opaque; its shape belongs here). Example:
 *
 * ```json
 * {
 *   "emergencyMinutes": 15, "urgentMinutes": 120, "routineMinutes": null,
 *   "contacts": [{ "name": "Dr Backup", "email": "backup@clinic.example", "phone": "+34600000000", "language": "es" }],
 *   "alertEmail": "frontdesk@clinic.example",
 *   "webhooks": [{ "id": "ehr", "url": "https://ehr.example/hooks/needlecare", "secret": "…", "format": "fhir" }],
 *   "missedCheckInMinutes": 90,
 *   "afterHoursPhone": "+34 900 000 000"
 * }
 * ```
 *
 * `readJobSettings` is lenient (bad entries are ignored, defaults fill gaps) so a worker never
 * crashes on a clinic's settings; `validateJobSettings` is strict and lists every problem, for
 * the admin API to answer 400 with.
 */
import { LOCALES, type Locale } from '../clinical/types.ts';
import type { EscalationSettings } from '../store/clinics.repository.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { hostOf, webhookHostProblem } from './public-address.ts';
import { checkName } from './text.ts';

/** Minutes an alert may stay unacknowledged before the next contact is told. */
export interface EscalationTiming {
  readonly emergencyMinutes: number;
  readonly urgentMinutes: number;
  /** `null`: routine alerts never escalate. */
  readonly routineMinutes: number | null;
}

export const DEFAULT_ESCALATION_TIMING: EscalationTiming = {
  emergencyMinutes: 15,
  urgentMinutes: 120,
  routineMinutes: null,
};

export interface EscalationContact {
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
  /** The language their messages are in; absent: the clinic's default (decision 0502). */
  readonly language?: Locale;
}

export interface WebhookEndpoint {
  /** Stable name of the endpoint; part of each delivery's dedupe key. */
  readonly id: string;
  readonly url: string;
  /** HMAC-SHA256 key shared with the receiver (docs/webhooks.md). */
  readonly secret: string;
  /**
   * What the body is: `native`, our JSON event (ids only; the default), or `fhir`, a FHIR R4
   * message Bundle of the alert's Flag, RiskAssessment, QuestionnaireResponse and Patient
   * (docs/decisions/0910). Both are signed the same way.
   */
  readonly format: WebhookFormat;
}

export const WEBHOOK_FORMATS = ['native', 'fhir'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface JobSettings {
  readonly timing: EscalationTiming;
  /** In order: the first is told at the first escalation, the next one interval later, … */
  readonly contacts: readonly EscalationContact[];
  /** Where alert e-mails go when the session has no practitioner with an e-mail. */
  readonly alertEmail: string | null;
  readonly webhooks: readonly WebhookEndpoint[];
  /** How long after an early thoracic check-in's planned time an answer may still come. */
  readonly missedCheckInMinutes: number;
  /** Out-of-hours line shown to patients when the clinic is closed. */
  readonly afterHoursPhone: string | null;
}

export const DEFAULT_MISSED_CHECKIN_MINUTES = 90;
const MAX_MINUTES = 7 * 24 * 60;

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const PHONE = /^\+?[0-9 ().-]{5,20}$/;
const ENDPOINT_ID = /^[A-Za-z0-9_-]{1,40}$/;

type Parsed = { value: JobSettings; problems: string[] };

function parse(raw: EscalationSettings | unknown, allowHosts: readonly string[] | null): Parsed {
  const problems: string[] = [];
  const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push('escalation: must be an object');
  }

  const minutes = (key: string, fallback: number | null, nullable: boolean): number | null => {
    const v = obj[key];
    if (v === undefined) return fallback;
    if (v === null && nullable) return null;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_MINUTES) return v;
    problems.push(
      `escalation.${key}: must be a whole number of minutes from 1 to ${MAX_MINUTES}${nullable ? ' or null' : ''}`,
    );
    return fallback;
  };
  const optionalText = (key: string, pattern: RegExp, what: string): string | null => {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string' && pattern.test(v.trim())) return v.trim();
    problems.push(`escalation.${key}: must be ${what}`);
    return null;
  };

  const timing: EscalationTiming = {
    emergencyMinutes:
      minutes('emergencyMinutes', DEFAULT_ESCALATION_TIMING.emergencyMinutes, false) ??
      DEFAULT_ESCALATION_TIMING.emergencyMinutes,
    urgentMinutes:
      minutes('urgentMinutes', DEFAULT_ESCALATION_TIMING.urgentMinutes, false) ??
      DEFAULT_ESCALATION_TIMING.urgentMinutes,
    routineMinutes: minutes('routineMinutes', DEFAULT_ESCALATION_TIMING.routineMinutes, true),
  };

  const contacts: EscalationContact[] = [];
  const rawContacts = obj.contacts ?? [];
  if (!Array.isArray(rawContacts)) problems.push('escalation.contacts: must be a list');
  else {
    rawContacts.forEach((c: unknown, i) => {
      const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
      const checked = checkName(o.name, { field: `escalation.contacts[${i}].name` });
      const name = checked.ok ? checked.value : null;
      const email =
        typeof o.email === 'string' && EMAIL.test(o.email.trim()) ? o.email.trim() : null;
      const phone =
        typeof o.phone === 'string' && PHONE.test(o.phone.trim()) ? o.phone.trim() : null;
      if (!checked.ok)
        problems.push(
          typeof o.name !== 'string' || o.name.trim() === ''
            ? `${checked.field}: required`
            : `${checked.field}: ${checked.message}`,
        );
      // Absent and null both mean "none" (the API and the dashboard send null).
      const given = (v: unknown) => v !== undefined && v !== null;
      if (given(o.email) && email === null)
        problems.push(`escalation.contacts[${i}].email: not an e-mail address`);
      if (given(o.phone) && phone === null)
        problems.push(`escalation.contacts[${i}].phone: not a phone number`);
      if (!given(o.email) && !given(o.phone))
        problems.push(`escalation.contacts[${i}]: needs an email or a phone`);
      const language = (LOCALES as readonly unknown[]).includes(o.language)
        ? (o.language as Locale)
        : undefined;
      if (o.language !== undefined && o.language !== null && language === undefined)
        problems.push(`escalation.contacts[${i}].language: must be one of ${LOCALES.join(', ')}`);
      if (name !== null && (email !== null || phone !== null))
        contacts.push(
          language === undefined ? { name, email, phone } : { name, email, phone, language },
        );
    });
  }

  const webhooks: WebhookEndpoint[] = [];
  const rawHooks = obj.webhooks ?? [];
  if (!Array.isArray(rawHooks)) problems.push('escalation.webhooks: must be a list');
  else {
    const seen = new Set<string>();
    rawHooks.forEach((h: unknown, i) => {
      const o = (typeof h === 'object' && h !== null ? h : {}) as Record<string, unknown>;
      const id = typeof o.id === 'string' && ENDPOINT_ID.test(o.id) ? o.id : null;
      let url: string | null = null;
      let hostProblem: string | null = null;
      if (typeof o.url === 'string') {
        try {
          const u = new URL(o.url);
          if (u.protocol === 'https:' || u.protocol === 'http:') url = u.toString();
          if (url !== null && allowHosts !== null) hostProblem = webhookHostProblem(u, allowHosts);
        } catch {
          url = null;
        }
      }
      const secret = typeof o.secret === 'string' && o.secret.length >= 16 ? o.secret : null;
      const format: WebhookFormat | null =
        o.format === undefined || o.format === null
          ? 'native'
          : (WEBHOOK_FORMATS as readonly unknown[]).includes(o.format)
            ? (o.format as WebhookFormat)
            : null;
      // The FHIR form carries the patient's name, contacts and answers: never over plain http,
      // unless the operator named the host (a local receiver, tests; decision 1102).
      if (
        format === 'fhir' &&
        url !== null &&
        allowHosts !== null &&
        hostProblem === null &&
        new URL(url).protocol === 'http:' &&
        !allowHosts.includes(hostOf(new URL(url)))
      ) {
        hostProblem = 'the FHIR form carries patient data: use an https URL';
      }
      if (id === null) problems.push(`escalation.webhooks[${i}].id: 1–40 letters, digits, - or _`);
      else if (seen.has(id)) problems.push(`escalation.webhooks[${i}].id: repeated`);
      if (url === null) problems.push(`escalation.webhooks[${i}].url: must be an http(s) URL`);
      else if (hostProblem !== null) problems.push(`escalation.webhooks[${i}].url: ${hostProblem}`);
      if (secret === null)
        problems.push(`escalation.webhooks[${i}].secret: at least 16 characters`);
      if (format === null)
        problems.push(`escalation.webhooks[${i}].format: must be "native" or "fhir"`);
      if (
        id !== null &&
        !seen.has(id) &&
        url !== null &&
        hostProblem === null &&
        secret !== null &&
        format !== null
      ) {
        seen.add(id);
        webhooks.push({ id, url, secret, format });
      }
    });
  }

  return {
    value: {
      timing,
      contacts,
      alertEmail: optionalText('alertEmail', EMAIL, 'an e-mail address'),
      webhooks,
      missedCheckInMinutes:
        minutes('missedCheckInMinutes', DEFAULT_MISSED_CHECKIN_MINUTES, false) ??
        DEFAULT_MISSED_CHECKIN_MINUTES,
      afterHoursPhone: optionalText('afterHoursPhone', PHONE, 'a phone number'),
    },
    problems,
  };
}

/** The clinic's job settings with defaults; malformed parts are ignored, never thrown. */
export function readJobSettings(escalation: EscalationSettings): JobSettings {
  return parse(escalation, null).value;
}

/**
 * Check a clinic's escalation settings with a change applied, as the worker will read them, and
 * refuse the change (`validation_failed`, 400) with the problems `ours` picks out as field
 * issues: those of the part it changed. A problem elsewhere in the stored settings is not the
 * change's: the worker ignores that part, and the change may be saved.
 */
export function refuseOwnProblems(
  escalation: unknown,
  allowHosts: readonly string[],
  ours: (problems: readonly string[]) => FieldIssue[],
): void {
  const checked = validateJobSettings(escalation, { allowHosts });
  if (checked.ok) return;
  const errors = ours(checked.problems);
  if (errors.length > 0)
    throw new AppError('validation_failed', `Invalid ${errors.map((e) => e.field).join(', ')}`, {
      errors,
    });
}

/**
 * Strict check of a proposed `escalation` settings object: every problem, by field. Webhook
 * URLs must name a public host unless `allowHosts` (NEEDLECARE_WEBHOOK_ALLOW_HOSTS) lists it;
 * the worker checks the resolved addresses again at send time (public-address.ts).
 */
export function validateJobSettings(
  raw: unknown,
  options: { readonly allowHosts?: readonly string[] } = {},
): { ok: true; value: JobSettings } | { ok: false; problems: string[] } {
  const { value, problems } = parse(raw, options.allowHosts ?? []);
  return problems.length === 0 ? { ok: true, value } : { ok: false, problems };
}

const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/**
 * Strict check of a clinic's coverage hours (`{ mon: [['08:00', '18:00']], … }`, clinic-local
 * `HH:MM`; an end at or before the start runs overnight). For the admin API.
 */
export function validateCoverage(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return ['coverage: must be an object of weekday → list of ["HH:MM", "HH:MM"]'];
  }
  const problems: string[] = [];
  for (const [day, ranges] of Object.entries(raw)) {
    if (!(WEEKDAY_KEYS as readonly string[]).includes(day)) {
      problems.push(`coverage.${day}: not a weekday (${WEEKDAY_KEYS.join(', ')})`);
      continue;
    }
    if (!Array.isArray(ranges)) {
      problems.push(`coverage.${day}: must be a list of ["HH:MM", "HH:MM"]`);
      continue;
    }
    ranges.forEach((r: unknown, i) => {
      const ok =
        Array.isArray(r) &&
        r.length === 2 &&
        r.every((t) => typeof t === 'string' && HHMM.test(t)) &&
        r[0] !== r[1] &&
        r[0] !== '24:00';
      if (!ok)
        problems.push(`coverage.${day}[${i}]: must be ["HH:MM", "HH:MM"] with different times`);
    });
  }
  return problems;
}

/** Strict check of quiet hours: `null` or `{ start: 'HH:MM', end: 'HH:MM' }`, start ≠ end. */
export function validateQuietHours(raw: unknown): string[] {
  if (raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return ['quietHours: must be null or { "start": "HH:MM", "end": "HH:MM" }'];
  }
  const o = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ['start', 'end'] as const) {
    const v = o[key];
    if (typeof v !== 'string' || !HHMM.test(v) || v === '24:00') {
      problems.push(`quietHours.${key}: must be a time "HH:MM"`);
    }
  }
  if (problems.length === 0 && o.start === o.end) {
    problems.push('quietHours: start and end must differ');
  }
  return problems;
}
