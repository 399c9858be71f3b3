import { readFileSync } from 'node:fs';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.ts';

/**
 * What a new password must meet (OWASP ASVS 4.0 §2.1): at least 12 characters, up to 256
 * (≥ 64 must be allowed), any character including spaces and emoji, no composition rules, and
 * not a common password. Length is counted in code points after Unicode NFC, so "contraseña"
 * typed on two keyboards counts the same. Returns the problems as message keys; empty = fine.
 */
export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'mismatch';

let common: ReadonlySet<string> | undefined;

/** The shipped list (src/services/data/common-passwords.txt), loaded once. */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(new URL('./data/common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.normalize('NFC').toLowerCase()),
  );
  return common;
}

const SUBSTITUTIONS: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};

/** The forms of a candidate compared with the list: as typed, its core, the core de-leeted. */
function formsOf(password: string): string[] {
  const lower = password.normalize('NFC').toLowerCase();
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  // Undo substitutions inside the word only, after the digits around it are gone.
  const unleet = [...core].map((ch) => SUBSTITUTIONS[ch] ?? ch).join('');
  const forms = [lower, lower.replace(/\s+/g, ''), core, unleet];
  // "passwordpassword", "holaholahola": a common word said again.
  for (const form of [core, unleet]) {
    for (let size = 1; size <= form.length / 2; size += 1) {
      if (form.length % size === 0 && form.slice(0, size).repeat(form.length / size) === form) {
        forms.push(form.slice(0, size));
        break;
      }
    }
  }
  return forms.filter((f) => f !== '');
}

/** True when the password is, or is built on, an entry of the common-password list. */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const forms = formsOf(password);
  if (forms.some((f) => list.has(f))) return true;
  // One character again and again, or only digits in a run ("aaaaaaaaaaaa", "123456789012").
  const compact = password.replace(/\s+/g, '');
  return /^(.)\1*$/u.test(compact) || /^\d+$/.test(compact);
}

/** Every rule a new password breaks (empty when it is acceptable). */
export function checkNewPassword(password: string, confirmation?: string): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...password.normalize('NFC')].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push('too_short');
  else if (length > PASSWORD_MAX_LENGTH) problems.push('too_long');
  else if (isCommonPassword(password)) problems.push('common');
  if (confirmation !== undefined && confirmation !== password) problems.push('mismatch');
  return problems;
}
