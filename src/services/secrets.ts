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
 * and a check-in hashes its link's token (decisions 1448, 1486).
 */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * `sha256Hex` of a patient-link token, remembering the last token it hashed. A POST through a
 * link hashes its token at the door's limits and again when its link is looked up, one right
 * after the other (decision 1486). Only the last token is held, and only in this process's
 * memory, where the request that brought it still holds it too.
 */
export function linkTokenHash(token: string): string {
  if (token !== lastLinkToken) {
    lastLinkHash = sha256Hex(token);
    lastLinkToken = token;
  }
  return lastLinkHash;
}

let lastLinkToken: string | undefined;
let lastLinkHash = '';

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
