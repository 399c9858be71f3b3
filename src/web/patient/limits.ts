/**
 * The patient pages' POST limits (issue 12, finding 7; src/services/patient-limits.ts): per
 * link and per IP; a 429 page with Retry-After past them. The emergency button and a check-in
 * ticking a red-flag symptom pass under a much higher ceiling, and are logged when past the
 * ordinary one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../services/errors.ts';
import { createPatientLimits, ticksRedFlag } from '../../services/patient-limits.ts';

export function registerPatientLimits(app: FastifyInstance): void {
  const limits = createPatientLimits(app.deps.clock);
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.method !== 'POST') return;
    const token = (request.params as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string') return;
    const path = request.routeOptions.url ?? '';
    const body = (request.body ?? {}) as Record<string, unknown>;
    const safety =
      path.endsWith('/emergency') ||
      (path.endsWith('/check-in') && ticksRedFlag(body.symptoms ?? body['symptoms[]']));
    const outcome = limits.hit({ token, ip: request.ip, safety });
    if (outcome.overOrdinaryLimit)
      request.log.warn({ route: path }, 'patient link: safety request past the ordinary limit');
    if (!outcome.allowed) {
      request.log.warn({ route: path, safety }, 'patient link: too many requests');
      throw new AppError(
        'too_many_requests',
        'Too many requests from this link. Wait and try again.',
        {
          retryAfter: outcome.retryAfterSeconds,
        },
      );
    }
  });
}
