/**
 * Signed checkpoints of the audit chain, kept outside the database.
 *
 * The keyed chain stops an insider who can write the database but lacks the audit key from
 * editing events and re-chaining. What it cannot see alone is a cut tail (rows and head moved
 * back together) or a chain re-written from the start with the old, unkeyed links. A checkpoint
 * closes that: `needlecare audit checkpoint` prints each lane's head (`seq`, `hash`; the seq
 * names the lane, decision 1473) signed with a key derived from the audit key, one line per
 * lane; the operator ships the lines somewhere the database's writers cannot change (a log, a
 * ticket, a webhook), and `needlecare audit verify --checkpoint <file>` checks the chain still
 * holds each event with its hash (docs/decisions/1101-keyed-audit-chain.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type AuditChainReport,
  auditHashAt,
  auditLaneBase,
  auditLaneOfSeq,
  readAuditHeads,
  verifyAuditChain,
} from '../store/audit.repository.ts';
import type { Db } from '../store/db.ts';
import { findKey, type KeySet, keysOf, type NamedKey } from '../store/keyring.ts';

export const CHECKPOINT_TYPE = 'needlecare.audit.checkpoint';

export interface AuditCheckpoint {
  readonly type: typeof CHECKPOINT_TYPE;
  readonly version: 1;
  /** The last event covered, in the lane its seq names (the lane's base: its empty chain). */
  readonly seq: number;
  readonly hash: string;
  /** When the checkpoint was taken (UTC). */
  readonly at: string;
  /** The audit key the signature's key derives from. */
  readonly keyId: string;
  readonly signature: string;
}

function signatureOf(key: NamedKey, c: Omit<AuditCheckpoint, 'signature'>): string {
  // A key of its own for checkpoints, so a signature can never pass for a chain link.
  const signingKey = createHmac('sha256', key.key)
    .update('needlecare-audit-checkpoint-v1')
    .digest();
  return createHmac('sha256', signingKey)
    .update(JSON.stringify([c.type, c.version, c.seq, c.hash, c.at, c.keyId]))
    .digest('hex');
}

/** Sign every lane's current head, lane 1 first. Writes nothing. */
export async function takeAuditCheckpoints(db: Db, now: Date): Promise<AuditCheckpoint[]> {
  const heads = await readAuditHeads(db);
  if (!heads.some((h) => h.lane === 1)) throw new Error('audit_head row missing: run migrations');
  const key = keysOf(db).audit.current;
  return heads.map((head) => {
    const unsigned = {
      type: CHECKPOINT_TYPE,
      version: 1,
      seq: head.seq,
      hash: head.hash,
      at: now.toISOString(),
      keyId: key.id,
    } as const;
    return { ...unsigned, signature: signatureOf(key, unsigned) };
  });
}

/**
 * Read one checkpoint line (JSON). Returns the checkpoint, or a one-line reason it is not one.
 * Does not check the signature (`verifyAuditLog` does, with the keys).
 */
export function parseAuditCheckpoint(
  line: string,
): { ok: true; value: AuditCheckpoint } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (o.type !== CHECKPOINT_TYPE || o.version !== 1) {
    return { ok: false, error: `not a ${CHECKPOINT_TYPE} version 1` };
  }
  const { seq, hash, at, keyId, signature } = o;
  if (
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    seq < 0 ||
    typeof hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(hash) ||
    typeof at !== 'string' ||
    typeof keyId !== 'string' ||
    typeof signature !== 'string' ||
    !/^[0-9a-f]{64}$/.test(signature)
  ) {
    return { ok: false, error: 'seq, hash, at, keyId or signature missing or malformed' };
  }
  return {
    ok: true,
    value: { type: CHECKPOINT_TYPE, version: 1, seq, hash, at, keyId, signature },
  };
}

function signatureHolds(keys: KeySet, c: AuditCheckpoint): boolean {
  const key = findKey(keys, c.keyId);
  if (key === undefined) return false;
  const expected = Buffer.from(signatureOf(key, c), 'hex');
  const given = Buffer.from(c.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Verify the chain, then every checkpoint against it: each must be signed with an audit key
 * this verifier holds, the lane its `seq` names must reach that seq, and the event there must
 * still have its hash. Returns the first broken guarantee (audit.repository.ts `AuditGuarantee`).
 */
export async function verifyAuditLog(
  db: Db,
  checkpoints: readonly AuditCheckpoint[] = [],
): Promise<AuditChainReport & { readonly checkpoints: number }> {
  const keys = keysOf(db).audit;
  const chain = await verifyAuditChain(db, keys);
  if (!chain.ok) return { ...chain, checkpoints: 0 };
  const heads = await readAuditHeads(db);
  let count = 0;
  for (const c of checkpoints) {
    const fail = (
      guarantee: 'checkpoint-truncation' | 'checkpoint-rechained' | 'checkpoint-signature',
      reason: string,
    ) => ({ ...chain, ok: false, firstBadSeq: c.seq, guarantee, reason, checkpoints: count });
    if (!signatureHolds(keys, c)) {
      return fail(
        'checkpoint-signature',
        `the checkpoint of ${c.at} is not signed by a known audit key (forged or altered)`,
      );
    }
    const lane = auditLaneOfSeq(c.seq);
    const head = heads.find((h) => h.lane === lane);
    if (head === undefined || head.seq < c.seq) {
      return fail(
        'checkpoint-truncation',
        head === undefined
          ? `lane ${lane} is gone, though the checkpoint of ${c.at} (seq ${c.seq}) holds it: events were removed`
          : `${lane === 1 ? 'the chain' : `lane ${lane}`} ends at seq ${head.seq}, before the checkpoint of ${c.at} (seq ${c.seq}): events were removed`,
      );
    }
    const stored = c.seq === auditLaneBase(lane) ? c.hash : await auditHashAt(db, c.seq);
    if (stored !== c.hash) {
      return fail(
        'checkpoint-rechained',
        `the event at seq ${c.seq} differs from the checkpoint of ${c.at}: the chain was recomputed`,
      );
    }
    count += 1;
  }
  return { ...chain, checkpoints: count };
}
