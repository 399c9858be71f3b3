import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  insertAssessment,
  insertCheckIn,
  listCheckInsForSession,
  listReportsForSessions,
} from './checkins.repository.ts';
import { dialectOf } from './db.ts';
import { FIXED_NOW, seedAnotherSession, seedSession, sqlitePlansOf } from './test-fixtures.ts';

/**
 * Decision 1424: no index by session on check-ins but `check_ins_session_hours`; on assessments
 * only the partial `assessments_session_raised` (decision 1454).
 */
describeEachDialect('check-in indexes', (ctx) => {
  it('the check-in tables keep one session-keyed index between them', async () => {
    const names = async (table: string): Promise<string[]> => {
      if (dialectOf(ctx.db) === 'sqlite') {
        const { rows } = await sql<{
          name: string;
        }>`select name from pragma_index_list(${table})`.execute(ctx.db);
        return rows.map((r) => r.name);
      }
      const { rows } = await sql<{
        indexname: string;
      }>`select indexname from pg_indexes where tablename = ${table}`.execute(ctx.db);
      return rows.map((r) => r.indexname);
    };
    const checkIns = await names('check_ins');
    expect(checkIns).toEqual(
      expect.arrayContaining(['check_ins_session_hours', 'check_ins_clinic_received']),
    );
    expect(checkIns).not.toContain('check_ins_session');
    const assessments = await names('assessments');
    expect(assessments).not.toContain('assessments_session');
    // Decision 1454: one index by session on assessments, holding only the reports above
    // self-care, so a self-care check-in writes nothing into it.
    expect(assessments).toContain('assessments_session_raised');
    const definition =
      dialectOf(ctx.db) === 'sqlite'
        ? (
            await sql<{
              sql: string;
            }>`select sql from sqlite_master where name = 'assessments_session_raised'`.execute(
              ctx.db,
            )
          ).rows[0]?.sql
        : (
            await sql<{
              indexdef: string;
            }>`select indexdef from pg_indexes where indexname = 'assessments_session_raised'`.execute(
              ctx.db,
            )
          ).rows[0]?.indexdef;
    expect(definition?.replace(/[\s"()]|::text/g, '')).toMatch(/wheredisposition<>'self_care'$/i);
  });

  it("a session's timeline comes back in the order received, each check-in with its assessment", async () => {
    const seeded = await seedSession(ctx.db);
    const other = await seedAnotherSession(ctx.db, seeded);
    const { session, clinic } = seeded;
    // Received in this order; the hours go back once (a clock corrected), so only
    // `received_at` gives the order.
    const hours = [3, 1, 2];
    const ids: string[] = [];
    for (const [i, hoursAfter] of hours.entries()) {
      for (const s of [session, other]) {
        const checkIn = await insertCheckIn(ctx.db, {
          sessionId: s.id,
          clinicId: clinic.id,
          receivedAt: new Date(Date.parse(FIXED_NOW) + i * 60_000),
          hoursAfter,
          soreness: i,
          symptoms: [],
          note: null,
          source: 'patient',
        });
        if (s === session) ids.push(checkIn.id);
        if (i !== 1) {
          await insertAssessment(ctx.db, {
            checkInId: checkIn.id,
            sessionId: s.id,
            clinicId: clinic.id,
            disposition: 'self_care',
            rules: [],
            rulebookVersion: '1.1.0',
            phase: 'early',
            thoracic: false,
            createdAt: FIXED_NOW,
          });
        }
      }
    }
    const timeline = await listCheckInsForSession(ctx.db, session.id);
    expect(timeline.map((c) => c.id)).toEqual(ids);
    expect(timeline.map((c) => c.assessment?.checkInId ?? null)).toEqual([ids[0], null, ids[2]]);
    const reports = (await listReportsForSessions(ctx.db, [session.id, other.id])).get(session.id);
    expect(reports?.map((r) => r.id)).toEqual(ids);

    if (dialectOf(ctx.db) !== 'sqlite') return; // PostgreSQL plans seq scans on tables this small
    const plans = await sqlitePlansOf(ctx.db, async (db) => {
      await listCheckInsForSession(db, session.id);
      await listReportsForSessions(db, [session.id, other.id]);
    });
    expect(plans).toHaveLength(3);
    for (const details of plans) {
      expect(details.filter((d) => /^SCAN /.test(d))).toEqual([]);
      expect(details.some((d) => d.includes('check_ins_session_hours (session_id=?)'))).toBe(true);
    }
  });
});
