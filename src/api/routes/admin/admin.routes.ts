import type { FastifyInstance } from 'fastify';
import {
  insertApiToken,
  listApiTokens,
  revokeApiToken,
} from '../../../store/api-tokens.repository.ts';
import { findClinic, updateClinicSettings } from '../../../store/clinics.repository.ts';
import { withTransaction } from '../../../store/db.ts';
import {
  deleteStaffSessionsForUser,
  findStaffByEmail,
  insertStaffUser,
  listStaff,
  resetFailedLogins,
  type StaffRole,
  updateStaffUser,
} from '../../../store/staff.repository.ts';
import { actorOf } from '../../audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { staffOf } from '../../auth/auth.plugin.ts';
import { AppError } from '../../../services/errors.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../../services/passwords.ts';
import {
  AUTHED_PROBLEMS,
  idParams,
  instantSchema,
  nullableInstant,
  problemResponses,
  uuidSchema,
} from '../../schemas.ts';
import { newApiToken, sha256Hex } from '../../../services/secrets.ts';
import {
  type ClinicSettingsBody,
  checkSettings,
  clinicSchema,
  clinicSettingsPatchSchema,
} from './clinic-settings.ts';

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

const newStaffBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'displayName', 'password'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    role: { type: 'string', enum: ['admin', 'practitioner'], default: 'practitioner' },
    password: { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
  },
} as const;

const tokenSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    name: { type: 'string' },
    createdAt: instantSchema,
    lastUsedAt: nullableInstant,
    revokedAt: nullableInstant,
  },
} as const;

/** Clinic settings, practitioners and API tokens: clinic admins only (`access: 'admin'`). */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock, passwords } = app.deps;
  const admin = { access: 'admin' } as const;

  app.get(
    '/clinic',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Clinic settings',
        response: { 200: clinicSchema, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request) => {
      const clinic = await findClinic(db, staffOf(request).clinicId);
      if (clinic === undefined) throw new AppError('not_found', 'No such clinic.');
      return clinic;
    },
  );

  app.patch<{ Body: ClinicSettingsBody }>(
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
    async (request) => {
      const { clinicId } = staffOf(request);
      return withTransaction(db, async (trx) => {
        const current = await findClinic(trx, clinicId);
        if (current === undefined) throw new AppError('not_found', 'No such clinic.');
        const updated = await updateClinicSettings(
          trx,
          clinicId,
          checkSettings(current, request.body),
        );
        await recordAudit(trx, clock, actorOf(request), {
          action: 'clinic.settings.update',
          subjectType: 'clinic',
          subjectId: clinicId,
          details: { fields: Object.keys(request.body) },
        });
        return updated;
      });
    },
  );

  app.get(
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
    async (request) => ({ items: await listStaff(db, staffOf(request).clinicId) }),
  );

  app.post<{ Body: { email: string; displayName: string; role: StaffRole; password: string } }>(
    '/staff',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Add a practitioner (or admin) with an initial password',
        body: newStaffBody,
        response: { 201: staffSchema, ...problemResponses(...ADMIN_PROBLEMS, 'conflict') },
      },
    },
    async (request, reply) => {
      const { clinicId } = staffOf(request);
      const { email, displayName, role, password } = request.body;
      if ((await findStaffByEmail(db, email)) !== undefined) {
        throw new AppError('conflict', 'This e-mail address is already in use.', {
          errors: [{ field: 'email', message: 'already in use' }],
        });
      }
      const passwordHash = await passwords.hash(password);
      const user = await withTransaction(db, async (trx) => {
        const created = await insertStaffUser(trx, {
          clinicId,
          email,
          displayName,
          role,
          passwordHash,
          createdAt: clock.now(),
        });
        await recordAudit(trx, clock, actorOf(request), {
          action: 'staff.create',
          subjectType: 'staff_user',
          subjectId: created.id,
          details: { role },
        });
        return created;
      });
      return reply.status(201).send(user);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/staff/:id/deactivate',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Deactivate a staff user and end their sessions',
        params: idParams,
        response: { 200: staffSchema, ...problemResponses(...ADMIN_PROBLEMS, 'conflict') },
      },
    },
    async (request) => {
      const me = staffOf(request);
      if (request.params.id === me.userId)
        throw new AppError('conflict', 'You cannot deactivate yourself.');
      return withTransaction(db, async (trx) => {
        const user = await updateStaffUser(trx, me.clinicId, request.params.id, { active: false });
        if (user === undefined) throw new AppError('not_found', 'No such staff user.');
        await deleteStaffSessionsForUser(trx, user.id);
        await recordAudit(trx, clock, actorOf(request), {
          action: 'staff.deactivate',
          subjectType: 'staff_user',
          subjectId: user.id,
        });
        return user;
      });
    },
  );

  app.post<{ Params: { id: string } }>(
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
      const me = staffOf(request);
      await withTransaction(db, async (trx) => {
        const user = await updateStaffUser(trx, me.clinicId, request.params.id, {});
        if (user === undefined) throw new AppError('not_found', 'No such staff user.');
        await resetFailedLogins(trx, user.id);
        await recordAudit(trx, clock, actorOf(request), {
          action: 'staff.unlock',
          subjectType: 'staff_user',
          subjectId: user.id,
        });
      });
      return reply.status(204).send();
    },
  );

  app.get(
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
    async (request) => ({ items: await listApiTokens(db, staffOf(request).clinicId) }),
  );

  app.post<{ Body: { name: string } }>(
    '/api-tokens',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Create an API token; the secret is in this response only',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: {
          201: {
            ...tokenSchema,
            properties: { ...tokenSchema.properties, token: { type: 'string' } },
          },
          ...problemResponses(...ADMIN_PROBLEMS),
        },
      },
    },
    async (request, reply) => {
      const me = staffOf(request);
      const token = newApiToken();
      const created = await withTransaction(db, async (trx) => {
        const row = await insertApiToken(trx, {
          clinicId: me.clinicId,
          name: request.body.name,
          tokenHash: sha256Hex(token),
          createdBy: me.userId,
          createdAt: clock.now(),
        });
        await recordAudit(trx, clock, actorOf(request), {
          action: 'api_token.create',
          subjectType: 'api_token',
          subjectId: row.id,
        });
        return row;
      });
      return reply.status(201).send({ ...created, token });
    },
  );

  app.post<{ Params: { id: string } }>(
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
      const me = staffOf(request);
      await withTransaction(db, async (trx) => {
        if (!(await revokeApiToken(trx, me.clinicId, request.params.id, clock.now()))) {
          throw new AppError('not_found', 'No such active API token.');
        }
        await recordAudit(trx, clock, actorOf(request), {
          action: 'api_token.revoke',
          subjectType: 'api_token',
          subjectId: request.params.id,
        });
      });
      return reply.status(204).send();
    },
  );
}
