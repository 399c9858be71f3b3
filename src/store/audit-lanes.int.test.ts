/**
 * Decision 1473 on both dialects: the audit log as one chain per lane. Writers on different
 * lanes append side by side, `verify` walks every lane and still names what an insider without
 * the audit key broke in any of them, and checkpoints hold each lane's head.
 */
import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  type AuditCheckpoint,
  takeAuditCheckpoints,
  verifyAuditLog,
} from '../services/audit-checkpoint.ts';
import {
  AUDIT_GENESIS_HASH,
  AUDIT_LANE_SPAN,
  AUDIT_LANES,
  appendAuditEvent,
  appendAuditEventsInBulk,
  auditLaneBase,
  auditLaneOf,
  openAuditLane,
  readAuditHeads,
  verifyAuditChain,
} from './audit.repository.ts';
import type { Db } from './db.ts';
import { createMigrator, migrateToLatest } from './migrations.ts';
import { cutAuditLaneBack, emptyAuditLog, auditEventFixture as event } from './test-fixtures.ts';

describeEachDialect('audit lanes', (ctx) => {
  let lane2: Db;
  let lane3: Db;

  const fresh = () => emptyAuditLog(ctx.db);

  beforeEach(async () => {
    await fresh();
    lane2 ??= ctx.openAnother();
    lane3 ??= ctx.openAnother();
    await openAuditLane(lane2, 2);
    await openAuditLane(lane3, 3);
  });

  /** Three events on lane 1 and on lane 2, interleaved, and two more on each (at once on PostgreSQL). */
  async function interleaved(): Promise<void> {
    for (let i = 0; i < 3; i += 1) {
      await appendAuditEvent(ctx.db, event(10 + i));
      await appendAuditEvent(lane2, event(20 + i));
    }
    const both = [
      () => appendAuditEventsInBulk(ctx.db, [event(13), event(14)]),
      () => appendAuditEventsInBulk(lane2, [event(23), event(24)]),
    ];
    // Side by side on PostgreSQL; SQLite's handles of one process take turns (src/store/README).
    if (ctx.dialect === 'postgres') await Promise.all(both.map((append) => append()));
    else for (const append of both) await append();
  }

  it('appends each handle to its own lane, each a gapless chain of its own stretch of seq', async () => {
    expect(auditLaneOf(ctx.db)).toBe(1);
    expect(auditLaneOf(lane2)).toBe(2);
    await interleaved();
    const rows = await ctx.db
      .selectFrom('audit_events')
      .select(['seq', 'subject_id'])
      .orderBy('seq')
      .execute();
    const base = AUDIT_LANE_SPAN;
    expect(rows.map((r) => [Number(r.seq), r.subject_id])).toEqual([
      ...[10, 11, 12, 13, 14].map((n, k) => [k + 1, `alert-${n}`]),
      ...[20, 21, 22, 23, 24].map((n, k) => [base + k + 1, `alert-${n}`]),
    ]);
    const heads = await readAuditHeads(ctx.db);
    expect(heads.map((h) => [h.lane, h.seq])).toEqual([
      [1, 5],
      [2, base + 5],
      [3, 2 * base],
    ]);
    expect(await verifyAuditChain(ctx.db)).toEqual({ ok: true, checked: 10, unkeyed: 0, lanes: 3 });
  });

  it('opens a lane once, and only lanes 1 to AUDIT_LANES', async () => {
    await appendAuditEvent(lane2, event(1));
    await openAuditLane(lane2, 2);
    const [, head2] = await readAuditHeads(ctx.db);
    expect(head2?.seq).toBe(AUDIT_LANE_SPAN + 1);
    for (const bad of [0, AUDIT_LANES + 1, 1.5]) {
      await expect(openAuditLane(lane2, bad)).rejects.toThrow(RangeError);
    }
    expect(auditLaneOf(lane2)).toBe(2);
    // The table itself refuses a head outside the lanes.
    await expect(
      sql`insert into audit_head (id, last_seq, last_hash) values (${AUDIT_LANES + 1}, 0, 'x')`.execute(
        ctx.db,
      ),
    ).rejects.toThrow();
  });

  it('names what an insider broke in a lane other than the first', async () => {
    const base = AUDIT_LANE_SPAN;
    const at = (seq: number) => ctx.db.updateTable('audit_events').where('seq', '=', seq);
    const remove = (seq: number) => ctx.db.deleteFrom('audit_events').where('seq', '=', seq);
    const splice = async () => {
      const row = await ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('seq', '=', base + 5)
        .executeTakeFirstOrThrow();
      await ctx.db
        .insertInto('audit_events')
        .values({ ...row, seq: base + 6, id: 'spliced' })
        .execute();
    };
    const cases: [string, () => Promise<unknown>, Record<string, unknown>][] = [
      [
        'an edited row',
        () =>
          at(base + 2)
            .set({ details_json: '{"n":99}' })
            .execute(),
        { firstBadSeq: base + 2, guarantee: 'row-integrity' },
      ],
      [
        'a deleted row',
        () => remove(base + 3).execute(),
        { firstBadSeq: base + 4, guarantee: 'completeness' },
      ],
      // Re-written without the key, in a lane that began keyed.
      [
        'an event marked unkeyed',
        () =>
          at(base + 1)
            .set({ key_id: null })
            .execute(),
        { firstBadSeq: base + 1, guarantee: 'keyed-chain' },
      ],
      ['an event beyond the head', splice, { firstBadSeq: base + 6, guarantee: 'order' }],
      [
        'the head removed, its events left',
        () => ctx.db.deleteFrom('audit_head').where('id', '=', 2).execute(),
        { firstBadSeq: base + 1, guarantee: 'order', reason: 'event in lane 2, which has no head' },
      ],
      [
        'the last event removed, the head left',
        () => remove(base + 5).execute(),
        { guarantee: 'completeness' },
      ],
    ];
    for (const [what, tamper, expected] of cases) {
      await fresh();
      await openAuditLane(lane2, 2);
      await interleaved();
      await tamper();
      expect(await verifyAuditChain(ctx.db), what).toMatchObject({ ok: false, ...expected });
    }
  });

  it('checkpoints every lane, and a lane cut back or removed breaks its checkpoint', async () => {
    await interleaved();
    await appendAuditEvent(lane3, event(30));
    const checkpoints = await takeAuditCheckpoints(ctx.db, new Date('2026-12-06T12:00:00Z'));
    expect(checkpoints.map((c) => c.seq)).toEqual([
      5,
      AUDIT_LANE_SPAN + 5,
      2 * AUDIT_LANE_SPAN + 1,
    ]);
    expect(await verifyAuditLog(ctx.db, checkpoints)).toMatchObject({ ok: true, checkpoints: 3 });

    // Lane 2's tail cut back with its head: the chain alone still holds, its checkpoint does not.
    await cutAuditLaneBack(ctx.db, 2, AUDIT_LANE_SPAN + 4);
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    expect(await verifyAuditLog(ctx.db, checkpoints)).toMatchObject({
      ok: false,
      guarantee: 'checkpoint-truncation',
      firstBadSeq: AUDIT_LANE_SPAN + 5,
    });

    // Lane 3 removed whole, head and events.
    const lane3Only: AuditCheckpoint[] = checkpoints.slice(2);
    await ctx.db
      .deleteFrom('audit_events')
      .where('seq', '>', 2 * AUDIT_LANE_SPAN)
      .execute();
    await ctx.db.deleteFrom('audit_head').where('id', '=', 3).execute();
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    const report = await verifyAuditLog(ctx.db, lane3Only);
    expect(report).toMatchObject({ ok: false, guarantee: 'checkpoint-truncation' });
    expect(report.reason).toMatch(/lane 3 is gone/);
  });

  it('migration 0280 goes down only while lane 1 is the only lane, and up again', async () => {
    const headTo = (id: number) =>
      sql`insert into audit_head (id, last_seq, last_hash) values (${id}, ${auditLaneBase(id)}, ${AUDIT_GENESIS_HASH})`.execute(
        ctx.db,
      );
    const refused = await createMigrator(ctx.db).migrateTo('0270_triage_versions');
    expect(refused.error).toBeInstanceOf(Error);
    expect(String(refused.error)).toMatch(/audit lanes other than 1/);
    expect((await readAuditHeads(ctx.db)).map((h) => h.lane)).toEqual([1, 2, 3]);

    await fresh();
    const down = await createMigrator(ctx.db).migrateTo('0270_triage_versions');
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => r.migrationName)).toEqual(['0280_audit_lanes']);
    await expect(headTo(2)).rejects.toThrow();
    expect(await migrateToLatest(ctx.db)).toEqual(['0280_audit_lanes']);
    await headTo(AUDIT_LANES);
    await expect(headTo(0)).rejects.toThrow();
    await openAuditLane(lane2, 2);
    await appendAuditEvent(lane2, event(1));
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true, checked: 1, lanes: 3 });
  });
});
