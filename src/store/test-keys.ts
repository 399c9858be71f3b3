/** Fixed keys for tests (never used outside tests): test/dialects.ts attaches them to every Db. */
import { createHash } from 'node:crypto';
import { type KeyRing, namedKey } from './keyring.ts';

export function testKey(label: string): Buffer {
  return createHash('sha256').update(`needlecare test key: ${label}`).digest();
}

export const TEST_KEYS: KeyRing = {
  secret: { current: namedKey(testKey('secret')), previous: [] },
  audit: { current: namedKey(testKey('audit')), previous: [] },
};

/** The same keys as environment variables (for tests that start the CLI). */
export const TEST_KEY_ENV = {
  NEEDLECARE_SECRET_KEY: testKey('secret').toString('base64'),
  NEEDLECARE_AUDIT_KEY: testKey('audit').toString('base64'),
} as const;
