/**
 * Issue 12, finding 2 on both dialects: an insider who can write the database but holds no
 * audit key cannot rewrite the log unnoticed, and `verify` names the guarantee that failed.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  AUDIT_GENESIS_HASH,
  appendAuditEvent,
  type NewAuditEvent,
  verifyAuditChain,
} from '../store/audit.repository.ts';
import type { Db } from '../store/db.ts';
import { type KeyRing, namedKey, withKeys } from '../store/keyring.ts';
import type { AuditEventRow } from '../store/schema.ts';
import { TEST_KEYS, testKey } from '../store/test-keys.ts';
import {
  type AuditCheckpoint,
  parseAuditCheckpoint,
  takeAuditCheckpoints,
  verifyAuditLog,
} from './audit-checkpoint.ts';

const event = (n: number): NewAuditEvent => ({
  at: `2026-11-25T14:${String(n % 60).padStart(2, '0')}:00Z`,
  clinicId: 'clinic-1',
  actorType: 'staff',
  actorId: 'user-1',
  action: 'patient.read',
  subjectType: 'patient',
  subjectId: `patient-${n}`,
  ip: '203.0.113.7',
  details: { n },
});

/** The unkeyed link of chain version 1, as anyone can compute it (the insider's tool). */
function unkeyedHash(prev: string, r: AuditEventRow): string {
  const canonical = JSON.stringify([
    Number(r.seq),
    r.id,
    r.at,
    r.clinic_id,
    r.actor_type,
    r.actor_id,
    r.action,
    r.subject_type,
    r.subject_id,
    r.ip,
    r.details_json,
  ]);
  return createHash('sha256').update(prev).update(canonical).digest('hex');
}

async function rows(db: Db): Promise<AuditEventRow[]> {
  return db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
}

/**
 * Recompute the chain from `fromSeq` on with unkeyed SHA-256 links (and, with `dropKeys`, mark
 * the rows unkeyed), then move the head: what passed `audit verify` before the chain was keyed.
 */
async function rechainWithoutKey(db: Db, fromSeq: number, keepKeyIds: boolean): Promise<void> {
  let prev = AUDIT_GENESIS_HASH;
  let last = 0;
  for (const r of await rows(db)) {
    const seq = Number(r.seq);
    if (seq >= fromSeq) {
      const key_id = keepKeyIds ? r.key_id : null;
      const hash = unkeyedHash(prev, r);
      await db
        .updateTable('audit_events')
        .set({ prev_hash: prev, hash, key_id })
        .where('seq', '=', seq)
        .execute();
      prev = hash;
    } else prev = r.hash;
    last = seq;
  }
  await db
    .updateTable('audit_head')
    .set({ last_seq: last, last_hash: prev })
    .where('id', '=', 1)
    .execute();
}

async function fresh(db: Db, n: number): Promise<void> {
  await db.deleteFrom('audit_events').execute();
  await db
    .updateTable('audit_head')
    .set({ last_seq: 0, last_hash: AUDIT_GENESIS_HASH })
    .where('id', '=', 1)
    .execute();
  for (let i = 1; i <= n; i += 1) await appendAuditEvent(db, event(i));
}

describeEachDialect('audit: keyed chain and signed checkpoints', (ctx) => {
  beforeEach(async () => {
    await fresh(ctx.db, 6);
  });

  it('writes keyed events and verifies them with checkpoints', async () => {
    const all = await rows(ctx.db);
    expect(all.every((r) => r.key_id === TEST_KEYS.audit.current.id)).toBe(true);
    const checkpoint = (
      await takeAuditCheckpoints(ctx.db, new Date('2026-11-25T15:00:00Z'))
    )[0] as AuditCheckpoint;
    expect(checkpoint).toMatchObject({ seq: 6, hash: all[5]?.hash });
    expect(parseAuditCheckpoint(JSON.stringify(checkpoint))).toEqual({
      ok: true,
      value: checkpoint,
    });
    await appendAuditEvent(ctx.db, event(7));
    expect(await verifyAuditLog(ctx.db, [checkpoint])).toEqual({
      ok: true,
      checked: 7,
      unkeyed: 0,
      checkpoints: 1,
    });
  });

  it('an edited row re-chained with plain SHA-256 fails: row-integrity', async () => {
    await sql`update audit_events set subject_id = 'patient-x' where seq = 3`.execute(ctx.db);
    await rechainWithoutKey(ctx.db, 3, true);
    expect(await verifyAuditChain(ctx.db)).toMatchObject({
      ok: false,
      firstBadSeq: 3,
      guarantee: 'row-integrity',
    });
  });

  it('a tail re-written as the old unkeyed chain fails: keyed-chain', async () => {
    await sql`update audit_events set subject_id = 'patient-x' where seq = 4`.execute(ctx.db);
    await rechainWithoutKey(ctx.db, 4, false);
    expect(await verifyAuditChain(ctx.db)).toMatchObject({
      ok: false,
      firstBadSeq: 4,
      guarantee: 'keyed-chain',
    });
  });

  it('a whole chain re-written unkeyed passes alone but fails its checkpoint: re-chained', async () => {
    const checkpoint = (await takeAuditCheckpoints(ctx.db, new Date()))[0] as AuditCheckpoint;
    await sql`update audit_events set subject_id = 'patient-x' where seq = 2`.execute(ctx.db);
    await rechainWithoutKey(ctx.db, 1, false);
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true, unkeyed: 6 });
    expect(await verifyAuditLog(ctx.db, [checkpoint])).toMatchObject({
      ok: false,
      firstBadSeq: 6,
      guarantee: 'checkpoint-rechained',
    });
  });

  it('a deleted row fails: completeness', async () => {
    await ctx.db.deleteFrom('audit_events').where('seq', '=', 2).execute();
    expect(await verifyAuditLog(ctx.db)).toMatchObject({
      ok: false,
      firstBadSeq: 3,
      guarantee: 'completeness',
    });
  });

  it('a tail cut with its head moved back fails against the checkpoint: truncation', async () => {
    const checkpoint = (await takeAuditCheckpoints(ctx.db, new Date()))[0] as AuditCheckpoint;
    const four = (await rows(ctx.db))[3];
    await ctx.db.deleteFrom('audit_events').where('seq', '>', 4).execute();
    await ctx.db
      .updateTable('audit_head')
      .set({ last_seq: 4, last_hash: four?.hash ?? '' })
      .where('id', '=', 1)
      .execute();
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true, checked: 4 });
    expect(await verifyAuditLog(ctx.db, [checkpoint])).toMatchObject({
      ok: false,
      firstBadSeq: 6,
      guarantee: 'checkpoint-truncation',
    });
  });

  it('a forged or altered checkpoint fails: checkpoint-signature', async () => {
    const checkpoint = (await takeAuditCheckpoints(ctx.db, new Date()))[0] as AuditCheckpoint;
    const altered = { ...checkpoint, seq: 5, hash: (await rows(ctx.db))[4]?.hash ?? '' };
    expect(await verifyAuditLog(ctx.db, [altered])).toMatchObject({
      ok: false,
      guarantee: 'checkpoint-signature',
    });
  });

  it('accepts the unkeyed events written before migration 0002 at the start of the chain', async () => {
    // Rows of chain version 1, then the keyed chain carries on from their last hash.
    await rechainWithoutKey(ctx.db, 1, false);
    await appendAuditEvent(ctx.db, event(7));
    const report = await verifyAuditChain(ctx.db);
    expect(report).toEqual({ ok: true, checked: 7, unkeyed: 6 });
    // The first keyed event seals them: editing an old row now breaks the link after it.
    await sql`update audit_events set subject_id = 'patient-x' where seq = 2`.execute(ctx.db);
    await rechainWithoutKey(ctx.db, 2, true);
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: false, firstBadSeq: 7 });
  });

  it('verifies across an audit key rotation when the old key is listed', async () => {
    const rotated: KeyRing = {
      ...TEST_KEYS,
      audit: { current: namedKey(testKey('audit-2')), previous: [TEST_KEYS.audit.current] },
    };
    const db = withKeys(ctx.db, rotated);
    await appendAuditEvent(db, event(7));
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 7, unkeyed: 0 });
    const withoutOld = withKeys(ctx.db, { ...rotated, audit: { ...rotated.audit, previous: [] } });
    expect(await verifyAuditChain(withoutOld)).toMatchObject({
      ok: false,
      firstBadSeq: 1,
      guarantee: 'keyed-chain',
    });
  });

  it('refuses to append without keys on the handle', async () => {
    const bare = ctx.openAnother().withoutPlugins();
    await expect(appendAuditEvent(bare, event(9))).rejects.toThrow(/no keys attached/);
  });
});
