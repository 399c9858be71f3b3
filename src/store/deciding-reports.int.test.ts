import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { decidingReports } from '../clinical/triage.ts';
import type { SymptomCode } from '../clinical/types.ts';
import {
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
  });
});
