/**
 * Sealing of values that must be recoverable but must not be readable in the database:
 * AES-256-GCM with a random 96-bit nonce, the key's id in clear for rotation, and the field's
 * purpose bound in as associated data (a sealed webhook secret cannot be replayed as a link).
 *
 *     nc1.<key id>.<nonce, base64url>.<ciphertext ‖ tag, base64url>
 *
 * Rotation: put the new key in NEEDLECARE_SECRET_KEY and the old one in
 * NEEDLECARE_SECRET_KEYS_OLD; values are read with whichever key their id names and written with
 * the current one (docs/decisions/1100-keys-at-rest.md).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { findKey, type KeySet } from './keyring.ts';

const PREFIX = 'nc1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Why a value is sealed; part of the authenticated data. */
export type SealPurpose =
  | 'outbox.reminder-link'
  | 'clinic.webhook-secret'
  /** The one-time patient-link token of a recorded form, kept to answer its replay (1120). */
  | 'idempotency.record-link';

export function isSealed(value: string): boolean {
  return value.startsWith(`${PREFIX}.`);
}

export function seal(keys: KeySet, purpose: SealPurpose, plaintext: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.current.key, nonce);
  cipher.setAAD(Buffer.from(`${PREFIX}|${purpose}|${keys.current.id}`, 'utf8'));
  const body = Buffer.concat([
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return [PREFIX, keys.current.id, nonce.toString('base64url'), body.toString('base64url')].join(
    '.',
  );
}

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/**
 * Open a sealed value. Throws `SealError` when the key id is unknown (a key retired too early)
 * or the value was altered; never returns a wrong plaintext.
 */
export function open(keys: KeySet, purpose: SealPurpose, sealed: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) throw new SealError('not a sealed value');
  const [, id = '', nonceText = '', bodyText = ''] = parts;
  const key = findKey(keys, id);
  if (key === undefined) {
    throw new SealError(`sealed with unknown key ${id} (add it to NEEDLECARE_SECRET_KEYS_OLD)`);
  }
  const nonce = Buffer.from(nonceText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) {
    throw new SealError('malformed sealed value');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, nonce);
    decipher.setAAD(Buffer.from(`${PREFIX}|${purpose}|${id}`, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new SealError('sealed value does not authenticate (altered, or another purpose)');
  }
}

/**
 * Open a value that may predate sealing: plain text written before this version is returned as
 * is (it is sealed the next time it is written).
 */
export function openOrPlain(keys: KeySet, purpose: SealPurpose, value: string): string {
  return isSealed(value) ? open(keys, purpose, value) : value;
}
