import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKeyEnv } from '../config/keys.ts';
import { TEST_KEY_ENV } from '../store/test-keys.ts';
import { KEY_FILE_NAME, KeySetupError, resolveKeyRing } from './keys.ts';

describe('resolveKeyRing', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('generates the local demo keys beside the SQLite file once (mode 0600) and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-keys-'));
    dirs.push(dir);
    const db = { databaseUrl: undefined, sqlitePath: join(dir, 'data', 'needlecare.db') };
    const first = resolveKeyRing(parseKeyEnv({}).value, db);
    const second = resolveKeyRing(parseKeyEnv({}).value, db);
    expect(second.secret.current.id).toBe(first.secret.current.id);
    expect(second.audit.current.id).toBe(first.audit.current.id);
    expect(first.audit.current.id).not.toBe(first.secret.current.id);
    const file = join(dir, 'data', KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('NEEDLECARE_SECRET_KEY');
  });

  it('prefers the environment, and requires it on PostgreSQL', () => {
    const fromEnv = resolveKeyRing(parseKeyEnv(TEST_KEY_ENV).value, {
      databaseUrl: 'postgres://db/needlecare',
      sqlitePath: 'unused.db',
    });
    expect(fromEnv.secret.current.key.toString('base64')).toBe(TEST_KEY_ENV.NEEDLECARE_SECRET_KEY);
    expect(() =>
      resolveKeyRing(
        parseKeyEnv({ NEEDLECARE_SECRET_KEY: TEST_KEY_ENV.NEEDLECARE_SECRET_KEY }).value,
        {
          databaseUrl: 'postgres://db/needlecare',
          sqlitePath: 'unused.db',
        },
      ),
    ).toThrow(
      new KeySetupError(
        'NEEDLECARE_AUDIT_KEY must be set with DATABASE_URL (all servers and workers share them; generate with: openssl rand -base64 32)',
      ),
    );
  });
});
