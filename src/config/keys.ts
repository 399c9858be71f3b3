/**
 * The key variables (docs/decisions/1100-keys-at-rest.md), read like every other variable:
 * a pure function of the env, every problem named.
 *
 * - NEEDLECARE_SECRET_KEY: 32 random bytes (base64 or 64 hex characters) sealing reminder links
 *   in the outbox and webhook secrets in clinic settings (AES-256-GCM).
 * - NEEDLECARE_SECRET_KEYS_OLD: earlier secret keys, comma-separated, still accepted to open.
 * - NEEDLECARE_AUDIT_KEY: 32 random bytes keying the audit chain and its checkpoints (HMAC).
 * - NEEDLECARE_AUDIT_KEYS_OLD: earlier audit keys, comma-separated, still accepted to verify.
 * - NEEDLECARE_WEBHOOK_ALLOW_HOSTS: host names or addresses, comma-separated, that webhooks may
 *   call although they are not public (tests, a named on-premises receiver).
 *
 * Unset keys are not an error here: on SQLite the local key file fills them (src/cli/keys.ts);
 * on PostgreSQL that command refuses to start without them.
 */

export interface KeyEnv {
  readonly secretKey: Buffer | undefined;
  readonly secretKeysOld: readonly Buffer[];
  readonly auditKey: Buffer | undefined;
  readonly auditKeysOld: readonly Buffer[];
  readonly webhookAllowHosts: readonly string[];
}

export const KEY_VARIABLES = {
  secret: 'NEEDLECARE_SECRET_KEY',
  secretOld: 'NEEDLECARE_SECRET_KEYS_OLD',
  audit: 'NEEDLECARE_AUDIT_KEY',
  auditOld: 'NEEDLECARE_AUDIT_KEYS_OLD',
  webhookAllowHosts: 'NEEDLECARE_WEBHOOK_ALLOW_HOSTS',
} as const;

const KEY_HELP = 'must be 32 random bytes as base64 or 64 hex characters (openssl rand -base64 32)';

/** 32 bytes from base64, base64url or hex text; undefined when it is not exactly that. */
export function decodeKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return undefined;
  const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

export function parseKeyEnv(env: Readonly<Record<string, string | undefined>>): {
  value: KeyEnv;
  problems: string[];
} {
  const problems: string[] = [];
  const raw = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const one = (name: string): Buffer | undefined => {
    const text = raw(name);
    if (text === undefined) return undefined;
    const key = decodeKey(text);
    if (key === undefined) problems.push(`${name}: ${KEY_HELP}`);
    return key;
  };
  const list = (name: string): Buffer[] => {
    const text = raw(name);
    if (text === undefined) return [];
    const keys: Buffer[] = [];
    text.split(',').forEach((part, i) => {
      const key = decodeKey(part);
      if (key === undefined) problems.push(`${name}: entry ${i + 1} ${KEY_HELP}`);
      else keys.push(key);
    });
    return keys;
  };
  const hosts = (raw(KEY_VARIABLES.webhookAllowHosts) ?? '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ''),
    )
    .filter((h) => h !== '');
  for (const h of hosts) {
    if (!/^[a-z0-9.:-]+$/.test(h)) {
      problems.push(
        `${KEY_VARIABLES.webhookAllowHosts}: "${h}" is not a host name or address (comma-separated list)`,
      );
    }
  }
  const value: KeyEnv = {
    secretKey: one(KEY_VARIABLES.secret),
    secretKeysOld: list(KEY_VARIABLES.secretOld),
    auditKey: one(KEY_VARIABLES.audit),
    auditKeysOld: list(KEY_VARIABLES.auditOld),
    webhookAllowHosts: hosts,
  };
  if (value.secretKey !== undefined && value.auditKey?.equals(value.secretKey)) {
    problems.push(`${KEY_VARIABLES.audit}: must differ from ${KEY_VARIABLES.secret}`);
  }
  return { value, problems };
}
