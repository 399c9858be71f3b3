/**
 * Configuration from environment variables, parsed once at start-up into a typed object.
 * Every bad variable is reported at once, by name, so an operator fixes them in one pass.
 * Nothing here is a singleton: `parseEnv` is a pure function of the env it is given.
 */
import { type KeyEnv, parseKeyEnv } from './keys.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Argon2id cost. Production always uses OWASP's minimum (docs/decisions/0200-argon2-parameters.md). */
export interface Argon2Params {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1 (= @node-rs/argon2 defaults). */
export const ARGON2_OWASP: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export interface SignInLimits {
  /** Failed passwords in a row before the account locks. */
  readonly maxFailures: number;
  readonly lockMinutes: number;
  /** Sign-in attempts one IP address may make per window, successful or not. */
  readonly perIpMax: number;
  readonly perIpWindowMinutes: number;
}

/**
 * Ordinary POSTs through patient links per 10 minutes (decision 1112): per link and per IP
 * address. The emergency button and red-flag check-ins get ten times as many.
 */
export interface PatientLinkLimits {
  readonly perLinkMax: number;
  readonly perIpMax: number;
}

/** The outbox worker's settings (`needlecare worker`, `serve --worker`, `npm start`). */
export interface WorkerSettings {
  /** `smtp://` or `smtps://`; without it e-mails fail and end in the dead letters. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly smsGatewayUrl: string | undefined;
  readonly smsGatewayToken: string | undefined;
  /** WORKER_ID; `undefined` lets the process name itself (`host:pid`, see `workerIdOf`). */
  readonly id: string | undefined;
  readonly pollIntervalMs: number;
  readonly maxAttempts: number;
  /** OUTBOX_LEASE_SECONDS as ms: a claim's lease, renewed while a message is in hand (decision 0802). */
  readonly leaseMs: number;
}

export interface AppConfig {
  readonly host: string;
  readonly port: number;
  /** `postgres://…` selects PostgreSQL; otherwise SQLite at `sqlitePath`. */
  readonly databaseUrl: string | undefined;
  readonly sqlitePath: string;
  /** Base of the links given to patients, without a trailing slash. */
  readonly publicUrl: string;
  /** `Secure` on the session cookie; off only for plain-http local use. */
  readonly cookieSecure: boolean;
  readonly logLevel: LogLevel;
  /** Absolute lifetime of a staff session (ASVS 3.3.2: 12 h). */
  readonly sessionTtlHours: number;
  /** Idle timeout of a staff session (ASVS 3.3.2: 30 min). */
  readonly sessionIdleMinutes: number;
  /** Largest request body accepted, in bytes; larger → 413. */
  readonly bodyLimitBytes: number;
  /** Trust X-Forwarded-For from a reverse proxy (for the client IP in audit events). */
  readonly trustProxy: boolean;
  readonly argon2: Argon2Params;
  readonly signIn: SignInLimits;
  readonly patientLinks: PatientLinkLimits;
  readonly worker: WorkerSettings;
  /**
   * NEEDLECARE_AUDIT_LANE, undefined when unset: the lane of the audit chain this process
   * appends to on PostgreSQL (decision 1473; `auditLaneFor`). `serve --processes N` gives its
   * processes this one (default 1) and the N − 1 after it; `needlecare worker` appends to it
   * too (default the last lane).
   */
  readonly auditLane: number | undefined;
  /** Keys for data at rest and the webhook allow list (keys.ts). */
  readonly keys: KeyEnv;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 3000,
  sqlitePath: './data/needlecare.db',
  logLevel: 'info',
  sessionTtlHours: 12,
  sessionIdleMinutes: 30,
  bodyLimitBytes: 64 * 1024,
  signIn: { maxFailures: 5, lockMinutes: 15, perIpMax: 30, perIpWindowMinutes: 15 },
  patientLinks: { perLinkMax: 20, perIpMax: 60 },
  worker: { pollIntervalMs: 2_000, maxAttempts: 10, leaseSeconds: 30 },
} as const;

/**
 * Every variable `loadConfig` reads, for `--help` texts and the README. Server, worker and CLI
 * read the same ones: one PORT, one PUBLIC_URL, one database.
 */
export const VARIABLES = {
  server: [
    'HOST',
    'PORT',
    'DATABASE_URL',
    'NEEDLECARE_DB',
    'PUBLIC_URL',
    'COOKIE_SECURE',
    'LOG_LEVEL',
    'SESSION_TTL_HOURS',
    'SESSION_IDLE_MINUTES',
    'BODY_LIMIT_BYTES',
    'TRUST_PROXY',
    'SIGNIN_MAX_FAILURES',
    'SIGNIN_LOCK_MINUTES',
    'SIGNIN_IP_MAX',
    'SIGNIN_IP_WINDOW_MINUTES',
    'PATIENT_LINK_MAX',
    'PATIENT_IP_MAX',
    'NEEDLECARE_AUDIT_LANE',
    // keys.ts: required with DATABASE_URL; on SQLite unset keys come from needlecare-keys.json
    'NEEDLECARE_SECRET_KEY',
    'NEEDLECARE_SECRET_KEYS_OLD',
    'NEEDLECARE_AUDIT_KEY',
    'NEEDLECARE_AUDIT_KEYS_OLD',
    'NEEDLECARE_WEBHOOK_ALLOW_HOSTS',
  ],
  worker: [
    'SMTP_URL',
    'MAIL_FROM',
    'SMS_GATEWAY_URL',
    'SMS_GATEWAY_TOKEN',
    'WORKER_ID',
    'WORKER_POLL_MS',
    'OUTBOX_MAX_ATTEMPTS',
    'OUTBOX_LEASE_SECONDS',
  ],
} as const;

/** Collects problems while reading variables, so all of them are reported together. */
class Reader {
  readonly problems: string[] = [];
  readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.problems.push(`${name}: must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name}: must be true or false (got "${value}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const found = allowed.find((a) => a === value.toLowerCase());
    if (found === undefined) {
      this.problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return found;
  }

  url(name: string, protocols: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problems.push(
        `${name}: must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      );
      return undefined;
    }
    if (!protocols.includes(parsed.protocol)) {
      this.problems.push(
        `${name}: must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      );
      return undefined;
    }
    return value;
  }
}

/**
 * Read the configuration of every process (server, worker, CLI): the variables in `VARIABLES`.
 * The public URL defaults to `http://HOST:PORT` for all of them, so a worker beside a server on
 * PORT=8080 links to :8080 too. Argon2 cost is not configurable here: production always uses
 * the OWASP parameters. The key variables are parsed by keys.ts.
 */
export function parseEnv(
  env: Env,
): { ok: true; value: AppConfig } | { ok: false; problems: string[] } {
  const r = new Reader(env);
  const host = r.string('HOST', DEFAULTS.host);
  const port = r.int('PORT', DEFAULTS.port, 0, 65_535);
  const databaseUrl = r.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const sqlitePath = r.string('NEEDLECARE_DB', DEFAULTS.sqlitePath);
  const publicUrlRaw = r.url('PUBLIC_URL', ['http:', 'https:']);
  const publicUrl = (
    publicUrlRaw ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  ).replace(/\/+$/, '');
  const cookieSecure = r.bool('COOKIE_SECURE', true);
  if (cookieSecure === false && publicUrl.startsWith('https:')) {
    r.problems.push('COOKIE_SECURE: must not be false when PUBLIC_URL is https');
  }
  const smsGatewayUrl = r.url('SMS_GATEWAY_URL', ['http:', 'https:']);
  const smsGatewayToken = r.optional('SMS_GATEWAY_TOKEN');
  if (smsGatewayUrl !== undefined && smsGatewayToken === undefined) {
    r.problems.push('SMS_GATEWAY_TOKEN: required when SMS_GATEWAY_URL is set');
  }
  const worker: WorkerSettings = {
    smtpUrl: r.url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: r.string('MAIL_FROM', `Needlecare <no-reply@${hostnameOf(publicUrl)}>`),
    smsGatewayUrl,
    smsGatewayToken,
    id: r.optional('WORKER_ID'),
    pollIntervalMs: r.int('WORKER_POLL_MS', DEFAULTS.worker.pollIntervalMs, 100, 600_000),
    maxAttempts: r.int('OUTBOX_MAX_ATTEMPTS', DEFAULTS.worker.maxAttempts, 1, 100),
    leaseMs: r.int('OUTBOX_LEASE_SECONDS', DEFAULTS.worker.leaseSeconds, 5, 600) * 1000,
  };
  const keys = parseKeyEnv(env);
  r.problems.push(...keys.problems);
  const config: AppConfig = {
    keys: keys.value,
    host,
    port,
    databaseUrl,
    sqlitePath,
    publicUrl,
    cookieSecure,
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, DEFAULTS.logLevel),
    sessionTtlHours: r.int('SESSION_TTL_HOURS', DEFAULTS.sessionTtlHours, 1, 12),
    sessionIdleMinutes: r.int('SESSION_IDLE_MINUTES', DEFAULTS.sessionIdleMinutes, 1, 30),
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', DEFAULTS.bodyLimitBytes, 1024, 1024 * 1024),
    trustProxy: r.bool('TRUST_PROXY', false),
    argon2: ARGON2_OWASP,
    signIn: {
      maxFailures: r.int('SIGNIN_MAX_FAILURES', DEFAULTS.signIn.maxFailures, 1, 100),
      lockMinutes: r.int('SIGNIN_LOCK_MINUTES', DEFAULTS.signIn.lockMinutes, 1, 24 * 60),
      perIpMax: r.int('SIGNIN_IP_MAX', DEFAULTS.signIn.perIpMax, 1, 10_000),
      perIpWindowMinutes: r.int(
        'SIGNIN_IP_WINDOW_MINUTES',
        DEFAULTS.signIn.perIpWindowMinutes,
        1,
        24 * 60,
      ),
    },
    patientLinks: {
      perLinkMax: r.int('PATIENT_LINK_MAX', DEFAULTS.patientLinks.perLinkMax, 1, 10_000_000),
      perIpMax: r.int('PATIENT_IP_MAX', DEFAULTS.patientLinks.perIpMax, 1, 10_000_000),
    },
    worker,
    // 1024: AUDIT_LANES (store/audit.repository.ts; env.test.ts holds them equal).
    auditLane:
      r.optional('NEEDLECARE_AUDIT_LANE') === undefined
        ? undefined
        : r.int('NEEDLECARE_AUDIT_LANE', 1, 1, 1024),
  };
  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, value: config };
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '') || 'localhost';
  } catch {
    return 'localhost';
  }
}

/** The lane `serve` starts from when NEEDLECARE_AUDIT_LANE is unset. */
export const SERVER_AUDIT_LANE = 1;
/**
 * The lane `needlecare worker` appends to when NEEDLECARE_AUDIT_LANE is unset: the last one
 * (AUDIT_LANES), which `serve` reaches only when told to, so that by default a worker's events
 * never move a server process's head.
 */
export const WORKER_AUDIT_LANE = 1024;

/**
 * The audit lane a long-running writer (a `serve` process, `needlecare worker`) appends to
 * (decision 1473): on PostgreSQL NEEDLECARE_AUDIT_LANE's, else the role's own default. On SQLite
 * always lane 1: its writers take turns on the file's one write lock whatever their lane, and
 * one lane appends at the right-hand edge of one key range.
 */
export function auditLaneFor(
  config: Pick<AppConfig, 'databaseUrl' | 'auditLane'>,
  role: 'server' | 'worker',
): number {
  if (config.databaseUrl === undefined) return 1;
  return config.auditLane ?? (role === 'worker' ? WORKER_AUDIT_LANE : SERVER_AUDIT_LANE);
}

/** The worker's name in logs and claims: WORKER_ID, else `host:pid` of this process. */
export function workerIdOf(config: AppConfig, process: { hostname: string; pid: number }): string {
  return config.worker.id ?? `${process.hostname}:${process.pid}`;
}

/** `parseEnv` that throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): AppConfig {
  const result = parseEnv(env);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.value;
}
