import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets (session cookies, API tokens, patient links): 256 random bits, base64url.
 * Only `sha256Hex` of a secret is ever stored or logged, so a database leak hands out no
 * usable credential.
 */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
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
