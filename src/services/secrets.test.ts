import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { linkTokenHash, randomSecret, sha256Hex } from './secrets.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex and linkTokenHash', () => {
  it('hash as sha256 does, whatever order tokens come in', () => {
    const a = randomSecret();
    const b = randomSecret();
    for (const token of [a, a, b, a, b, b, '', 'ñandú', a]) {
      expect(sha256Hex(token)).toBe(sha256(token));
      expect(linkTokenHash(token), token).toBe(sha256(token));
    }
  });
});
