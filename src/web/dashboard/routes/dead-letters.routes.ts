import type { FastifyInstance } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import {
  listDeadLetters,
  listFailingDeliveries,
  requeueAllDeadLetters,
  requeueDeadLetter,
} from '../../../services/dead-letters.ts';
import { AppError } from '../../../services/errors.ts';
import { sendPage, staffOf } from '../context.ts';
import { deadLettersPage } from '../pages/dead-letters.page.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Admins: messages that gave up, and sending them again. Parse → service → page. */
export async function dashboardDeadLetterRoutes(app: FastifyInstance): Promise<void> {
  const admin = { access: 'public', dashboard: 'admin' } as const;

  app.get<{ Querystring: { requeued?: string } }>(
    '/dead-letters',
    { config: admin },
    async (request, reply) => {
      const { clinic, page } = staffOf(request);
      const list = await listDeadLetters(app.deps, requestActor(request), { limit: 200 });
      const failing = await listFailingDeliveries(app.deps, requestActor(request), { limit: 200 });
      const requeued = Number(request.query.requeued);
      return sendPage(
        reply,
        200,
        deadLettersPage(page, {
          ...list,
          failing,
          timeZone: clinic.timeZone,
          requeued: Number.isSafeInteger(requeued) && requeued >= 0 ? requeued : undefined,
        }),
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/dead-letters/:id/requeue',
    { config: admin },
    async (request, reply) => {
      const id = request.params.id;
      if (!UUID.test(id)) return reply.redirect('/app/dead-letters', 303);
      try {
        const { requeued } = await requeueDeadLetter(app.deps, requestActor(request), { id });
        return reply.redirect(`/app/dead-letters?requeued=${requeued.length}`, 303);
      } catch (error) {
        // Requeued already (another admin, another tab): nothing to do.
        if (error instanceof AppError && error.code === 'not_found')
          return reply.redirect('/app/dead-letters?requeued=0', 303);
        throw error;
      }
    },
  );

  app.post('/dead-letters/requeue', { config: admin }, async (request, reply) => {
    const { requeued } = await requeueAllDeadLetters(app.deps, requestActor(request));
    return reply.redirect(`/app/dead-letters?requeued=${requeued.length}`, 303);
  });
}
