/**
 * The keys that protect data at rest, carried by the database handle.
 *
 * Every write that needs a key (the keyed audit chain, sealed outbox links, sealed webhook
 * secrets) already takes `db` (or its transaction) first, so the keys ride on the handle: the
 * composition root opens the database and calls `withKeys(db, keys)` once, and every
 * transaction made from that handle carries them too (docs/decisions/1100-keys-at-rest.md).
 * Nothing here reads the environment or a file; `src/cli/keys.ts` does that.
 */
import { createHash } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import type { Db } from './db.ts';

/** A 32-byte key and its short public id (written next to what it protects). */
export interface NamedKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The current key (used to write) and older ones (still accepted to read or verify). */
export interface KeySet {
  readonly current: NamedKey;
  readonly previous: readonly NamedKey[];
}

export interface KeyRing {
  /** AES-256-GCM: reminder links in the outbox, webhook secrets in clinic settings. */
  readonly secret: KeySet;
  /** HMAC-SHA256: the audit chain and its checkpoints. */
  readonly audit: KeySet;
}

export const KEY_BYTES = 32;

/**
 * The id of a key: 8 hex characters of a labelled SHA-256 of it. It names the key in stored
 * data so rotation can find the right one; it reveals nothing usable about a 256-bit key.
 */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('needlecare-key-id\0').update(key).digest('hex').slice(0, 8);
}

export function namedKey(key: Buffer): NamedKey {
  if (key.length !== KEY_BYTES) throw new Error(`a key must be ${KEY_BYTES} bytes`);
  return { id: keyId(key), key };
}

/** Find a key of the set by id (current first). */
export function findKey(set: KeySet, id: string): NamedKey | undefined {
  if (set.current.id === id) return set.current;
  return set.previous.find((k) => k.id === id);
}

/** A Kysely plugin that changes nothing and only carries the key ring to every transaction. */
class KeyRingCarrier implements KyselyPlugin {
  readonly keys: KeyRing;
  constructor(keys: KeyRing) {
    this.keys = keys;
  }
  transformQuery: KyselyPlugin['transformQuery'] = (args) => args.node;
  transformResult: KyselyPlugin['transformResult'] = async (args) => args.result;
}

/** The same database with `keys` attached (share the returned handle; it owns the same pool). */
export function withKeys(db: Db, keys: KeyRing): Db {
  return db.withPlugin(new KeyRingCarrier(keys));
}

/** The key ring of a handle or transaction; throws when the composition root attached none. */
export function keysOf(db: Db): KeyRing {
  const plugins = db.getExecutor().plugins;
  for (let i = plugins.length - 1; i >= 0; i -= 1) {
    const p = plugins[i];
    if (p instanceof KeyRingCarrier) return p.keys;
  }
  throw new Error(
    'no keys attached to the database handle (withKeys): cannot protect data at rest',
  );
}
