/**
 * Where the keys come from (docs/decisions/1100-keys-at-rest.md): the environment first
 * (config/keys.ts). On SQLite a key left unset is read from — or, the first time, generated
 * into — `needlecare-keys.json` beside the database file (mode 0600), so `npm start` works with
 * no variables set. On PostgreSQL the variables are required: every server and worker must
 * share the same keys, and a file on one machine cannot give them that.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeKey, KEY_VARIABLES, type KeyEnv } from '../config/keys.ts';
import { type KeyRing, namedKey } from '../store/keyring.ts';

export const KEY_FILE_NAME = 'needlecare-keys.json';

export class KeySetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeySetupError';
  }
}

interface KeyFile {
  readonly secretKey: Buffer;
  readonly auditKey: Buffer;
}

function readOrCreateKeyFile(path: string): KeyFile {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const secretKey = typeof raw.secretKey === 'string' ? decodeKey(raw.secretKey) : undefined;
    const auditKey = typeof raw.auditKey === 'string' ? decodeKey(raw.auditKey) : undefined;
    if (secretKey === undefined || auditKey === undefined) {
      throw new KeySetupError(`${path}: secretKey or auditKey missing or not 32 bytes`);
    }
    return { secretKey, auditKey };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const created = { secretKey: randomBytes(32), auditKey: randomBytes(32) };
  mkdirSync(dirname(path), { recursive: true });
  const text = `${JSON.stringify(
    {
      note: 'Local demo keys (docs/decisions/1100-keys-at-rest.md). Losing this file makes sealed reminder links and webhook secrets unreadable and the audit chain unverifiable; in production set NEEDLECARE_SECRET_KEY and NEEDLECARE_AUDIT_KEY instead.',
      secretKey: created.secretKey.toString('base64'),
      auditKey: created.auditKey.toString('base64'),
    },
    null,
    2,
  )}\n`;
  try {
    // `wx`: of two processes starting at once, one writes and the other reads its file.
    writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreateKeyFile(path);
    throw error;
  }
  return created;
}

/** The key ring for a database, from the environment or (SQLite only) the local key file. */
export function resolveKeyRing(
  keys: KeyEnv,
  db: { readonly databaseUrl: string | undefined; readonly sqlitePath: string },
): KeyRing {
  let secretKey = keys.secretKey;
  let auditKey = keys.auditKey;
  if (secretKey === undefined || auditKey === undefined) {
    if (db.databaseUrl !== undefined) {
      const missing = [
        ...(secretKey === undefined ? [KEY_VARIABLES.secret] : []),
        ...(auditKey === undefined ? [KEY_VARIABLES.audit] : []),
      ];
      throw new KeySetupError(
        `${missing.join(' and ')} must be set with DATABASE_URL (all servers and workers share them; generate with: openssl rand -base64 32)`,
      );
    }
    if (db.sqlitePath === ':memory:') {
      secretKey ??= randomBytes(32);
      auditKey ??= randomBytes(32);
    } else {
      const file = readOrCreateKeyFile(join(dirname(db.sqlitePath), KEY_FILE_NAME));
      secretKey ??= file.secretKey;
      auditKey ??= file.auditKey;
    }
  }
  return {
    secret: { current: namedKey(secretKey), previous: keys.secretKeysOld.map(namedKey) },
    audit: { current: namedKey(auditKey), previous: keys.auditKeysOld.map(namedKey) },
  };
}
