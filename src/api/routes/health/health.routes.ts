import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { AppError } from '../../../services/errors.ts';

const statusSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' } },
} as const;

/** Liveness (the process answers) and readiness (the database answers). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { tags: ['health'], response: { 200: statusSchema } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { config: { access: 'public' }, schema: { tags: ['health'], response: { 200: statusSchema } } },
    async (request) => {
      try {
        // A ping is the one query the API runs itself: it checks the connection, no table.
        await sql`select 1`.execute(app.deps.db);
      } catch (error) {
        request.log.error({ err: error }, 'database not ready');
        throw new AppError('unavailable', 'The database is not reachable.', { retryAfter: 5 });
      }
      return { status: 'ok' };
    },
  );
}
