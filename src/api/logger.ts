import type { FastifyBaseLogger } from 'fastify';
import {
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type Logger,
  pino,
} from 'pino';
import type { LogLevel } from '../config/env.ts';

/**
 * The app's pino logger. Request logs carry method, route pattern (never the URL: patient-link
 * tokens travel in paths), status, timing and request id — never bodies, headers, tokens,
 * names or e-mails. Redaction is a second line of defence for anything logged by mistake.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.email',
  '*.displayName',
  '*.phone',
  '*.note',
  'body',
  '*.body',
];

/**
 * Errors are logged as type, code, message and stack only. Driver errors carry more enumerable
 * fields (PostgreSQL's `detail` names the conflicting value, e.g. an e-mail); those are dropped.
 */
export function serializeError(value: unknown): Record<string, unknown> {
  if (!(value instanceof Error)) return { message: String(value) };
  const code = (value as { code?: unknown }).code;
  return {
    type: value.name,
    message: value.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: value.stack,
  };
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    serializers: { err: serializeError, error: serializeError },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    base: { service: 'needlecare' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

const { chindingsSym } = pino.symbols;
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Fastify's `childLoggerFactory`: each request's logger, bound to its id (decision 1486).
 *
 * pino's `child()` runs every binding through the serializers and the redaction, and builds the
 * child's formatters again: about a microsecond, on every request, logged or not. The id here
 * is one `buildApp` made (`randomUUID()`: hex digits and dashes), which needs neither, so the
 * child is the parent with `"reqId":"…"` added to the bindings text pino keeps for it, as
 * `child()` would have added it. A binding of any other shape, a route's own level or
 * serializers, or a logger that is not pino go through `child()`.
 */
export function requestLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  const parent = logger as FastifyBaseLogger & { [chindingsSym]?: unknown };
  const id = (bindings as { reqId?: unknown }).reqId;
  const text = parent[chindingsSym];
  if (
    options.level !== undefined ||
    options.serializers !== undefined ||
    typeof text !== 'string' ||
    typeof id !== 'string' ||
    !REQUEST_ID.test(id) ||
    !onlyRequestId(bindings)
  ) {
    return logger.child(bindings, options);
  }
  const child = Object.create(parent) as typeof parent;
  child[chindingsSym] = `${text},"reqId":"${id}"`;
  return child;
}

function onlyRequestId(bindings: object): boolean {
  for (const key in bindings) if (key !== 'reqId') return false;
  return true;
}
