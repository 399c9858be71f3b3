import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describePostgres } from '../../test/dialects.ts';
import {
  flushCheckInInserts,
  holdCheckInInserts,
  moveSessionsAlong,
  movesTriageVersions,
} from './checkins.repository.ts';
import { type Db, withTransaction } from './db.ts';
import { preferGenericPlans } from './pg-prepared.ts';
import { findSessionsForCheckIn } from './sessions.repository.ts';
import { checkInWithAssessment, type SeededSession, seedSession } from './test-fixtures.ts';

/**
 * Decision 1471: a check-in group's rows statement takes its sessions' row locks in id order,
 * as the read of a group does, whatever order the table holds them in. Two groups of the same
 * sessions then wait for each other in turn and never each hold what the other wants.
 */
describePostgres('session lock order', (ctx) => {
  /** Until `n` statements of this database wait for a lock. */
  async function untilWaiting(n: number): Promise<void> {
    let waiting = 0;
    for (let i = 0; i < 200 && waiting < n; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(ctx.db);
      waiting = Number(rows[0]?.n ?? 0);
    }
    expect(waiting).toBe(n);
  }

  it('a group written on kept versions waits behind a group reading the same sessions, and neither deadlocks', async () => {
    const seeded: SeededSession[] = [];
    for (let i = 0; i < 4; i += 1) seeded.push(await seedSession(ctx.db));
    const ids = seeded.map((s) => s.session.id).sort();
    const first = ids[0] as string;
    // The first by id moves to the end of the table: a scan of the table meets it last.
    await sql`update needling_sessions set performed_at = performed_at where id = ${first}`.execute(
      ctx.db,
    );
    const { rows: inTableOrder } = await sql<{ id: string }>`select id from needling_sessions
      where id = any(${ids}::text[]) order by ctid`.execute(ctx.db);
    expect(inTableOrder.at(-1)?.id).toBe(first);
    const { rows: versions } = await sql<{ id: string; v: string }>`
      select id, triage_version as v from needling_sessions where id = any(${ids}::text[])
      order by id`.execute(ctx.db);

    // Someone holds the first session, so both groups queue for it: the reading group first.
    let release = () => {};
    let held = () => {};
    const holding = new Promise<void>((r) => {
      held = r;
    });
    const holder = withTransaction(ctx.db, async (trx) => {
      await sql`select id from needling_sessions where id = ${first} for no key update`.execute(
        trx,
      );
      held();
      await new Promise<void>((r) => {
        release = r;
      });
    });
    await holding;
    const reading = withTransaction(ctx.db, (trx) => findSessionsForCheckIn(trx, ids));
    await untilWaiting(1);
    // A group on the versions its process kept: no read, straight to its rows statement, with
    // the plan a group uses (the table is small: a scan of it, in the table's order).
    const writing = withTransaction(ctx.db, async (trx: Db) => {
      await preferGenericPlans(trx);
      await movesTriageVersions(trx);
      holdCheckInInserts(trx);
      for (const [i, s] of seeded.entries()) await checkInWithAssessment(trx, s, i);
      moveSessionsAlong(trx, {
        ids: versions.map((r) => r.id),
        versions: versions.map((r) => Number(r.v)),
      });
      await flushCheckInInserts(trx);
    });
    await untilWaiting(2);
    release();
    await holder;
    // Taking the others before the first, the rows statement would hold what the reading
    // group wants next while waiting for the first, which the reading group holds: a deadlock,
    // found after `deadlock_timeout`, failing one of the two.
    const outcomes = await Promise.allSettled([reading, writing]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual([
      'ok',
      'ok',
    ]);
    const { rows: after } = await sql<{ v: string }>`select triage_version as v
      from needling_sessions where id = any(${ids}::text[]) order by id`.execute(ctx.db);
    expect(after.map((r) => Number(r.v))).toEqual(versions.map((r) => Number(r.v) + 1));
  });
});
