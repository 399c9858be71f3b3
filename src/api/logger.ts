import { pino, type DestinationStream, type Logger } from 'pino';
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

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    base: { service: 'needlecare' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
