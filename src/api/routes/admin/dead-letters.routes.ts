import type { FastifyInstance } from 'fastify';
import {
  DEAD_LETTER_LIST_MAX,
  listDeadLetters,
  requeueAllDeadLetters,
  requeueDeadLetter,
} from '../../../services/dead-letters.ts';
import { requestActor } from '../../audit.ts';
import {
  AUTHED_PROBLEMS,
  idParams,
  instantSchema,
  problemResponses,
  uuidSchema,
} from '../../schemas.ts';

const ADMIN_PROBLEMS = [...AUTHED_PROBLEMS, 'forbidden'] as const;

const deadLetterSchema = {
  type: 'object',
  required: ['id', 'kind', 'dedupeKey', 'attempts', 'lastError', 'lastAttemptAt', 'createdAt'],
  properties: {
    id: uuidSchema,
    kind: { type: 'string', description: 'What it was: reminder.email, alert.webhook, …' },
    dedupeKey: { type: 'string' },
    attempts: { type: 'integer' },
    lastError: {
      type: ['string', 'null'],
      description: 'Why the last attempt failed (addresses and phone numbers scrubbed)',
    },
    lastAttemptAt: instantSchema,
    createdAt: instantSchema,
  },
} as const;

const requeuedSchema = {
  type: 'object',
  required: ['requeued'],
  properties: { requeued: { type: 'array', items: uuidSchema } },
} as const;

/**
 * Dead letters (outbox messages that gave up), for the clinic's admins: list, requeue one,
 * requeue all. Parse → src/services/dead-letters.ts → JSON.
 */
export async function deadLetterRoutes(app: FastifyInstance): Promise<void> {
  const admin = { access: 'admin' } as const;

  app.get<{ Querystring: { limit?: number } }>(
    '/dead-letters',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Dead letters: messages that gave up after their attempts, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: DEAD_LETTER_LIST_MAX } },
        },
        response: {
          200: {
            type: 'object',
            required: ['total', 'items'],
            properties: {
              total: { type: 'integer' },
              items: { type: 'array', items: deadLetterSchema },
            },
          },
          ...problemResponses(...ADMIN_PROBLEMS),
        },
      },
    },
    async (request) =>
      listDeadLetters(app.deps, requestActor(request), { limit: request.query.limit }),
  );

  app.post(
    '/dead-letters/requeue',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Requeue every dead letter of the clinic (fresh attempts, due now)',
        response: { 200: requeuedSchema, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request) => requeueAllDeadLetters(app.deps, requestActor(request)),
  );

  app.post<{ Params: { id: string } }>(
    '/dead-letters/:id/requeue',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Requeue one dead letter (fresh attempts, due now)',
        params: idParams,
        response: { 200: requeuedSchema, ...problemResponses(...ADMIN_PROBLEMS) },
      },
    },
    async (request) =>
      requeueDeadLetter(app.deps, requestActor(request), { id: request.params.id }),
  );
}
