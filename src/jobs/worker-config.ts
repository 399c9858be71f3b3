/**
 * The worker process's configuration from environment variables, parsed once at start-up;
 * every bad variable is reported at once, by name. Variables:
 *
 * DATABASE_URL (postgres://…) or NEEDLECARE_DB (SQLite file, default ./data/needlecare.db),
 * PUBLIC_URL, SMTP_URL (smtp:// or smtps://), MAIL_FROM, SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN,
 * LOG_LEVEL, WORKER_ID, WORKER_POLL_MS, OUTBOX_MAX_ATTEMPTS, OUTBOX_LEASE_SECONDS.
 */
import { hostname } from 'node:os';

export interface WorkerEnvConfig {
  readonly databaseUrl: string | undefined;
  readonly sqlitePath: string;
  readonly publicUrl: string;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly smsGatewayUrl: string | undefined;
  readonly smsGatewayToken: string | undefined;
  readonly logLevel: string;
  readonly workerId: string;
  readonly pollIntervalMs: number;
  readonly maxAttempts: number;
  /** Claim lease in ms, renewed while a message is in hand (decision 0802). */
  readonly leaseMs: number;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseWorkerEnv(
  env: Readonly<Record<string, string | undefined>>,
  pid: number,
): { ok: true; value: WorkerEnvConfig } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const url = (name: string, protocols: readonly string[]): string | undefined => {
    const v = raw(name);
    if (v === undefined) return undefined;
    try {
      if (protocols.includes(new URL(v).protocol)) return v;
    } catch {
      // reported below
    }
    problems.push(
      `${name}: must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );
    return undefined;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = raw(name);
    if (v === undefined) return fallback;
    const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name}: must be a whole number from ${min} to ${max} (got "${v}")`);
      return fallback;
    }
    return n;
  };

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const publicUrl = (url('PUBLIC_URL', ['http:', 'https:']) ?? 'http://127.0.0.1:3000').replace(
    /\/+$/,
    '',
  );
  const smtpUrl = url('SMTP_URL', ['smtp:', 'smtps:']);
  const smsGatewayUrl = url('SMS_GATEWAY_URL', ['http:', 'https:']);
  const smsGatewayToken = raw('SMS_GATEWAY_TOKEN');
  if (smsGatewayUrl !== undefined && smsGatewayToken === undefined) {
    problems.push('SMS_GATEWAY_TOKEN: required when SMS_GATEWAY_URL is set');
  }
  const logLevel = raw('LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${LEVELS.join(', ')}`);
  const host = (() => {
    try {
      return new URL(publicUrl).hostname;
    } catch {
      return 'localhost';
    }
  })();
  const value: WorkerEnvConfig = {
    databaseUrl,
    sqlitePath: raw('NEEDLECARE_DB') ?? './data/needlecare.db',
    publicUrl,
    smtpUrl,
    mailFrom: raw('MAIL_FROM') ?? `Needlecare <no-reply@${host}>`,
    smsGatewayUrl,
    smsGatewayToken,
    logLevel,
    workerId: raw('WORKER_ID') ?? `${hostname()}:${pid}`,
    pollIntervalMs: int('WORKER_POLL_MS', 2_000, 100, 600_000),
    maxAttempts: int('OUTBOX_MAX_ATTEMPTS', 10, 1, 100),
    leaseMs: int('OUTBOX_LEASE_SECONDS', 30, 5, 600) * 1000,
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
