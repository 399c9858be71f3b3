import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  AUDIT_GENESIS_HASH,
  appendAuditEvent,
  listAuditEvents,
  verifyAuditChain,
} from './audit.repository.ts';
import { withTransaction } from './db.ts';
import { auditEventFixture } from './test-fixtures.ts';
import { TEST_KEYS } from './test-keys.ts';

const event = auditEventFixture;

describeEachDialect('audit chain', (ctx) => {
  it('verifies an empty chain', async () => {
    expect(await verifyAuditChain(ctx.db)).toEqual({ ok: true, checked: 0, unkeyed: 0 });
  });

  it('links events with gapless seq and canonical details', async () => {
    const first = await appendAuditEvent(ctx.db, event(1));
    const second = await appendAuditEvent(ctx.db, {
      at: new Date('2026-11-25T15:00:00Z'),
      actorType: 'anonymous',
      action: 'link.open',
      subjectType: 'patient_link',
    });
    expect(first).toMatchObject({ seq: 1, prevHash: AUDIT_GENESIS_HASH, clinicId: 'clinic-1' });
    expect(first.details).toEqual({ a: { b: [2, 1], y: 1 }, z: 1 });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, clinicId: null, details: {} });
    expect(await verifyAuditChain(ctx.db)).toEqual({ ok: true, checked: 2, unkeyed: 0 });
    const listed = await listAuditEvents(ctx.db, { clinicId: 'clinic-1' });
    expect(listed).toEqual([first]);
  });

  it('links each event by the keyed hash chains have carried since version 2', async () => {
    // Recomputed here the way it was first written (two updates): a chain stored before any
    // change to how the hash is computed must still verify (decision 1486).
    const appended = await appendAuditEvent(ctx.db, event(7));
    const stored = await ctx.db
      .selectFrom('audit_events')
      .select(['details_json', 'key_id'])
      .where('seq', '=', appended.seq)
      .executeTakeFirstOrThrow();
    const { id, key } = TEST_KEYS.audit.current;
    expect(stored.key_id).toBe(id);
    const canonical = JSON.stringify([
      appended.seq,
      appended.id,
      appended.at,
      appended.clinicId,
      appended.actorType,
      appended.actorId,
      appended.action,
      appended.subjectType,
      appended.subjectId,
      appended.ip,
      stored.details_json,
    ]);
    const expected = createHmac('sha256', key)
      .update(`needlecare-audit-v2\0${id}\0${appended.prevHash}\0`)
      .update(canonical)
      .digest('hex');
    expect(appended.hash).toBe(expected);
  });

  it('rolls back with the caller’s transaction', async () => {
    const before = await verifyAuditChain(ctx.db);
    await expect(
      withTransaction(ctx.db, async (trx) => {
        await appendAuditEvent(trx, event(99));
        throw new Error('write failed');
      }),
    ).rejects.toThrow('write failed');
    expect(await verifyAuditChain(ctx.db)).toEqual(before);
    const next = await appendAuditEvent(ctx.db, event(3));
    expect(next.seq).toBe(before.checked + 1);
  });

  it('commits an event of its own with its statement, or not at all when that fails', async () => {
    // PostgreSQL gets the commit right behind the event's statement (decision 1457); a NUL
    // character is text it refuses, so the statement fails with the commit already sent.
    const before = await verifyAuditChain(ctx.db);
    const refused = appendAuditEvent(ctx.db, { ...event(4), action: 'bad\u0000action' });
    if (ctx.dialect === 'postgres') {
      await expect(refused).rejects.toThrow();
      expect(await verifyAuditChain(ctx.db)).toEqual(before);
    } else {
      await refused; // SQLite stores the character
    }
    const after = await verifyAuditChain(ctx.db);
    const pool = Array.from({ length: 12 }, (_, i) => appendAuditEvent(ctx.db, event(500 + i)));
    const appended = await Promise.all(pool);
    expect(appended.map((e) => e.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 12 }, (_, i) => after.checked + 1 + i),
    );
    expect(await verifyAuditChain(ctx.db)).toEqual({
      ok: true,
      checked: after.checked + 12,
      unkeyed: 0,
    });
  });

  it('keeps one valid chain under 20 concurrent appending transactions', async () => {
    const before = (await verifyAuditChain(ctx.db)).checked;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withTransaction(ctx.db, async (trx) => {
          await appendAuditEvent(trx, event(100 + i));
          await appendAuditEvent(trx, event(200 + i));
        }),
      ),
    );
    expect(await verifyAuditChain(ctx.db)).toEqual({ ok: true, checked: before + 40, unkeyed: 0 });
    const seqs = (
      await ctx.db.selectFrom('audit_events').select('seq').orderBy('seq').execute()
    ).map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: before + 40 }, (_, i) => i + 1));
  });

  it('verifies cleanly while others append', async () => {
    const appends = Array.from({ length: 20 }, (_, i) => appendAuditEvent(ctx.db, event(300 + i)));
    const reports = await Promise.all([verifyAuditChain(ctx.db), verifyAuditChain(ctx.db)]);
    await Promise.all(appends);
    for (const report of reports) expect(report).toMatchObject({ ok: true });
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
  });

  describe('tampering', () => {
    async function rowAt(seq: number) {
      return ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow();
    }

    it('detects an edited row', async () => {
      const original = await rowAt(2);
      await sql`update audit_events set action = 'alert.resolve' where seq = 2`.execute(ctx.db);
      expect(await verifyAuditChain(ctx.db)).toMatchObject({
        ok: false,
        checked: 1,
        firstBadSeq: 2,
        reason: expect.stringContaining('hash'),
      });
      await sql`update audit_events set action = ${original.action} where seq = 2`.execute(ctx.db);
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    });

    it('detects edited details even with the same keys reordered', async () => {
      const original = await rowAt(1);
      await sql`update audit_events set details_json = '{"z":1,"a":{"y":1,"b":[2,1]}}' where seq = 1`.execute(
        ctx.db,
      );
      expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: false, firstBadSeq: 1 });
      await sql`update audit_events set details_json = ${original.details_json} where seq = 1`.execute(
        ctx.db,
      );
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    });

    it('detects a deleted row in the middle and at the tail', async () => {
      const middle = await rowAt(3);
      await ctx.db.deleteFrom('audit_events').where('seq', '=', 3).execute();
      expect(await verifyAuditChain(ctx.db)).toMatchObject({
        ok: false,
        checked: 2,
        firstBadSeq: 4,
      });
      await ctx.db.insertInto('audit_events').values(middle).execute();
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);

      const total = (await verifyAuditChain(ctx.db)).checked;
      const tail = await rowAt(total);
      await ctx.db.deleteFrom('audit_events').where('seq', '=', total).execute();
      expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: false, firstBadSeq: total });
      await ctx.db.insertInto('audit_events').values(tail).execute();
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    });

    it('detects swapped hashes and an inserted row', async () => {
      const a = await rowAt(4);
      const b = await rowAt(5);
      await sql`update audit_events set hash = ${b.hash}, prev_hash = ${b.prev_hash} where seq = 4`.execute(
        ctx.db,
      );
      await sql`update audit_events set hash = ${a.hash}, prev_hash = ${a.prev_hash} where seq = 5`.execute(
        ctx.db,
      );
      expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: false, firstBadSeq: 4 });
      await sql`update audit_events set hash = ${a.hash}, prev_hash = ${a.prev_hash} where seq = 4`.execute(
        ctx.db,
      );
      await sql`update audit_events set hash = ${b.hash}, prev_hash = ${b.prev_hash} where seq = 5`.execute(
        ctx.db,
      );
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);

      const total = (await verifyAuditChain(ctx.db)).checked;
      const last = await rowAt(total);
      await ctx.db
        .insertInto('audit_events')
        .values({ ...last, seq: total + 1, id: 'forged', prev_hash: last.hash })
        .execute();
      expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: false, firstBadSeq: total + 1 });
      await ctx.db.deleteFrom('audit_events').where('id', '=', 'forged').execute();
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    });
  });
});
