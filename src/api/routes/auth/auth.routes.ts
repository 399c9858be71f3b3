import type { FastifyInstance } from 'fastify';
import { findClinic } from '../../../store/clinics.repository.ts';
import { deleteStaffSession, findStaffById } from '../../../store/staff.repository.ts';
import { withTransaction } from '../../../store/db.ts';
import { actorOf } from '../../audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { principalOf, sessionCookieName } from '../../auth/auth.plugin.ts';
import { signIn } from '../../auth/sign-in.ts';
import { AppError } from '../../../services/errors.ts';
import { PASSWORD_MAX_LENGTH } from '../../../services/passwords.ts';
import { AUTHED_PROBLEMS, instantSchema, problemResponses, uuidSchema } from '../../schemas.ts';

const signInBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX_LENGTH },
  },
} as const;

const meSchema = {
  type: 'object',
  required: ['user', 'clinic', 'authMethod'],
  properties: {
    user: {
      type: ['object', 'null'],
      properties: {
        id: uuidSchema,
        displayName: { type: 'string' },
        email: { type: 'string' },
        role: { type: 'string', enum: ['admin', 'practitioner'] },
      },
    },
    clinic: {
      type: 'object',
      properties: { id: uuidSchema, name: { type: 'string' }, timeZone: { type: 'string' } },
    },
    authMethod: { type: 'string', enum: ['session', 'api_token'] },
    csrfToken: {
      type: 'string',
      description: 'Send it as x-csrf-token on every unsafe request made with the cookie.',
    },
    expiresAt: instantSchema,
  },
} as const;

/** Sign in, sign out, who am I. */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const cookieName = sessionCookieName(deps.config.cookieSecure);

  app.post<{ Body: { email: string; password: string } }>(
    '/sign-in',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary:
          'Sign in with e-mail and password; sets the session cookie and returns the CSRF token',
        body: signInBody,
        response: { 200: meSchema, ...problemResponses('unauthenticated', 'too_many_requests') },
      },
    },
    async (request, reply) => {
      const result = await signIn(deps, request, request.body.email, request.body.password);
      const clinic = await findClinic(deps.db, result.user.clinicId);
      reply.setCookie(cookieName, result.sessionToken, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.config.cookieSecure,
        expires: result.expiresAt,
      });
      return {
        user: result.user,
        clinic: clinic ?? { id: result.user.clinicId },
        authMethod: 'session',
        csrfToken: result.csrfToken,
        expiresAt: result.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/sign-out',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['auth'],
        summary: 'End this session',
        response: { 204: { type: 'null' }, ...problemResponses(...AUTHED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind === 'staff') {
        await withTransaction(deps.db, async (trx) => {
          await deleteStaffSession(trx, principal.sessionHash);
          await recordAudit(trx, deps.clock, actorOf(request), {
            action: 'auth.sign_out',
            subjectType: 'staff_user',
            subjectId: principal.userId,
          });
        });
      }
      reply.clearCookie(cookieName, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.config.cookieSecure,
      });
      return reply.status(204).send();
    },
  );

  app.get(
    '/me',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['auth'],
        summary: 'The caller, their clinic and (for cookie sessions) the CSRF token',
        response: { 200: meSchema, ...problemResponses(...AUTHED_PROBLEMS) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const clinic = await findClinic(deps.db, principal.clinicId);
      if (clinic === undefined) throw new AppError('not_found', 'Your clinic no longer exists.');
      if (principal.kind === 'api_token') return { user: null, clinic, authMethod: 'api_token' };
      const user = await findStaffById(deps.db, principal.userId);
      return {
        user,
        clinic,
        authMethod: 'session',
        csrfToken: principal.csrfToken,
        expiresAt: principal.sessionExpiresAt,
      };
    },
  );
}
