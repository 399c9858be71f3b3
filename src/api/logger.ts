import { type DestinationStream, type Logger, pino } from 'pino';
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
