import { describe, expect, it } from 'vitest';
import { type KeySet, namedKey } from './keyring.ts';
import { isSealed, open, openOrPlain, SealError, seal } from './secret-box.ts';
import { testKey } from './test-keys.ts';

const A: KeySet = { current: namedKey(testKey('a')), previous: [] };
const B: KeySet = { current: namedKey(testKey('b')), previous: [A.current] };

describe('secret box (issue 12, finding 1)', () => {
  it('seals with a fresh nonce and the key id, and opens', () => {
    const link = 'https://care.example/p/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const one = seal(A, 'outbox.reminder-link', link);
    const two = seal(A, 'outbox.reminder-link', link);
    expect(one).not.toBe(two);
    expect(one).not.toContain('abcdefghij');
    expect(one.startsWith(`nc1.${A.current.id}.`)).toBe(true);
    expect(isSealed(one)).toBe(true);
    expect(open(A, 'outbox.reminder-link', one)).toBe(link);
  });

  it('opens with an old key after rotation; refuses an unknown key', () => {
    const old = seal(A, 'clinic.webhook-secret', 's3cret-s3cret-s3cret');
    expect(open(B, 'clinic.webhook-secret', old)).toBe('s3cret-s3cret-s3cret');
    expect(seal(B, 'clinic.webhook-secret', 'x').split('.')[1]).toBe(B.current.id);
    const noOld: KeySet = { current: B.current, previous: [] };
    expect(() => open(noOld, 'clinic.webhook-secret', old)).toThrow(/NEEDLECARE_SECRET_KEYS_OLD/);
  });

  it('refuses altered values and values sealed for another purpose', () => {
    const sealed = seal(A, 'clinic.webhook-secret', 'hook-secret-0123456789');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    const altered = [...parts.slice(0, 3), body.toString('base64url')].join('.');
    expect(() => open(A, 'clinic.webhook-secret', altered)).toThrow(SealError);
    expect(() => open(A, 'outbox.reminder-link', sealed)).toThrow(SealError);
    expect(() => open(A, 'outbox.reminder-link', 'nc1.x')).toThrow(SealError);
  });

  it('reads values written before sealing as they are', () => {
    expect(openOrPlain(A, 'outbox.reminder-link', 'https://care.example/p/x')).toBe(
      'https://care.example/p/x',
    );
  });
});
