import type { FastifyInstance } from 'fastify';
import {
  createApiToken,
  listClinicApiTokens,
  newApiTokenSchema,
  revokeClinicApiToken,
} from '../../../services/api-tokens.ts';
import {
  clinicSchema,
  clinicSettingsPatchSchema,
  readClinic,
  updateClinic,
} from '../../../services/clinic-settings.ts';
import {
  escalationPatchSchema,
  escalationViewSchema,
  readEscalationSettings,
  updateEscalationSettings,
} from '../../../services/escalation-settings.ts';
import {
  changeStaffRole,
  createStaff,
  deactivateStaff,
  listClinicStaff,
  newStaffSchema,
  staffRoleSchema,
  unlockStaff,
} from '../../../services/staff.ts';
import {
  deleteWebhook,
  listWebhooks,
  saveWebhook,
  saveWebhookSchema,
  webhookViewSchema,
} from '../../../services/webhook-settings.ts';
import { requestActor } from '../../audit.ts';
import {
  AUTHED_PROBLEMS,
  idParams,
  instantSchema,
  nullableInstant,
  problemResponses,
  type SchemaInputTypes,
  uuidSchema,
} from '../../schemas.ts';

const ADMIN_PROBLEMS = [...AUTHED_PROBLEMS, 'forbidden'] as const;

const staffSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    email: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'practitioner'] },
    active: { type: 'boolean' },
    lockedUntil: nullableInstant,
    createdAt: instantSchema,
  },
} as const;

const tokenSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    name: { type: 'string' },
    createdAt: instantSchema,
    createdBy: { type: ['string', 'null'], format: 'uuid' },
    createdByName: {
      type: ['string', 'null'],
      description: 'Display name of the admin who made it (null: made by a command or removed)',
    },
    expiresAt: { ...nullableInstant, description: 'After this instant the token answers 401' },
    lastUsedAt: nullableInstant,
    revokedAt: nullableInstant,
  },
} as const;

/** Clinic settings, practitioners and API tokens: clinic admins only (`access: 'admin'`). */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const typed = app.withTypeProvider<SchemaInputTypes>();
  const admin = { access: 'admin' } as const;

  typed.get(
    '/clinic',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Clinic settings',
        response: { 200: clinicSchema, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request) => readClinic(deps, requestActor(request)),
  );

  typed.patch(
    '/clinic',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Change clinic settings (only the fields sent)',
        body: clinicSettingsPatchSchema,
        response: { 200: clinicSchema, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request) => updateClinic(deps, requestActor(request), request.body),
  );

  typed.get(
    '/escalation',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Escalation settings: who is told when an alert waits, and when',
        response: { 200: escalationViewSchema, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request) => readEscalationSettings(deps, requestActor(request)),
  );

  typed.patch(
    '/escalation',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary:
          'Change escalation settings (only the fields sent; webhooks have their own routes)',
        body: escalationPatchSchema,
        response: { 200: escalationViewSchema, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request) => updateEscalationSettings(deps, requestActor(request), request.body),
  );

  typed.get(
    '/staff',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Practitioners and admins of the clinic',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: staffSchema } } },
          ...problemResponses(...ADMIN_PROBLEMS),
        },
      },
    },
    async (request) => ({ items: await listClinicStaff(deps, requestActor(request)) }),
  );

  typed.post(
    '/staff',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Invite a practitioner (or admin): a set-password link goes to their e-mail',
        body: newStaffSchema,
        response: { 201: staffSchema, ...problemResponses(...ADMIN_PROBLEMS, 'conflict') },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createStaff(deps, requestActor(request), request.body)),
  );

  typed.post(
    '/staff/:id/deactivate',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary:
          "Deactivate a staff user, end their sessions and revoke their API tokens; never the clinic's last active admin (409)",
        params: idParams,
        response: { 200: staffSchema, ...problemResponses(...ADMIN_PROBLEMS, 'conflict') },
      },
    },
    async (request) => deactivateStaff(deps, requestActor(request), { userId: request.params.id }),
  );

  typed.post(
    '/staff/:id/role',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary:
          "Make a staff user an admin or a practitioner (at once, from their next request); the clinic's last active admin cannot be demoted (409)",
        params: idParams,
        body: staffRoleSchema,
        response: { 200: staffSchema, ...problemResponses(...ADMIN_PROBLEMS, 'conflict') },
      },
    },
    async (request) =>
      changeStaffRole(deps, requestActor(request), {
        userId: request.params.id,
        role: request.body.role,
      }),
  );

  typed.post(
    '/staff/:id/unlock',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Lift a sign-in lock-out',
        params: idParams,
        response: { 204: { type: 'null' }, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request, reply) => {
      await unlockStaff(deps, requestActor(request), { userId: request.params.id });
      return reply.status(204).send();
    },
  );

  typed.get(
    '/api-tokens',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'API tokens of the clinic (never the secrets)',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: tokenSchema } } },
          ...problemResponses(...ADMIN_PROBLEMS),
        },
      },
    },
    async (request) => ({ items: await listClinicApiTokens(deps, requestActor(request)) }),
  );

  typed.post(
    '/api-tokens',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Create an API token; the secret is in this response only',
        body: newApiTokenSchema,
        response: {
          201: {
            ...tokenSchema,
            properties: { ...tokenSchema.properties, token: { type: 'string' } },
          },
          ...problemResponses(...ADMIN_PROBLEMS),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createApiToken(deps, requestActor(request), request.body)),
  );

  typed.post(
    '/api-tokens/:id/revoke',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API token',
        params: idParams,
        response: { 204: { type: 'null' }, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request, reply) => {
      await revokeClinicApiToken(deps, requestActor(request), { tokenId: request.params.id });
      return reply.status(204).send();
    },
  );

  const webhookParams = {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' } },
  } as const;

  typed.get(
    '/webhooks',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Webhook endpoints of the clinic (never the secrets)',
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: webhookViewSchema } },
          },
          ...problemResponses(...ADMIN_PROBLEMS),
        },
      },
    },
    async (request) => ({ items: await listWebhooks(deps, requestActor(request)) }),
  );

  typed.put(
    '/webhooks/:id',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary:
          'Add or change a webhook endpoint: URL, secret, and format (native JSON or a FHIR R4 Bundle)',
        params: webhookParams,
        body: saveWebhookSchema,
        response: { 200: webhookViewSchema, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request) =>
      saveWebhook(deps, requestActor(request), { id: request.params.id, ...request.body }),
  );

  typed.delete(
    '/webhooks/:id',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Remove a webhook endpoint',
        params: webhookParams,
        response: { 204: { type: 'null' }, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request, reply) => {
      await deleteWebhook(deps, requestActor(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
