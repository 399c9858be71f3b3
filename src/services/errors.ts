/**
 * The one error type of the application (docs/decisions/0200-errors-as-problem-details.md).
 * A service throws `AppError` with a typed code; each door maps the code to its own answer
 * (the API's problem+json handler in src/api/errors.ts, the pages' HTML error page, the CLI's
 * exit code). Errors are recognised by their code, never by their message.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  csrf_failed: 403,
  forbidden: 403,
  not_found: 404,
  link_gone: 410,
  conflict: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One field-level problem: `field` is a dotted path such as `sites[1].muscle`. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly errors?: readonly FieldIssue[];
  /** Seconds, sent as `Retry-After` (429, 503). */
  readonly retryAfter?: number;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly errors: readonly FieldIssue[];
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.detail = detail;
    this.errors = options.errors ?? [];
    this.retryAfter = options.retryAfter;
  }
}
