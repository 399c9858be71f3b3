import type { FastifyInstance } from 'fastify';
import { durableWaitOf } from '../services/durability.ts';
import { AppError } from '../services/errors.ts';
import type { Db } from '../store/db.ts';
import { PROBLEM_CONTENT_TYPE, problemOf } from './errors.ts';

/**
 * No answer leaves before every commit made so far is on disk (decision 1484).
 *
 * On a SQLite handle that syncs its log off the thread (decision 1419), a commit is written at
 * once and fsynced a little later. This hook holds each answer, already built and serialized,
 * until the fsync that covers every commit before it has finished. So a service may hand back
 * what it wrote at the commit (`answersHeldUntilDurable`), and the answer is prepared while the
 * fsync runs; and a page that shows a commit is sent only once that commit is durable.
 * Elsewhere (PostgreSQL, a handle that syncs on the thread) nothing waits: a commit there
 * returns durable.
 *
 * If the fsync fails, nothing more is acknowledged: the answer is replaced with a 500
 * problem. An event stream already open is not an answer held here.
 */
export function holdAnswersUntilDurable(app: FastifyInstance, db: Db): void {
  const durable = durableWaitOf(db);
  if (durable === undefined) return;
  app.addHook('onSend', (request, reply, payload, done) => {
    const wait = durable();
    if (wait === undefined) {
      done(null, payload);
      return;
    }
    wait.then(
      () => done(null, payload),
      (error: unknown) => {
        request.log.error({ err: error }, 'answer withheld: the log is not durable');
        const failed = new AppError(
          'internal',
          'Something went wrong on our side. It has been logged.',
        );
        reply.code(failed.status).header('content-type', PROBLEM_CONTENT_TYPE);
        reply.removeHeader('content-length');
        done(null, JSON.stringify(problemOf(failed, request.id)));
      },
    );
  });
}
