import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets (session cookies, API tokens, patient links): 256 random bits, base64url.
 * Only `sha256Hex` of a secret is ever stored or logged, so a database leak hands out no
 * usable credential.
 */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * One-shot `crypto.hash` (Node 20.12+): about a third of `createHash`'s time for a short string,
 * and a check-in hashes its link's token three times (decision 1448).
 */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** Constant-time comparison of two strings (different lengths compare unequal). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** API tokens carry a recognisable prefix so secret scanners can find leaked ones. */
export const API_TOKEN_PREFIX = 'nck_';

export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomSecret(32)}`;
}
