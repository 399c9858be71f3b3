import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.ts';
import { decodeKey, parseKeyEnv } from './keys.ts';

describe('key variables', () => {
  const key = randomBytes(32);

  it('reads base64, base64url and hex keys of 32 bytes', () => {
    expect(decodeKey(key.toString('base64'))).toEqual(key);
    expect(decodeKey(key.toString('base64url'))).toEqual(key);
    expect(decodeKey(key.toString('hex'))).toEqual(key);
    expect(decodeKey(randomBytes(16).toString('base64'))).toBeUndefined();
    expect(decodeKey('correct horse battery staple')).toBeUndefined();
  });

  it('parses current and old keys and the webhook allow list', () => {
    const old = randomBytes(32);
    const { value, problems } = parseKeyEnv({
      NEEDLECARE_SECRET_KEY: key.toString('base64'),
      NEEDLECARE_SECRET_KEYS_OLD: ` ${old.toString('hex')} `,
      NEEDLECARE_AUDIT_KEY: old.toString('base64'),
      NEEDLECARE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1, [::1], Hooks.Test',
    });
    expect(problems).toEqual([]);
    expect(value.secretKey).toEqual(key);
    expect(value.secretKeysOld).toEqual([old]);
    expect(value.webhookAllowHosts).toEqual(['127.0.0.1', '::1', 'hooks.test']);
  });

  it('names every bad key variable in the configuration error', () => {
    const result = parseEnv({
      NEEDLECARE_SECRET_KEY: 'too-short',
      NEEDLECARE_AUDIT_KEYS_OLD: `${key.toString('base64')},nope`,
      NEEDLECARE_WEBHOOK_ALLOW_HOSTS: 'http://x/',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual([
      expect.stringMatching(/^NEEDLECARE_WEBHOOK_ALLOW_HOSTS: "http:\/\/x\/"/),
      expect.stringMatching(/^NEEDLECARE_SECRET_KEY: must be 32 random bytes/),
      expect.stringMatching(/^NEEDLECARE_AUDIT_KEYS_OLD: entry 2 must be 32 random bytes/),
    ]);
    const same = parseKeyEnv({
      NEEDLECARE_SECRET_KEY: key.toString('base64'),
      NEEDLECARE_AUDIT_KEY: key.toString('hex'),
    });
    expect(same.problems).toEqual(['NEEDLECARE_AUDIT_KEY: must differ from NEEDLECARE_SECRET_KEY']);
  });
});
