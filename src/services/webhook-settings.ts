import { findClinic, updateClinicSettings } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { type Actor, requireAdmin } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { refuseOwnProblems, WEBHOOK_FORMATS, type WebhookFormat } from './job-settings.ts';

/**
 * A clinic's webhook endpoints (docs/webhooks.md): listed, added or changed, and removed by the
 * clinic's admins, through the API (`/api/v1/admin/webhooks`) and the dashboard's clinic page.
 * They live in the clinic's escalation settings (job-settings.ts owns the shape); the store
 * seals each secret, and nothing here ever returns one.
 */
export interface WebhookView {
  readonly id: string;
  readonly url: string;
  readonly format: WebhookFormat;
}

export const webhookViewSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    format: { type: 'string', enum: [...WEBHOOK_FORMATS] },
  },
} as const;

export const saveWebhookSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2000 },
    secret: {
      type: 'string',
      minLength: 16,
      maxLength: 200,
      description: 'HMAC-SHA256 key; required for a new endpoint, kept when omitted on a change',
    },
    format: {
      type: 'string',
      enum: [...WEBHOOK_FORMATS],
      description:
        '"native": the JSON event, ids only (default). "fhir": a FHIR R4 message Bundle of the alert with the patient’s data (https only)',
    },
  },
} as const;

export interface SaveWebhookInput {
  readonly id: string;
  readonly url: string;
  /** Required for a new endpoint; the stored one is kept when omitted. */
  readonly secret?: string;
  /** Default: the endpoint's current format, else `native`. */
  readonly format?: WebhookFormat;
}

const ENDPOINT_ID = /^[A-Za-z0-9_-]{1,40}$/;

function hooksOf(escalation: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  const raw = escalation.webhooks;
  return Array.isArray(raw)
    ? raw.filter((h): h is Record<string, unknown> => typeof h === 'object' && h !== null)
    : [];
}

function viewOf(hook: Record<string, unknown>): WebhookView {
  return {
    id: String(hook.id ?? ''),
    url: String(hook.url ?? ''),
    format: hook.format === 'fhir' ? 'fhir' : 'native',
  };
}

/** The clinic's endpoints, without their secrets (admins). */
export async function listWebhooks(deps: ServiceDeps, actor: Actor): Promise<WebhookView[]> {
  requireAdmin(actor);
  const clinic = await findClinic(deps.db, actor.clinicId);
  if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
  return hooksOf(clinic.escalation).map(viewOf);
}

/** `escalation.webhooks[2].url: …` → a field issue on `url` (the endpoint is the subject). */
function issuesOf(problems: readonly string[], index: number): FieldIssue[] {
  const prefix = `escalation.webhooks[${index}].`;
  return problems
    .filter((p) => p.startsWith(prefix))
    .map((p) => {
      const rest = p.slice(prefix.length);
      const colon = rest.indexOf(':');
      return { field: rest.slice(0, colon), message: rest.slice(colon + 1).trim() };
    });
}

/**
 * Add the endpoint `input.id`, or change it (URL, format, and the secret when given). Checked
 * as the worker will read it (validateJobSettings: URL, public host unless the operator allows
 * it, secret length, format; the FHIR form only over https). Audited without the secret.
 */
export async function saveWebhook(
  deps: ServiceDeps,
  actor: Actor,
  input: SaveWebhookInput,
): Promise<WebhookView> {
  requireAdmin(actor);
  if (!ENDPOINT_ID.test(input.id)) {
    throw new AppError('validation_failed', 'Invalid id', {
      errors: [{ field: 'id', message: '1–40 letters, digits, - or _' }],
    });
  }
  return withTransaction(deps.db, async (trx) => {
    const clinic = await findClinic(trx, actor.clinicId);
    if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
    const hooks = hooksOf(clinic.escalation);
    const index = hooks.findIndex((h) => h.id === input.id);
    const current = index === -1 ? undefined : hooks[index];
    const secret = input.secret ?? (typeof current?.secret === 'string' ? current.secret : '');
    if (secret === '') {
      throw new AppError('validation_failed', 'Invalid secret', {
        errors: [
          { field: 'secret', message: 'required for a new endpoint (at least 16 characters)' },
        ],
      });
    }
    const hook = {
      id: input.id,
      url: input.url.trim(),
      secret,
      format: input.format ?? (current?.format === 'fhir' ? 'fhir' : 'native'),
    };
    const next = index === -1 ? [...hooks, hook] : hooks.map((h, i) => (i === index ? hook : h));
    const escalation = { ...clinic.escalation, webhooks: next };
    const at = index === -1 ? next.length - 1 : index;
    refuseOwnProblems(escalation, deps.config.keys.webhookAllowHosts, (problems) =>
      issuesOf(problems, at),
    );
    await updateClinicSettings(trx, actor.clinicId, { escalation });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: index === -1 ? 'clinic.webhook.add' : 'clinic.webhook.update',
      subjectType: 'clinic',
      subjectId: actor.clinicId,
      details: {
        webhookId: hook.id,
        format: hook.format,
        secretChanged: input.secret !== undefined,
      },
    });
    return viewOf(hook);
  });
}

/** Remove an endpoint (404 when the clinic has none by that id); queued deliveries are skipped. */
export async function deleteWebhook(deps: ServiceDeps, actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await withTransaction(deps.db, async (trx) => {
    const clinic = await findClinic(trx, actor.clinicId);
    if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
    const hooks = hooksOf(clinic.escalation);
    if (!hooks.some((h) => h.id === id)) throw new AppError('not_found', 'No such webhook.');
    await updateClinicSettings(trx, actor.clinicId, {
      escalation: { ...clinic.escalation, webhooks: hooks.filter((h) => h.id !== id) },
    });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'clinic.webhook.delete',
      subjectType: 'clinic',
      subjectId: actor.clinicId,
      details: { webhookId: id },
    });
  });
}
