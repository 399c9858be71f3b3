import type { FastifyInstance } from 'fastify';
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
}
