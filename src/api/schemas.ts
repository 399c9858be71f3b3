/**
 * JSON Schemas shared by the route files. Route schemas validate input at the edge (Ajv,
 * unknown fields rejected, no type coercion) and document the API (OpenAPI 3.1); response
 * schemas also decide which fields are serialised, so nothing unlisted leaks out.
 */
import type { FastifyTypeProvider } from 'fastify';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { ErrorCode } from '../services/errors.ts';
import { ERROR_STATUS } from '../services/errors.ts';

// The shared pieces live with the services, so the pages validate against the same schemas.
import type { idParams } from '../services/schemas/common.ts';

export {
  idParams,
  instantSchema,
  nullableInstant,
  uuidSchema,
} from '../services/schemas/common.ts';

export type IdParams = FromSchema<typeof idParams>;

/**
 * `app.withTypeProvider<SchemaInputTypes>()`: a route's body, query and params types are
 * `FromSchema` of the schemas it declares, never written by hand. Replies are left untyped:
 * the response schema already decides at run time what is sent, and the store's records are
 * readonly where json-schema-to-ts would want mutable arrays.
 */
export interface SchemaInputTypes extends FastifyTypeProvider {
  validator: this['schema'] extends JSONSchema ? FromSchema<this['schema']> : unknown;
  serializer: unknown;
}

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
