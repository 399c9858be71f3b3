/**
 * The outbox worker: claims due messages, delivers them, and records the outcome.
 *
 * - At-least-once: a message is marked sent only after the receiver accepted it; a worker that
 *   dies in between leaves a claim that expires after `leaseMs` (30 s; a live worker renews it
 *   every third of that while the message is in hand), and another worker (or the same one
 *   after a restart) sends again: a message handed to SMTP just before the crash goes out twice. Every delivery carries a key that is stable across
 *   attempts (e-mail `Message-ID`, SMS `idempotencyKey`, webhook `Needlecare-Event-Id`) so the
 *   receiver can drop the duplicate.
 * - Internal checks (escalation, missed check-in) write to the database in one transaction with
 *   marking the message sent, so their effects happen exactly once.
 * - Failures are retried with exponential backoff and jitter; after `maxAttempts` the message
 *   is dead-lettered with its last error (`listDeadLetters`).
 * - Time comes from the injected clock; nothing here reads the wall clock except the polling
 *   timer of `start()` and the lease-renewal timer (which takes its instants from the clock).
 */
import { createHash } from 'node:crypto';
import type { Locale } from '../clinical/types.ts';
import type { SystemActor } from '../services/actors.ts';
import { AppError } from '../services/errors.ts';
import { discloseClinicRecord } from '../services/fhir-records.ts';
import { readJobSettings } from '../services/job-settings.ts';
import { applyRetention } from '../services/patient-records.ts';
import { productUrls } from '../services/urls.ts';
import {
  type Alert,
  findAlert,
  findOpenAlertForSession,
  insertAlert,
} from '../store/alerts.repository.ts';
import { appendAuditEvent } from '../store/audit.repository.ts';
import { listCheckInsForSession } from '../store/checkins.repository.ts';
import { type Clinic, findClinic } from '../store/clinics.repository.ts';
import { type Db, withTransaction } from '../store/db.ts';
import type { ClinicRecord } from '../store/interop.repository.ts';
import { listLinksForSession } from '../store/links.repository.ts';
import {
  claimDueOutbox,
  enqueueOutbox,
  markOutboxFailed,
  markOutboxSent,
  type OutboxMessage,
  renewOutboxClaims,
} from '../store/outbox.repository.ts';
import { findPatient } from '../store/patients.repository.ts';
import { findNeedlingSession } from '../store/sessions.repository.ts';
import { findStaffByEmailInClinic, findStaffById } from '../store/staff.repository.ts';
import { buildWebhookEvent, enqueueAlertDelivery } from './alerts.ts';
import { pruneExpired, type RetentionConfig } from './housekeeping.ts';
import type { Mailer } from './mailer.ts';
import {
  type AlertPatientContact,
  renderAlertEmail,
  renderAlertSms,
  renderPasswordLinkEmail,
  renderReminderEmail,
  renderReminderSms,
  telUri,
} from './messages.ts';
import { replacePayload } from './outbox-queries.ts';
import type {
  AlertMessagePayload,
  AlertReason,
  EscalationCheckPayload,
  MissedCheckInPayload,
  PasswordLinkPayload,
  ReminderPayload,
  WebhookEvent,
  WebhookPayload,
} from './payloads.ts';
import { EARLY_ANSWER_MINUTES } from './reminders.ts';
import { escalationDelayMinutes, isWithinCoverage, nextCoverageStart } from './schedule.ts';
import { openReminderLinks } from './sealed-links.ts';
import type { SmsSender } from './sms-gateway.ts';
import { FHIR_JSON, type WebhookSender } from './webhooks.ts';

const MINUTE_MS = 60_000;

/** Default claim lease: a killed worker's messages are free again after this (decision 0802). */
export const DEFAULT_LEASE_MS = 30_000;

/** "Now", injected (structurally the same as the API's clock). */
export interface Clock {
  now(): Date;
}

/** The part of pino the worker uses. Log fields are ids, kinds and counts — never patient data. */
export interface JobsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerConfig {
  /** Base URL of the app (for Message-ID domains and alert links, built by src/services/urls.ts). */
  readonly publicUrl: string;
  /** Claims per message before it is dead-lettered (default 10: about three hours of retries). */
  readonly maxAttempts?: number;
  /** First retry delay (default 30 s); doubles per attempt up to `backoffMaxMs` (default 1 h). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /**
   * How long a claim holds before another worker may take the message (default 30 s). The
   * worker renews the claims of its batch every `leaseMs / 3` while it works, so a slow batch
   * keeps its messages and a dead worker's messages are free again within one lease
   * (decision 0802).
   */
  readonly leaseMs?: number;
  /**
   * Housekeeping (expired staff sessions, old idempotency keys and delivered messages, expired
   * bulk exports, expired CDS Hooks `jti`s).
   */
  readonly retention?: Partial<RetentionConfig>;
  /** Messages claimed per round (default 10). */
  readonly batchSize?: number;
  /** Wait between rounds when idle, for `start()` (default 2 s). */
  readonly pollIntervalMs?: number;
  /** Uniform [0, 1) for the retry jitter; default Math.random. */
  readonly random?: () => number;
  /**
   * How often the retention job runs (default daily; decision 1313). The first round of a
   * worker runs it; so does the first round after each interval.
   */
  readonly retentionIntervalMs?: number;
}

/**
 * Builds the FHIR form of an alert webhook (a message Bundle) from the patient's part of the
 * record; undefined when the alert is not in it. Given by the composition root
 * (`alertWebhookBuilder` of src/interop/fhir/webhook.ts): jobs import no door (decision 0910).
 */
export type FhirWebhookBuilder = (
  record: ClinicRecord,
  event: WebhookEvent,
) => { readonly body: unknown; readonly patientIds: readonly string[] } | undefined;

export interface WorkerDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: JobsLogger;
  readonly mailer: Mailer;
  readonly sms: SmsSender;
  readonly webhooks: WebhookSender;
  /** For endpoints with `format: "fhir"`; without it their deliveries are dead-lettered. */
  readonly fhirWebhook?: FhirWebhookBuilder;
  readonly workerId: string;
  readonly config: WorkerConfig;
}

export interface RunSummary {
  readonly claimed: number;
  readonly sent: number;
  /** Finished without sending (answered already, alert acknowledged, endpoint removed, …). */
  readonly skipped: number;
  readonly retried: number;
  readonly dead: number;
}

export interface Worker {
  /** One round: claim due messages and process each. */
  runOnce(): Promise<RunSummary>;
  /** Poll until `stop()`. */
  start(): void;
  /** Stop polling and wait for the round in progress. */
  stop(): Promise<void>;
}

type Outcome = { readonly status: 'sent' | 'skipped'; readonly note?: string };

/** Another worker finished the message first (our lease had expired): roll back, do nothing. */
class LostClaim extends Error {}

/** A failure no retry can fix (an unknown kind): dead-lettered at once. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/** Retry delay after the `attempts`-th failed attempt: exponential, capped, "equal jitter". */
export function retryDelayMs(
  attempts: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** Error text safe to store and log: no e-mail addresses, no phone-like digit runs. */
export function scrubError(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; cause?: { code?: unknown } };
  const code =
    typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  // An IPv4 address with its port (`127.0.0.1:2525`) says which server failed: keep it whole,
  // and scrub phone-like digit runs only in the text between such addresses.
  const clean = message
    .split(/(\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/[^\s<>"'@]+@[^\s<>"']+/g, '[address]')
            .replace(/\+?\d[\d ().-]{6,}\d/g, '[number]'),
    )
    .join('')
    .slice(0, 500);
  return code === null ? clean : `${clean} (${code})`;
}

function messageIdFor(dedupeKey: string, publicUrl: string): string {
  let host = 'needlecare.invalid';
  try {
    host = new URL(publicUrl).hostname || host;
  } catch {
    // keep the default
  }
  return `<${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 40)}@${host}>`;
}

export function createWorker(deps: WorkerDeps): Worker {
  const { db, clock, logger, config } = deps;
  const maxAttempts = config.maxAttempts ?? 10;
  const baseMs = config.backoffBaseMs ?? 30_000;
  const maxMs = config.backoffMaxMs ?? 3_600_000;
  const leaseMs = config.leaseMs ?? DEFAULT_LEASE_MS;
  const batchSize = config.batchSize ?? 10;
  const pollMs = config.pollIntervalMs ?? 2_000;
  const random = config.random ?? Math.random;
  const urls = productUrls(config.publicUrl);

  async function sendReminder(m: OutboxMessage, now: Date): Promise<Outcome> {
    const p = openReminderLinks(db, m.payload as ReminderPayload);
    if (m.clinicId !== null) {
      const links = await listLinksForSession(db, m.clinicId, p.sessionId);
      const usable = links.some(
        (l) => l.revokedAt === null && Date.parse(l.expiresAt) > now.getTime(),
      );
      if (links.length > 0 && !usable)
        return { status: 'skipped', note: 'link revoked or expired' };
    }
    const since = Date.parse(p.plannedAt) - EARLY_ANSWER_MINUTES * MINUTE_MS;
    const checkIns = await listCheckInsForSession(db, p.sessionId);
    if (checkIns.some((c) => Date.parse(c.receivedAt) >= since)) {
      return { status: 'skipped', note: 'answered already' };
    }
    if (m.kind === 'reminder.email') {
      const mail = renderReminderEmail(p);
      await deps.mailer.send({
        to: p.to,
        subject: mail.subject,
        text: mail.text,
        messageId: messageIdFor(m.dedupeKey, config.publicUrl),
        language: p.language,
        headers: {
          'X-Needlecare-Dedupe-Key': m.dedupeKey,
          'List-Unsubscribe': `<${p.stopUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'Auto-Submitted': 'auto-generated',
        },
      });
    } else {
      await deps.sms.send({ to: p.to, body: renderReminderSms(p), idempotencyKey: m.dedupeKey });
    }
    return { status: 'sent' };
  }

  /**
   * How to reach the patient, for a message about an alert that asks staff to call (urgent,
   * emergency, a missed early check-in) when the clinic gives it (decision 1221). Read at send
   * time, so nothing of the patient waits in the outbox, and audited as a disclosure before
   * it goes out. Undefined: the message carries no patient detail.
   */
  async function patientContactFor(
    m: OutboxMessage,
    now: Date,
    alert: { readonly id: string; readonly patientId: string },
    severity: string,
    reason: AlertReason,
    channel: string,
  ): Promise<AlertPatientContact | undefined> {
    if (m.clinicId === null) return undefined;
    if (severity !== 'urgent' && severity !== 'emergency' && reason !== 'missed_checkin')
      return undefined;
    const clinic = await findClinic(db, m.clinicId);
    if (clinic?.patientContactInAlerts !== true) return undefined;
    const patient = await findPatient(db, m.clinicId, alert.patientId);
    const contact = { phone: patient?.phone ?? null, email: patient?.email ?? null };
    await appendAuditEvent(db, {
      at: now,
      clinicId: m.clinicId,
      actorType: 'system',
      action: 'alert.contact.disclose',
      subjectType: 'patient',
      subjectId: alert.patientId,
      details: {
        alertId: alert.id,
        channel,
        outboxId: m.id,
        phone: contact.phone !== null,
        email: contact.email !== null,
      },
    });
    return contact;
  }

  async function sendAlertMessage(m: OutboxMessage, now: Date): Promise<Outcome> {
    const p = m.payload as AlertMessagePayload;
    const alert = m.clinicId === null ? undefined : await findAlert(db, m.clinicId, p.alertId);
    if (alert?.status !== 'open') {
      return { status: 'skipped', note: 'alert no longer open' };
    }
    const language = await alertLanguage(m, p);
    if (m.kind === 'alert.email') {
      const contact = await patientContactFor(m, now, alert, p.severity, p.reason, 'email');
      const mail = renderAlertEmail(p, contact, language);
      await deps.mailer.send({
        to: p.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html === undefined ? {} : { html: mail.html }),
        messageId: messageIdFor(m.dedupeKey, config.publicUrl),
        language,
        headers: {
          'X-Needlecare-Dedupe-Key': m.dedupeKey,
          'Auto-Submitted': 'auto-generated',
          ...(p.severity === 'emergency' ? { Importance: 'high', 'X-Priority': '1' } : {}),
        },
      });
    } else {
      await deps.sms.send({
        to: p.to,
        body: renderAlertSms(p, language),
        idempotencyKey: m.dedupeKey,
      });
    }
    return { status: 'sent' };
  }

  /**
   * The language of a staff alert message, read at send time (decision 0501): an escalation
   * contact's own when the clinic's settings give one (decision 0502); a staff member of the
   * clinic with that address reads it in their own language, or else the clinic's default;
   * anyone else (the clinic's alert address, a contact without a language of their own, any
   * other SMS) in the clinic's default.
   */
  async function alertLanguage(m: OutboxMessage, p: AlertMessagePayload): Promise<Locale> {
    if (p.language !== undefined) return p.language;
    const clinic = m.clinicId === null ? undefined : await findClinic(db, m.clinicId);
    if (clinic === undefined) return 'en';
    if (m.kind === 'alert.email') {
      const staff = await findStaffByEmailInClinic(db, clinic.id, p.to);
      if (staff?.language != null) return staff.language;
    }
    return clinic.defaultLanguage;
  }

  /** An invitation or reset link: not sent once it expired (a fresh one must be asked for). */
  async function sendPasswordLink(m: OutboxMessage, now: Date): Promise<Outcome> {
    const p = m.payload as PasswordLinkPayload;
    if (Date.parse(p.expiresAt) <= now.getTime())
      return { status: 'skipped', note: 'link expired before it could be sent' };
    const mail = renderPasswordLinkEmail(m.kind as 'invite.email' | 'password-reset.email', p);
    await deps.mailer.send({
      to: p.to,
      subject: mail.subject,
      text: mail.text,
      messageId: messageIdFor(m.dedupeKey, config.publicUrl),
      language: p.language,
      headers: { 'X-Needlecare-Dedupe-Key': m.dedupeKey, 'Auto-Submitted': 'auto-generated' },
    });
    return { status: 'sent' };
  }

  async function sendWebhook(m: OutboxMessage, now: Date): Promise<Outcome> {
    const p = m.payload as WebhookPayload;
    const clinic = m.clinicId === null ? undefined : await findClinic(db, m.clinicId);
    const endpoint =
      clinic && readJobSettings(clinic.escalation).webhooks.find((w) => w.id === p.webhookId);
    if (!endpoint) return { status: 'skipped', note: 'webhook endpoint no longer configured' };
    if (endpoint.format === 'fhir') {
      const body = await fhirWebhookBody(m, p);
      if (body === undefined) return { status: 'skipped', note: 'alert no longer on record' };
      await deps.webhooks.deliver({
        url: endpoint.url,
        secret: endpoint.secret,
        eventId: p.event.id,
        body,
        contentType: FHIR_JSON,
        now,
      });
      return { status: 'sent' };
    }
    const a = p.event.data.alert;
    const contact = await patientContactFor(
      m,
      now,
      a,
      a.severity,
      a.reason,
      `webhook:${p.webhookId}`,
    );
    const event =
      contact === undefined
        ? p.event
        : {
            ...p.event,
            data: {
              ...p.event.data,
              patientContact: {
                phone: contact.phone,
                phoneUri: contact.phone === null ? null : telUri(contact.phone),
                email: contact.email,
                noContactGiven: contact.phone === null && contact.email === null,
              },
            },
          };
    await deps.webhooks.deliver({
      url: endpoint.url,
      secret: endpoint.secret,
      eventId: p.event.id,
      body: JSON.stringify(event),
      now,
    });
    return { status: 'sent' };
  }

  /**
   * The FHIR Bundle of a webhook event, built from the stored record now (the alert as it
   * stands). The disclosure service reads the patient's record in the clinic's scope and
   * audits the disclosure (`webhook.fhir`, one event per attempt: each sends the data).
   */
  async function fhirWebhookBody(m: OutboxMessage, p: WebhookPayload): Promise<string | undefined> {
    const build = deps.fhirWebhook;
    if (build === undefined)
      throw new PermanentError('FHIR webhooks need the FHIR mapping, which this worker lacks');
    const actor: SystemActor = {
      kind: 'system',
      name: `worker:${deps.workerId}`,
      clinicId: m.clinicId,
      ip: '',
      requestId: m.id,
    };
    try {
      return await discloseClinicRecord({ db, clock }, actor, {
        action: 'webhook.fhir',
        subject: `Flag/${p.event.data.alert.id}`,
        patientId: p.event.data.alert.patientId,
        project: (record) => {
          const built = build(record, p.event);
          return built === undefined
            ? { result: undefined, patientIds: [] }
            : { result: JSON.stringify(built.body), patientIds: built.patientIds };
        },
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') return undefined;
      throw error;
    }
  }

  /** Run `fn` and mark the message sent in one transaction. */
  async function transactional(
    m: OutboxMessage,
    now: Date,
    fn: (trx: Db) => Promise<Outcome>,
  ): Promise<Outcome> {
    return withTransaction(db, async (trx) => {
      const outcome = await fn(trx);
      if (!(await markOutboxSent(trx, claimOf(m), now))) throw new LostClaim();
      return outcome;
    });
  }

  async function checkEscalation(m: OutboxMessage, now: Date): Promise<Outcome> {
    const p = m.payload as EscalationCheckPayload;
    const clinicId = m.clinicId;
    if (clinicId === null) return { status: 'skipped', note: 'no clinic' };
    return transactional(m, now, async (trx) => {
      const alert = await findAlert(trx, clinicId, p.alertId);
      if (alert?.status !== 'open') return { status: 'skipped', note: 'acknowledged' };
      if (alert.severity !== p.severity) return { status: 'skipped', note: 'superseded' };
      const clinic = await findClinic(trx, clinicId);
      if (!clinic) return { status: 'skipped', note: 'no clinic' };
      const settings = readJobSettings(clinic.escalation);
      const enqueue = (kind: string, dedupeKey: string, payload: unknown, dueAt: Date) =>
        enqueueOutbox(trx, { clinicId, kind, dedupeKey, payload, dueAt, createdAt: now });

      if (!isWithinCoverage(now, clinic.coverage, clinic.timeZone)) {
        // Ran late (worker down) into closed hours: try again at the next opening.
        const at = nextCoverageStart(now, clinic.coverage, clinic.timeZone);
        await enqueue('escalation.check', `${keyBase(p)}:deferred:${at.toISOString()}`, p, at);
        return { status: 'skipped', note: 'outside coverage, deferred' };
      }

      const minutesOpen = Math.max(
        0,
        Math.round((now.getTime() - Date.parse(alert.createdAt)) / MINUTE_MS),
      );
      const contact = settings.contacts[p.step];
      if (contact !== undefined) {
        const message: AlertMessagePayload = {
          alertId: alert.id,
          severity: alert.severity,
          event: 'alert.escalated',
          reason: 'checkin',
          to: '',
          dashboardUrl: p.dashboardUrl,
          clinicName: clinic.name,
          timeZone: clinic.timeZone,
          raisedAt: alert.createdAt,
          escalation: { step: p.step, minutesOpen },
          ...(contact.language === undefined ? {} : { language: contact.language }),
        };
        if (contact.email !== null) {
          await enqueue(
            'alert.email',
            `${keyBase(p)}:email`,
            { ...message, to: contact.email },
            now,
          );
        }
        if (contact.phone !== null) {
          await enqueue('alert.sms', `${keyBase(p)}:sms`, { ...message, to: contact.phone }, now);
        }
      }
      const event = buildWebhookEvent({
        identity: keyBase(p),
        type: 'alert.escalated',
        at: now.toISOString(),
        clinicId,
        alert,
        reason: 'checkin',
        dashboardUrl: p.dashboardUrl,
        escalationStep: p.step,
      });
      for (const hook of settings.webhooks) {
        const payload: WebhookPayload = { webhookId: hook.id, event };
        await enqueue('alert.webhook', `${keyBase(p)}:webhook:${hook.id}`, payload, now);
      }
      await appendAuditEvent(trx, {
        at: now,
        clinicId,
        actorType: 'system',
        action: 'alert.escalate',
        subjectType: 'alert',
        subjectId: alert.id,
        details: { step: p.step, severity: alert.severity, contactNotified: contact !== undefined },
      });
      const minutes = escalationDelayMinutes(alert.severity, settings.timing);
      if (settings.contacts[p.step + 1] !== undefined && minutes !== null) {
        const next = nextCoverageStart(
          now.getTime() + minutes * MINUTE_MS,
          clinic.coverage,
          clinic.timeZone,
        );
        const nextPayload: EscalationCheckPayload = { ...p, step: p.step + 1 };
        await enqueue('escalation.check', keyBase(nextPayload), nextPayload, next);
      }
      if (contact === undefined) {
        logger.warn(
          { clinicId, alertId: alert.id, step: p.step },
          'escalation: no contact configured',
        );
        return { status: 'sent', note: 'no contact configured' };
      }
      return { status: 'sent' };
    });
  }

  async function checkMissedCheckIn(m: OutboxMessage, now: Date): Promise<Outcome> {
    const p = m.payload as MissedCheckInPayload;
    const clinicId = m.clinicId;
    if (clinicId === null) return { status: 'skipped', note: 'no clinic' };
    return transactional(m, now, async (trx) => {
      const checkIns = await listCheckInsForSession(trx, p.sessionId);
      if (checkIns.some((c) => Date.parse(c.receivedAt) >= Date.parse(p.windowStart))) {
        return { status: 'skipped', note: 'answered' };
      }
      const session = await findNeedlingSession(trx, clinicId, p.sessionId);
      const clinic = await findClinic(trx, clinicId);
      if (!session || !clinic) return { status: 'skipped', note: 'session gone' };
      const links = await listLinksForSession(trx, clinicId, p.sessionId);
      if (links.length > 0 && links.every((l) => l.revokedAt !== null)) {
        return { status: 'skipped', note: 'links revoked' };
      }
      if (await findOpenAlertForSession(trx, p.sessionId)) {
        return { status: 'skipped', note: 'an open alert exists' };
      }
      const alert: Alert = await insertAlert(trx, {
        clinicId,
        sessionId: session.id,
        patientId: session.patientId,
        assessmentId: null,
        severity: 'routine',
        createdAt: now,
      });
      await appendAuditEvent(trx, {
        at: now,
        clinicId,
        actorType: 'system',
        action: 'alert.create',
        subjectType: 'alert',
        subjectId: alert.id,
        details: { reason: 'missed_checkin', hoursAfter: p.hoursAfter, sessionId: session.id },
      });
      const practitioner =
        session.practitionerId === null
          ? undefined
          : await findStaffById(trx, session.practitionerId);
      await enqueueAlertDelivery(trx, {
        clinic: clinic as Clinic,
        alert,
        session,
        practitioner: practitioner ?? null,
        dashboardUrl: urls.dashboardAlert(alert.id),
        reason: 'missed_checkin',
        at: now,
      });
      return { status: 'sent', note: 'routine alert raised' };
    });
  }

  async function handle(m: OutboxMessage, now: Date): Promise<Outcome> {
    switch (m.kind) {
      case 'reminder.email':
      case 'reminder.sms':
        return sendReminder(m, now);
      case 'alert.email':
      case 'alert.sms':
        return sendAlertMessage(m, now);
      case 'alert.webhook':
        return sendWebhook(m, now);
      case 'escalation.check':
        return checkEscalation(m, now);
      case 'missed-checkin.check':
        return checkMissedCheckIn(m, now);
      case 'invite.email':
      case 'password-reset.email':
        return sendPasswordLink(m, now);
      default:
        throw new PermanentError(`unknown outbox kind "${m.kind}"`);
    }
  }

  const TRANSACTIONAL = new Set(['escalation.check', 'missed-checkin.check']);

  /** Drop addresses and links from a delivered patient or staff message. */
  function redacted(m: OutboxMessage): unknown | undefined {
    if (m.kind.startsWith('reminder.')) {
      const p = m.payload as ReminderPayload;
      return { ...p, to: '[sent]', linkUrl: '[sent]', stopUrl: '[sent]' };
    }
    if (m.kind === 'alert.email' || m.kind === 'alert.sms') {
      return { ...(m.payload as AlertMessagePayload), to: '[sent]' };
    }
    if (m.kind === 'invite.email' || m.kind === 'password-reset.email') {
      return { ...(m.payload as PasswordLinkPayload), to: '[sent]', url: '[sent]' };
    }
    return undefined;
  }

  async function processOne(m: OutboxMessage, summary: Counts): Promise<void> {
    const now = clock.now();
    const log = { outboxId: m.id, kind: m.kind, attempt: m.attempts, workerId: deps.workerId };
    try {
      const outcome = await handle(m, now);
      if (!TRANSACTIONAL.has(m.kind)) {
        const skipped = outcome.status === 'skipped' ? (outcome.note ?? 'not needed') : undefined;
        const marked = await markOutboxSent(db, claimOf(m), now, skipped);
        if (!marked) logger.info(log, 'outbox: finished elsewhere (lease expired)');
      }
      const clean = redacted(m);
      if (clean !== undefined) {
        // Best effort: the message went out; a failed clean-up must not count as a failed send.
        await replacePayload(db, m.id, clean).catch((error: unknown) =>
          logger.warn({ ...log, error: scrubError(error) }, 'outbox: could not blank payload'),
        );
      }
      if (outcome.status === 'sent') summary.sent += 1;
      else summary.skipped += 1;
      logger.debug({ ...log, status: outcome.status, note: outcome.note }, 'outbox: done');
    } catch (error) {
      if (error instanceof LostClaim) {
        summary.skipped += 1;
        logger.info(log, 'outbox: finished elsewhere (lease expired)');
        return;
      }
      const reason = scrubError(error);
      const dead = error instanceof PermanentError || m.attempts >= maxAttempts;
      const retryAt = dead
        ? now
        : new Date(now.getTime() + retryDelayMs(m.attempts, baseMs, maxMs, random));
      const released = await markOutboxFailed(db, claimOf(m), reason, retryAt, dead);
      if (!released) {
        summary.skipped += 1;
        logger.info(log, 'outbox: failed here, but the message was taken over (lease expired)');
        return;
      }
      if (dead) summary.dead += 1;
      else summary.retried += 1;
      logger.warn(
        { ...log, error: reason, dead, ...(dead ? {} : { retryAt: retryAt.toISOString() }) },
        dead ? 'outbox: dead-lettered' : 'outbox: delivery failed, will retry',
      );
    }
  }

  interface Counts {
    claimed: number;
    sent: number;
    skipped: number;
    retried: number;
    dead: number;
  }

  const claimOf = (m: OutboxMessage) => ({ id: m.id, workerId: deps.workerId });

  /**
   * Keep the claims of the messages still in hand alive: every `leaseMs / 3` their lease is
   * pushed one `leaseMs` past now. A failed renewal is only logged (the database may be away;
   * the claim then lapses and another worker sends again, at least once).
   */
  function renewWhileWorking(inHand: Set<string>): () => void {
    const timer = setInterval(
      () => {
        const until = new Date(clock.now().getTime() + leaseMs);
        void renewOutboxClaims(db, deps.workerId, [...inHand], until).catch((error: unknown) =>
          logger.warn(
            { workerId: deps.workerId, error: scrubError(error) },
            'outbox: renew failed',
          ),
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    timer.unref?.();
    return () => clearInterval(timer);
  }

  let lastPruneAt: number | undefined;
  const pruneEveryMs = config.retention?.everyMs ?? 3_600_000;

  /** Housekeeping once per `retention.everyMs` of the injected clock (first round included). */
  async function pruneIfDue(): Promise<void> {
    const now = clock.now();
    if (lastPruneAt !== undefined && now.getTime() - lastPruneAt < pruneEveryMs) return;
    lastPruneAt = now.getTime();
    try {
      const pruned = await pruneExpired(db, now, config.retention);
      if (Object.values(pruned).some((n) => n > 0)) {
        logger.info({ workerId: deps.workerId, ...pruned }, 'housekeeping: pruned');
      }
    } catch (error) {
      logger.warn({ workerId: deps.workerId, error: scrubError(error) }, 'housekeeping failed');
    }
  }

  const retentionMs = deps.config.retentionIntervalMs ?? 24 * 60 * MINUTE_MS;
  let lastRetention: number | undefined;

  /** Erase the patients past their clinic's retention period, at most once per interval. */
  async function retentionIfDue(): Promise<void> {
    const now = clock.now().getTime();
    if (lastRetention !== undefined && now - lastRetention < retentionMs) return;
    lastRetention = now;
    try {
      const report = await applyRetention({ db, clock }, `worker:${deps.workerId}`);
      logger.info(
        { workerId: deps.workerId, clinics: report.clinics, erased: report.erased },
        'retention: patients past their clinic retention period erased',
      );
    } catch (error) {
      // Never at the cost of delivery: an emergency e-mail waits for nothing (retried next time).
      lastRetention = undefined;
      logger.warn({ workerId: deps.workerId, error: scrubError(error) }, 'retention failed');
    }
  }

  async function runOnce(): Promise<RunSummary> {
    await pruneIfDue();
    await retentionIfDue();
    const messages = await claimDueOutbox(db, {
      now: clock.now(),
      workerId: deps.workerId,
      limit: batchSize,
      leaseMs,
    });
    const summary: Counts = { claimed: messages.length, sent: 0, skipped: 0, retried: 0, dead: 0 };
    if (messages.length === 0) return summary;
    const inHand = new Set(messages.map((m) => m.id));
    const stopRenewing = renewWhileWorking(inHand);
    try {
      for (const m of messages) {
        await processOne(m, summary);
        inHand.delete(m.id);
      }
    } finally {
      stopRenewing();
    }
    return summary;
  }

  let stopped = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<unknown> | undefined;

  function schedule(ms: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      const round = runOnce().then(
        (s) => (s.claimed >= batchSize ? 0 : pollMs),
        (error: unknown) => {
          logger.error(
            { workerId: deps.workerId, error: scrubError(error) },
            'outbox: round failed',
          );
          return pollMs;
        },
      );
      current = round;
      void round.then((next) => {
        current = undefined;
        schedule(next);
      });
    }, ms);
  }

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await current;
    },
  };
}

function keyBase(p: EscalationCheckPayload): string {
  return `escalation:${p.alertId}:${p.severity}:${p.step}`;
}
