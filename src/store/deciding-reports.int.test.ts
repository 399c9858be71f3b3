import fc from 'fast-check';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { decidingReports } from '../clinical/triage.ts';
import type { SymptomCode } from '../clinical/types.ts';
import {
  decidingReportsQuery,
  insertCheckIn,
  listDecidingReportsForSessions,
  listReportsForSessions,
} from './checkins.repository.ts';
import { dialectOf } from './db.ts';
import { FIXED_NOW, seedAnotherSession, seedSession, sqlitePlansOf } from './test-fixtures.ts';

/** One stored report: its hour, soreness (null with a red flag) and when it arrived. */
const storedArb = fc.record({
  hoursAfter: fc.oneof(
    fc.constantFrom(2, 24, 48, 72.5),
    fc.double({ min: 0, max: 300, noNaN: true }),
  ),
  soreness: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
  receivedMinute: fc.integer({ min: 0, max: 5 }),
});

describeEachDialect('listDecidingReportsForSessions', (ctx) => {
  it("reads exactly the core's deciding reports of each session, in the order received", async () => {
    const seeded = await seedSession(ctx.db);
    const { clinic } = seeded;
    const newSession = () => seedAnotherSession(ctx.db, seeded);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(storedArb, { maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        async (histories) => {
          const ids: string[] = [];
          for (const history of histories) {
            const session = await newSession();
            ids.push(session.id);
            for (const r of history) {
              const symptoms: SymptomCode[] = r.soreness === null ? ['chest_pain'] : [];
              await insertCheckIn(ctx.db, {
                sessionId: session.id,
                clinicId: clinic.id,
                receivedAt: new Date(Date.parse(FIXED_NOW) + r.receivedMinute * 60_000),
                hoursAfter: r.hoursAfter,
                soreness: r.soreness,
                symptoms,
                source: 'patient',
              });
            }
          }
          const all = await listReportsForSessions(ctx.db, ids);
          const deciding = await listDecidingReportsForSessions(ctx.db, [
            ...ids,
            'no-such-session',
          ]);
          for (const id of ids) {
            expect(deciding.get(id)).toEqual(decidingReports(all.get(id) ?? []));
          }
          expect(deciding.get('no-such-session')).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('seeks each hour in check_ins_session_hours, never scanning check-ins', async () => {
    if (dialectOf(ctx.db) !== 'sqlite') return; // PostgreSQL plans seq scans on tables this small
    const { session } = await seedSession(ctx.db);
    const [details = []] = await sqlitePlansOf(ctx.db, (db) =>
      listDecidingReportsForSessions(db, [session.id]),
    );
    expect(details.filter((d) => /^SCAN (c|p|check_ins)\b/.test(d))).toEqual([]);
    const seeks = details.filter((d) =>
      d.includes('check_ins_session_hours (session_id=? AND hours_after=?)'),
    );
    expect(seeks).toHaveLength(2); // the latest hour, and the one before it
    // The latest hour is looked up once per session, not again as the bound of the hour
    // before it (decision 1460).
    expect(details).toContain('MATERIALIZE last_hour');
    expect(
      details.filter((d) => d.includes('check_ins_session_hours (session_id=?)')),
    ).toHaveLength(1);
  });

  it('seeks each hour on PostgreSQL too, in a generic plan made while check-ins were few', async () => {
    if (dialectOf(ctx.db) !== 'postgres') return; // SQLite: the test above
    const { clinic, session } = await seedSession(ctx.db);
    const query = decidingReportsQuery(ctx.db, [session.id]).compile();
    const run = `execute deciding(${query.parameters.map(pgLiteral).join(', ')})`;
    const scans = await ctx.db.transaction().execute(async (trx) => {
      // As the app's pool runs it (decision 1414): one generic plan, made at the first call.
      await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
      await sql.raw(`prepare deciding as ${query.sql}`).execute(trx);
      await sql.raw(run).execute(trx);
      // The table grows under the plan; nothing analyses it in between.
      for (let i = 0; i < 40; i++) {
        await insertCheckIn(trx, {
          sessionId: session.id,
          clinicId: clinic.id,
          receivedAt: new Date(Date.parse(FIXED_NOW) + i * 60_000),
          hoursAfter: i,
          soreness: 3,
          symptoms: [],
          source: 'patient',
        });
      }
      const plan = await sql
        .raw<{ 'QUERY PLAN': unknown }>(`explain (format json) ${run}`)
        .execute(trx);
      await sql`deallocate deciding`.execute(trx);
      return planNodes(plan.rows[0]?.['QUERY PLAN']).filter(
        (n) => n['Relation Name'] === 'check_ins',
      );
    });
    // Four reads of check_ins: each session's latest hour (once, decision 1460), the hour
    // before it, and the reports of the two.
    expect(scans).toHaveLength(4);
    // Every read of check_ins goes through check_ins_session_hours, never the whole table.
    expect(scans.filter((n) => n['Index Name'] !== 'check_ins_session_hours')).toEqual([]);
  });
});

/** A value of a compiled query as a PostgreSQL literal, for `execute name(...)`. */
function pgLiteral(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = Array.isArray(value) ? `{${value.map(String).join(',')}}` : String(value);
  return `'${text.replaceAll("'", "''")}'`;
}

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

/** Every node of an `explain (format json)` answer. */
function planNodes(explained: unknown): PlanNode[] {
  const roots = (explained as { Plan: PlanNode }[]).map((e) => e.Plan);
  const all: PlanNode[] = [];
  const walk = (n: PlanNode) => {
    all.push(n);
    for (const child of n.Plans ?? []) walk(child);
  };
  for (const root of roots) walk(root);
  return all;
}
