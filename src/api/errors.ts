import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_STATUS, type ErrorCode, type FieldIssue } from '../services/errors.ts';
import { isDatabaseUnavailable } from '../store/db-errors.ts';

/** Seconds a client is told to wait when the database is away (decision 0800). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Human titles of the problem types, one per error code. */

const TITLES: Readonly<Record<ErrorCode, string>> = {
  bad_request: 'Bad request',
  validation_failed: 'The request has invalid fields',
  unauthenticated: 'Sign-in required',
  csrf_failed: 'Missing or wrong CSRF token',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  link_gone: 'This link is no longer valid',
  conflict: 'Conflict with the current state',
  payload_too_large: 'Request body too large',
  uri_too_long: 'Address too long',
  unsupported_media_type: 'Unsupported content type',
  idempotency_key_reused: 'Idempotency key reused with a different request',
  too_many_requests: 'Too many requests',
  internal: 'Internal server error',
  unavailable: 'Service unavailable',
};

/** RFC 9457 body. `type` is a stable URI per code; `instance` is the request id. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly instance: string;
  readonly errors: readonly FieldIssue[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemOf(error: AppError, requestId: string): Problem {
  return {
    type: `https://needlecare.dev/problems/${error.code.replaceAll('_', '-')}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.detail,
    code: error.code,
    instance: `urn:needlecare:request:${requestId}`,
    errors: error.errors,
  };
}

/** JSON Schema of the problem body, for the OpenAPI document. */
export const problemJsonSchema = {
  $id: 'Problem',
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'errors'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

interface AjvIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** `/sites/1/muscle` → `sites[1].muscle`, in the same notation as the clinical validators. */
export function jsonPointerToField(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce(
      (path, part) =>
        /^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`,
      '',
    );
}

function join(base: string, key: string): string {
  if (key === '') return base;
  return base === '' ? key : `${base}.${key}`;
}

/** Turn Ajv's issues into field issues that name the field. */
export function fieldIssuesFromAjv(issues: readonly AjvIssue[], part: string): FieldIssue[] {
  const prefix = part === 'body' ? '' : part;
  return issues.map((issue) => {
    const base = join(prefix, jsonPointerToField(issue.instancePath));
    const { params } = issue;
    if (issue.keyword === 'required' && typeof params.missingProperty === 'string') {
      return { field: join(base, params.missingProperty), message: 'is required' };
    }
    if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      return { field: join(base, params.additionalProperty), message: 'unknown field' };
    }
    if (issue.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      return { field: base || part, message: `must be one of ${params.allowedValues.join(', ')}` };
    }
    return { field: base || part, message: issue.message ?? 'is invalid' };
  });
}

/** Map a Fastify (or unknown) error to an AppError; 5xx keeps no detail of its own. */
export function toAppError(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error;
  const fe = error as Partial<FastifyError> & {
    validation?: readonly AjvIssue[];
    validationContext?: string;
  };
  if (Array.isArray(fe.validation)) {
    const errors = fieldIssuesFromAjv(fe.validation, fe.validationContext ?? 'body');
    return new AppError('validation_failed', `Invalid ${errors.map((e) => e.field).join(', ')}`, {
      errors,
    });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(
        'payload_too_large',
        'The request body is larger than this server accepts.',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('bad_request', 'The request body is not valid JSON.', {
        errors: [{ field: '(body)', message: 'must be a JSON document' }],
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_BAD_URL':
      return new AppError('bad_request', 'The request is malformed.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('uri_too_long', 'The address is longer than this server accepts.');
    default:
      break;
  }
  if (isDatabaseUnavailable(error)) {
    return new AppError('unavailable', 'The service is briefly unavailable. Please try again.', {
      retryAfter: DATABASE_RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 404) return new AppError('not_found', 'Nothing here.');
  if (status === 413) return new AppError('payload_too_large', 'The request body is too large.');
  if (status === 414)
    return new AppError('uri_too_long', 'The address is longer than this server accepts.');
  if (status === 415) return new AppError('unsupported_media_type', 'Unsupported content type.');
  if (status === 429) return new AppError('too_many_requests', 'Too many requests.');
  if (status >= 400 && status < 500)
    return new AppError('bad_request', 'The request is malformed.');
  return new AppError('internal', 'Something went wrong on our side. It has been logged.', {
    cause: error,
  });
}

export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  return reply
    .status(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemOf(error, reply.request.id));
}

/**
 * An HTML door's error page for the errors the app's handler answers under its path (errors
 * Fastify raises before a route runs, or that the door's own handler passes on). Registered by
 * the door with `useErrorPage`; everything else answers problem+json.
 */
export interface ErrorPage {
  /** Path prefix the page answers for, e.g. `/p/`. */
  readonly prefix: string;
  send(request: FastifyRequest, reply: FastifyReply, error: AppError): Promise<unknown> | unknown;
}

const ERROR_PAGES = Symbol('needlecare.errorPages');
type WithErrorPages = FastifyInstance & { [ERROR_PAGES]?: ErrorPage[] };

/** Let a door answer errors under its path with its own HTML page (issue 12, finding 5). */
export function useErrorPage(app: FastifyInstance, page: ErrorPage): void {
  const pages = (app as WithErrorPages)[ERROR_PAGES];
  if (pages === undefined) throw new Error('useErrorPage before registerErrorHandling');
  pages.push(page);
}

/** The path of a raw URL, without query; never trusted beyond a prefix match. */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The whole app's error and not-found handling, also for the errors Fastify raises before any
 * route (bad URL encoding, 414: `frameworkErrors`). 5xx are logged with their stack and answered
 * without detail; 4xx are not logged as errors (bad input is not a server fault). No answer
 * echoes the URL: it may carry a patient-link token.
 */
export function registerErrorHandling(app: FastifyInstance): {
  readonly frameworkErrors: (
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => unknown;
} {
  const pages: ErrorPage[] = [];
  Object.defineProperty(app, ERROR_PAGES, { value: pages });
  const answer = (request: FastifyRequest, reply: FastifyReply, appError: AppError) => {
    const path = pathOf(request.url);
    const page = pages.find((p) => path.startsWith(p.prefix));
    if (page !== undefined) {
      if (appError.retryAfter !== undefined)
        reply.header('retry-after', String(appError.retryAfter));
      return page.send(request, reply, appError);
    }
    return sendProblem(reply, appError);
  };
  const onError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.code === 'unavailable') {
      request.log.warn({ err: error }, 'database unavailable');
    } else if (appError.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else if (appError.code === 'forbidden' || appError.code === 'csrf_failed') {
      request.log.warn({ code: appError.code }, 'access denied');
    }
    return answer(request, reply, appError);
  };
  app.addSchema(problemJsonSchema);
  app.setErrorHandler(onError);
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    answer(request, reply, new AppError('not_found', 'No such resource.')),
  );
  return {
    frameworkErrors: (error, request, reply) => {
      request.log.info({ code: error.code }, 'malformed request');
      return answer(request, reply, toAppError(error));
    },
  };
}
