import { describe, expect, it } from 'vitest';
import { TEST_ARGON2 } from '../api/test-support.ts';
import { ARGON2_OWASP } from '../config/env.ts';
import { createPasswordHasher } from './passwords.ts';

describe('passwords', () => {
  it('hashes with Argon2id at the OWASP parameters in production config', async () => {
    const hasher = createPasswordHasher(ARGON2_OWASP);
    const hashed = await hasher.hash('correct horse battery staple');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(hashed, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(hashed, 'Correct horse battery staple')).toBe(false);
  });

  it('treats a malformed hash as a failed verification, not an error', async () => {
    const hasher = createPasswordHasher(TEST_ARGON2);
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
    await expect(hasher.verifyDummy('x')).resolves.toBeUndefined();
  });
});
