/**
 * The limits on patient-link POSTs (issue 12, finding 7; decisions 1112 and 1121), for both
 * doors that take them: the patient pages (`/p/:token/…`) and the JSON API
 * (`/api/v1/p/:token/…`). Both use the one `PatientLimits` that `buildApp` creates, so a link or
 * an address is counted once whichever door it uses. Per link and per IP; past them a 429 with
 * `Retry-After` (each door answers in its own shape). The emergency button and a check-in that
 * ticks a red-flag symptom pass under a ceiling ten times higher and are logged when past the
 * ordinary limit.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../services/errors.ts';
import { ticksRedFlag } from '../services/patient-limits.ts';

/** Whether a request is one a patient in trouble sends: never held to the ordinary limit. */
function isSafetyRequest(request: FastifyRequest, route: string): boolean {
  if (route.endsWith('/emergency')) return true;
  if (!route.endsWith('/check-in') && !route.endsWith('/check-ins')) return false;
  // Any field, under any spelling (`symptoms`, `symptoms[]`, …): a red flag anywhere counts,
  // alone or in a list.
  const body = request.body;
  if (typeof body !== 'object' || body === null) return false;
  for (const value of Object.values(body as Record<string, unknown>)) {
    if (ticksRedFlag(value)) return true;
  }
  return false;
}

/**
 * Count every POST of this scope that names a patient-link token. Runs after the body is parsed
 * and before it is validated, so a flood of bad bodies is counted too.
 */
export function usePatientLinkLimits(app: FastifyInstance): void {
  const limits = app.patientLimits;
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (request.method !== 'POST') return;
    const token = (request.params as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string') return;
    // Read once: Fastify builds a new object on every read of `routeOptions` (decision 1448).
    const route = request.routeOptions.url ?? '';
    const safety = isSafetyRequest(request, route);
    const outcome = limits.hit({ token, ip: request.ip, safety });
    if (outcome.overOrdinaryLimit)
      request.log.warn({ route }, 'patient link: safety request past the ordinary limit');
    if (!outcome.allowed) {
      request.log.warn({ route, safety }, 'patient link: too many requests');
      throw new AppError(
        'too_many_requests',
        'Too many requests from this link. Wait and try again.',
        { retryAfter: outcome.retryAfterSeconds },
      );
    }
  });
}
