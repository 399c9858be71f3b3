import type { FastifyInstance } from 'fastify';
import {
  changeOwnPassword,
  ownAccountPatchSchema,
  ownPasswordSchema,
  updateOwnAccount,
} from '../../../services/account.ts';
import { requestPasswordReset } from '../../../services/password-reset.ts';
import { signIn, signInSchema, signOut } from '../../../services/sign-in.ts';
import { readCaller } from '../../../services/staff.ts';
import { requestActor } from '../../audit.ts';
import { clearSessionCookie, principalOf, setSessionCookie } from '../../auth/auth.plugin.ts';
import {
  AUTHED_PROBLEMS,
  instantSchema,
  problemResponses,
  type SchemaInputTypes,
  uuidSchema,
} from '../../schemas.ts';

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
        language: {
          type: ['string', 'null'],
          description: 'Their own language; null: the clinic default.',
        },
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

const ownAccountSchema = {
  type: 'object',
  required: ['id', 'displayName', 'email', 'role', 'language'],
  properties: {
    id: uuidSchema,
    displayName: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'practitioner'] },
    language: { type: ['string', 'null'] },
  },
} as const;

/** Sign in, sign out, who am I, one's own account, forgot password. */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const typed = app.withTypeProvider<SchemaInputTypes>();

  typed.post(
    '/sign-in',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary:
          'Sign in with e-mail and password; sets the session cookie and returns the CSRF token',
        body: signInSchema,
        response: {
          200: meSchema,
          ...problemResponses('unauthenticated', 'too_many_requests', 'forbidden', 'conflict'),
        },
      },
    },
    async (request, reply) => {
      const result = await signIn(deps, requestActor(request), request.body);
      setSessionCookie(deps, reply, result);
      return {
        user: result.user,
        clinic: result.clinic ?? { id: result.user.clinicId },
        authMethod: 'session',
        csrfToken: result.csrfToken,
        expiresAt: result.expiresAt.toISOString(),
      };
    },
  );

  typed.post(
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
        await signOut(deps, requestActor(request), { sessionHash: principal.sessionHash });
      }
      clearSessionCookie(deps, reply);
      return reply.status(204).send();
    },
  );

  typed.get(
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
      const { clinic, user } = await readCaller(deps, requestActor(request));
      if (principal.kind === 'api_token') return { user: null, clinic, authMethod: 'api_token' };
      return {
        user,
        clinic,
        authMethod: 'session',
        csrfToken: principal.csrfToken,
        expiresAt: principal.sessionExpiresAt,
      };
    },
  );

  typed.patch(
    '/me',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['auth'],
        summary: 'Change your own name or language (a signed-in person, not an API token)',
        body: ownAccountPatchSchema,
        response: {
          200: ownAccountSchema,
          ...problemResponses(...AUTHED_PROBLEMS, 'forbidden'),
        },
      },
    },
    async (request) => {
      const user = await updateOwnAccount(deps, requestActor(request), request.body);
      return user;
    },
  );

  typed.post(
    '/me/password',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['auth'],
        summary:
          'Change your own password (current one required); your other sessions end, this one stays',
        body: ownPasswordSchema,
        response: {
          200: {
            type: 'object',
            required: ['otherSessionsEnded'],
            properties: { otherSessionsEnded: { type: 'integer' } },
          },
          ...problemResponses(...AUTHED_PROBLEMS, 'forbidden', 'too_many_requests'),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return changeOwnPassword(deps, requestActor(request), {
        ...request.body,
        keepSessionHash: principal.kind === 'staff' ? principal.sessionHash : null,
      });
    },
  );

  typed.post(
    '/forgot-password',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary:
          'Ask for a password-reset e-mail; 202 whether or not the address has an account (decision 1321)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email'],
          properties: { email: { type: 'string', format: 'email', maxLength: 254 } },
        },
        response: { 202: { type: 'null' }, ...problemResponses('too_many_requests') },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(deps, requestActor(request), request.body);
      return reply.status(202).send();
    },
  );
}
