/**
 * JSON Schemas shared by the route files. Route schemas validate input at the edge (Ajv,
 * unknown fields rejected, no type coercion) and document the API (OpenAPI 3.1); response
 * schemas also decide which fields are serialised, so nothing unlisted leaks out.
 */
import type { ErrorCode } from '../services/errors.ts';
import { ERROR_STATUS } from '../services/errors.ts';

// The shared pieces live with the services, so the pages validate against the same schemas.
export {
  idParams,
  instantSchema,
  nullableInstant,
  uuidSchema,
} from '../services/schemas/common.ts';

/** `{ 401: Problem, 404: Problem, … }` for the given error codes, by their status. */
interface ProblemResponse {
  readonly description: string;
  readonly content: {
    readonly 'application/problem+json': { readonly schema: { readonly $ref: string } };
  };
}

const PROBLEM_RESPONSE: ProblemResponse = {
  description: 'RFC 9457 problem',
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
};

export function problemResponses(...codes: readonly ErrorCode[]): Record<number, ProblemResponse> {
  const out: Record<number, ProblemResponse> = {};
  for (const code of ['validation_failed', ...codes] as const)
    out[ERROR_STATUS[code]] = PROBLEM_RESPONSE;
  return out;
}

/** Problems every authenticated route can answer. */
export const AUTHED_PROBLEMS = [
  'unauthenticated',
  'csrf_failed',
  'not_found',
] as const satisfies readonly ErrorCode[];
