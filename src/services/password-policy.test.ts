import { describe, expect, it } from 'vitest';
import { checkNewPassword, isCommonPassword } from './password-policy.ts';

describe('new password rules (ASVS 2.1)', () => {
  it.each([
    ['short', 'eleven char', ['too_short']],
    ['12 characters of anything', 'tarta de queso', []],
    ['spaces and emoji count', 'mi 🐈 duerme mucho', []],
    ['256 is allowed', 'x'.repeat(200) + 'y'.repeat(56), []],
    ['257 is not', 'x'.repeat(257), ['too_long']],
    ['a listed password', 'passwordpassword', ['common']],
    ['a listed word behind digits', 'Fisioterapia2024!', ['common']],
    ['leet spelling of a listed word', 'P@55w0rd123456', ['common']],
    ['keyboard run', 'qwertyuiop123', ['common']],
    ['only digits', '384756291038', ['common']],
    ['one character again', 'zzzzzzzzzzzzzz', ['common']],
    ['a word said again', 'holaholaholahola', ['common']],
  ] as const)('%s', (_why, password, expected) => {
    expect(checkNewPassword(password)).toEqual(expected);
  });

  it('counts code points after NFC, not UTF-16 units', () => {
    // 11 letters written with combining accents are still 11 characters.
    expect(checkNewPassword(`${'ñ'.normalize('NFD').repeat(5)}abcdef`)).toEqual(['too_short']);
  });

  it('names a confirmation that differs', () => {
    expect(checkNewPassword('a calm blue lake at dawn', 'a calm blue lake at dusk')).toEqual([
      'mismatch',
    ]);
  });

  it('does not refuse a passphrase that merely contains a common word', () => {
    expect(isCommonPassword('password is not my horse')).toBe(false);
  });
});
