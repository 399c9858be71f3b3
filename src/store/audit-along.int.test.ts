import pg from 'pg';
import { expect, it, vi } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { watchPgStatements } from '../../test/pg-round-trips.ts';
import {
  AUDIT_LANE_SPAN,
  appendAuditEvent,
  deferAuditAppends,
  GROUPS_WITHOUT_GUESS_AFTER_A_MISS,
  listAuditEvents,
  openAuditLane,
  recordAuditEvent,
  verifyAuditChain,
} from './audit.repository.ts';
import {
  flushCheckInInserts,
  holdCheckInInserts,
  listCheckInsForSession,
} from './checkins.repository.ts';
import { type Db, withTransaction } from './db.ts';
import { type GroupCommitOptions, groupCommitStats, withGroupCommit } from './group-commit.ts';
import {
  checkInWithAssessment,
  FIXED_NOW,
  type SeededSession,
  seedSession,
} from './test-fixtures.ts';

/** The check-in service's options: rows held, audit events deferred and appended with them. */
const GROUPS: GroupCommitOptions = {
  deferred: deferAuditAppends,
  held: (trx) => {
    holdCheckInInserts(trx);
    return { flush: () => flushCheckInInserts(trx, { lockAuditHead: true }) };
  },
};

/** Text PostgreSQL's array syntax must carry unchanged: quotes, backslashes, braces, NULL. */
const AWKWARD = 'say "hi", \\ {not an array} NULL , \u00e9';

async function item(trx: Db, seeded: SeededSession, i: number, id?: string): Promise<string> {
  const { session } = seeded;
  const { checkIn } = await checkInWithAssessment(trx, seeded, i, id);
  await recordAuditEvent(trx, {
    at: FIXED_NOW,
    clinicId: i % 2 === 0 ? session.clinicId : null,
    actorType: 'patient_link',
    actorId: i % 3 === 0 ? null : `link-${i}`,
    action: 'check_in.create',
    subjectType: 'check_in',
    subjectId: checkIn.id,
    ip: i % 2 === 0 ? null : '127.0.0.1',
    details: { i, note: AWKWARD },
  });
  return checkIn.id;
}

describeEachDialect("a check-in group's audit events appended with its rows", (ctx) => {
  const texts = (sent: { mock: { calls: unknown[][] } }) =>
    sent.mock.calls.map((call) => {
      const q = call[0] as string | { text: string };
      return typeof q === 'string' ? q : q.text;
    });

  async function group(seeded: SeededSession, from: number, n: number, failAt?: string) {
    return Promise.allSettled(
      Array.from({ length: n }, (_, k) =>
        withGroupCommit(
          ctx.db,
          'audit-along',
          (trx) => item(trx, seeded, from + k, k === 1 ? failAt : undefined),
          GROUPS,
        ),
      ),
    );
  }

  it('keeps one valid chain, each event exactly as recorded, whoever else appends', async () => {
    const seeded = await seedSession(ctx.db);
    const other = ctx.openAnother();
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    const statements: number[] = [];
    try {
      for (let round = 0; round < 4 + GROUPS_WITHOUT_GUESS_AFTER_A_MISS; round += 1) {
        // Round 2 follows another handle's event: this handle's guess of the head is wrong.
        if (round === 2) {
          await appendAuditEvent(other, {
            at: FIXED_NOW,
            actorType: 'system',
            action: 'test.other_writer',
            subjectType: 'test',
          });
        }
        sent.mockClear();
        const outcomes = await group(seeded, round * 10, 3);
        expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
        statements.push(texts(sent).length);
      }
    } finally {
      sent.mockRestore();
    }
    if (ctx.dialect === 'postgres') {
      // begin, rows with the events, commit. One more statement when the guess was wrong (round
      // 2), and for the groups after it, which take the head's lock without guessing. Round 0
      // may go either way: the handle guesses from an earlier test or has no guess yet.
      const pause = GROUPS_WITHOUT_GUESS_AFTER_A_MISS;
      expect(statements.slice(1)).toEqual([3, 4, ...Array(pause).fill(4), 3]);
    }
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true });
    const events = (await listAuditEvents(ctx.db, { limit: 1000 })).filter(
      (e) => e.action === 'check_in.create' && e.subjectId !== null,
    );
    const stored = await listCheckInsForSession(ctx.db, seeded.session.id);
    expect(events).toHaveLength(stored.length);
    for (const event of events) {
      const i = event.details.i as number;
      expect(event.details).toEqual({ i, note: AWKWARD });
      expect([event.clinicId, event.actorId, event.ip]).toEqual([
        i % 2 === 0 ? seeded.clinic.id : null,
        i % 3 === 0 ? null : `link-${i}`,
        i % 2 === 0 ? null : '127.0.0.1',
      ]);
    }
    // Every event follows the one before it, with no gap.
    const seqs = (await listAuditEvents(ctx.db, { limit: 1000 })).map((e) => e.seq).reverse();
    expect(seqs).toEqual(seqs.map((_, k) => (seqs[0] ?? 0) + k));
  });

  it('a group guessing the head another group of this process still holds waits for it, and guesses right', async () => {
    if (ctx.dialect !== 'postgres') return; // one connection on SQLite: nothing runs at once
    const seeded = await seedSession(ctx.db);
    // The shared handle: a handle of its own would leave the next test's guesses wrong.
    const db = ctx.db;
    const write = async (trx: Db, i: number) => {
      const deferred = deferAuditAppends(trx);
      holdCheckInInserts(trx);
      await item(trx, seeded, i);
      await flushCheckInInserts(trx, { lockAuditHead: true });
      await deferred.flush();
    };
    // A first group gives the handle its guess of the head (the test before may leave none).
    await withTransaction(db, (trx) => write(trx, 200));
    await withTransaction(db, (trx) => write(trx, 199));
    const sent = watchPgStatements();
    let second: Promise<void> | undefined;
    try {
      await withTransaction(db, async (first) => {
        await write(first, 201);
        // The first holds the head's lock, uncommitted, and moved it to what the second
        // guesses. The second's rows statement waits for that lock on another connection.
        second = withTransaction(db, (trx) => write(trx, 202));
        await new Promise((r) => setTimeout(r, 300));
      });
      await second;
      // Neither group had to chain again from a head it did not guess (decision 1434): no
      // follow-up append after a rows statement.
      expect(sent.texts().filter((t) => t.includes('with "appended"'))).toEqual([]);
    } finally {
      sent.restore();
    }
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true });
    expect(await listCheckInsForSession(ctx.db, seeded.session.id)).toHaveLength(4);
  });

  it('a group does not guess the head while a lone event of this process is in flight, and guesses again after (decision 1474)', async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite's writers take turns on its write lock
    const seeded = await seedSession(ctx.db);
    // Past any pause an earlier test's wrong guess left: the groups guess again.
    for (let round = 0; round <= GROUPS_WITHOUT_GUESS_AFTER_A_MISS; round += 1)
      await group(seeded, 600 + round * 10, 2);
    // Another connection holds the head's lock and moves nothing: what comes next queues.
    const holder = new pg.Client({ connectionString: ctx.config.databaseUrl });
    await holder.connect();
    await holder.query('begin');
    await holder.query('select 1 from audit_head where id = 1 for update');
    const sent = watchPgStatements();
    try {
      // A page view's event, alone on this handle, asks for the head first; then a group,
      // which would guess the head from this process's last append, before the lone event.
      const lone = appendAuditEvent(ctx.db, {
        at: FIXED_NOW,
        actorType: 'staff',
        action: 'test.page_view',
        subjectType: 'test',
      });
      await new Promise((r) => setTimeout(r, 50));
      const grouped = group(seeded, 800, 3);
      await new Promise((r) => setTimeout(r, 200));
      await holder.query('rollback');
      await lone;
      expect((await grouped).every((o) => o.status === 'fulfilled')).toBe(true);
      // The group's rows went once, carrying no events: it took the head's lock and appended
      // its events after the lone event's, chained from the head it locked.
      const rows = sent.texts().filter((t) => t.includes('insert into "check_ins"'));
      expect(rows).toHaveLength(1);
      expect(rows[0]).not.toContain('insert into "audit_events"');
      sent.clear();
      // No pause follows: the next group guesses again (begin, rows with the events, commit).
      expect((await group(seeded, 900, 2)).every((o) => o.status === 'fulfilled')).toBe(true);
      expect(sent.texts()).toHaveLength(3);
    } finally {
      sent.restore();
      await holder.end();
    }
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true });
    expect(await listCheckInsForSession(ctx.db, seeded.session.id)).toHaveLength(
      2 * (GROUPS_WITHOUT_GUESS_AFTER_A_MISS + 1) + 3 + 2,
    );
  });

  it('a row that cannot be written fails its own item; the chain goes on from the rerun', async () => {
    const seeded = await seedSession(ctx.db);
    const [taken] = await group(seeded, 100, 1);
    const takenId = taken?.status === 'fulfilled' ? taken.value : '';
    const before = groupCommitStats(ctx.db, 'audit-along');
    // The second item reuses a stored id: the rows' statement fails, events and all, and the
    // group runs again with a savepoint per item.
    const outcomes = await group(seeded, 110, 3, takenId);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(groupCommitStats(ctx.db, 'audit-along').reruns - before.reruns).toBe(1);
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    try {
      const next = await group(seeded, 120, 2);
      expect(next.every((o) => o.status === 'fulfilled')).toBe(true);
      // The rerun appended as a plain append does and left the guess right again.
      if (ctx.dialect === 'postgres')
        expect(texts(sent), JSON.stringify(texts(sent))).toHaveLength(3);
    } finally {
      sent.mockRestore();
    }
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true });
    expect(await listCheckInsForSession(ctx.db, seeded.session.id)).toHaveLength(5);
  });

  it('another writer on a lane of its own never makes the guess wrong (decision 1473)', async () => {
    const seeded = await seedSession(ctx.db);
    const other = ctx.openAnother();
    await openAuditLane(other, 2);
    // Past any pause an earlier test's wrong guess left.
    for (let round = 0; round <= GROUPS_WITHOUT_GUESS_AFTER_A_MISS; round += 1)
      await group(seeded, 200 + round * 10, 2);
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    const statements: number[] = [];
    try {
      for (let round = 0; round < 4; round += 1) {
        await appendAuditEvent(other, {
          at: FIXED_NOW,
          actorType: 'system',
          action: 'test.other_lane',
          subjectType: 'test',
        });
        sent.mockClear();
        const outcomes = await group(seeded, 400 + round * 10, 3);
        expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
        statements.push(texts(sent).length);
      }
    } finally {
      sent.mockRestore();
    }
    // begin, rows with the events, commit: every guess right, though the other writer
    // appended before each group. On lane 1 it made the next 17 groups' statements 4 (above).
    if (ctx.dialect === 'postgres') expect(statements).toEqual([3, 3, 3, 3]);
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true, lanes: 2 });
    await ctx.db.deleteFrom('audit_events').where('seq', '>', AUDIT_LANE_SPAN).execute();
    await ctx.db.deleteFrom('audit_head').where('id', '=', 2).execute();
  });
});
