import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { insertAssessment, insertCheckIn, type NewCheckIn } from './checkins.repository.ts';
import { dialectOf } from './db.ts';
import { createMigrator, migrateToLatest } from './migrations.ts';
import { forgetPreparedStatements } from './pg-prepared.ts';
import { FIXED_NOW, type SeededSession, seedClinic, seedSession } from './test-fixtures.ts';

/**
 * Migration 0260 (decision 1459): on PostgreSQL a check-in's and an assessment's session and
 * clinic are one key into `needling_sessions (id, clinic_id)`; SQLite keeps its five checks.
 */
describeEachDialect('check-in session keys', (ctx) => {
  const checkInOf = (seeded: SeededSession, clinicId: string): NewCheckIn => ({
    sessionId: seeded.session.id,
    clinicId,
    receivedAt: FIXED_NOW,
    hoursAfter: 2,
    soreness: 3,
    symptoms: ['tenderness'],
    note: null,
    source: 'patient',
  });
  const assessmentOf = (seeded: SeededSession, checkInId: string, clinicId: string) => ({
    checkInId,
    sessionId: seeded.session.id,
    clinicId,
    disposition: 'self_care' as const,
    rules: ['R1'],
    rulebookVersion: '1.1.0',
    phase: 'early' as const,
    thoracic: false,
    createdAt: FIXED_NOW,
  });
  const checkInsOf = async (sessionId: string) =>
    (
      await ctx.db
        .selectFrom('check_ins')
        .select('id')
        .where('session_id', '=', sessionId)
        .execute()
    ).length;

  /** Each table's foreign keys as `columns → table (columns)`, sorted. */
  const foreignKeys = async (table: string): Promise<string[]> => {
    if (dialectOf(ctx.db) === 'sqlite') {
      const { rows } = await sql<{
        id: number;
        table: string;
        from: string;
        to: string;
      }>`select id, "table", "from", "to" from pragma_foreign_key_list(${table}) order by id, seq`.execute(
        ctx.db,
      );
      const byId = new Map<number, { from: string[]; to: string[]; table: string }>();
      for (const r of rows) {
        const key = byId.get(r.id) ?? { from: [], to: [], table: r.table };
        key.from.push(r.from);
        key.to.push(r.to);
        byId.set(r.id, key);
      }
      return [...byId.values()]
        .map((k) => `${k.from.join(', ')} → ${k.table} (${k.to.join(', ')})`)
        .sort();
    }
    const { rows } = await sql<{ def: string }>`
      select pg_get_constraintdef(oid) as def from pg_constraint
      where conrelid = ${table}::regclass and contype = 'f'`.execute(ctx.db);
    return rows
      .map((r) => {
        const m = /^FOREIGN KEY \((.+)\) REFERENCES (\w+)\((.+)\)$/.exec(r.def);
        return m === null ? r.def : `${m[1]} → ${m[2]} (${m[3]})`;
      })
      .sort();
  };

  it('checks a row against its session and clinic as one key on PostgreSQL, five checks on SQLite', async () => {
    if (dialectOf(ctx.db) === 'postgres') {
      expect(await foreignKeys('check_ins')).toEqual([
        'session_id, clinic_id → needling_sessions (id, clinic_id)',
      ]);
      expect(await foreignKeys('assessments')).toEqual([
        'check_in_id → check_ins (id)',
        'session_id, clinic_id → needling_sessions (id, clinic_id)',
      ]);
    } else {
      expect(await foreignKeys('check_ins')).toEqual([
        'clinic_id → clinics (id)',
        'session_id → needling_sessions (id)',
      ]);
      expect(await foreignKeys('assessments')).toEqual([
        'check_in_id → check_ins (id)',
        'clinic_id → clinics (id)',
        'session_id → needling_sessions (id)',
      ]);
    }
  });

  it('stores a check-in and its assessment whose clinic is their session’s', async () => {
    const seeded = await seedSession(ctx.db);
    const checkIn = await insertCheckIn(ctx.db, checkInOf(seeded, seeded.clinic.id));
    await insertAssessment(ctx.db, assessmentOf(seeded, checkIn.id, seeded.clinic.id));
    expect(await checkInsOf(seeded.session.id)).toBe(1);
  });

  it('refuses a check-in or an assessment for a session that does not exist', async () => {
    const seeded = await seedSession(ctx.db);
    const missing = { ...seeded, session: { ...seeded.session, id: 'no-such-session' } };
    await expect(insertCheckIn(ctx.db, checkInOf(missing, seeded.clinic.id))).rejects.toMatchObject(
      { code: expect.stringMatching(/^(23503|SQLITE_CONSTRAINT_FOREIGNKEY)$/) },
    );
    const checkIn = await insertCheckIn(ctx.db, checkInOf(seeded, seeded.clinic.id));
    await expect(
      insertAssessment(ctx.db, assessmentOf(missing, checkIn.id, seeded.clinic.id)),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/^(23503|SQLITE_CONSTRAINT_FOREIGNKEY)$/),
    });
  });

  it('refuses, on PostgreSQL, a check-in or an assessment filed under another clinic than its session’s', async () => {
    if (dialectOf(ctx.db) !== 'postgres') return;
    const seeded = await seedSession(ctx.db);
    const other = await seedClinic(ctx.db, 'Another Clinic');
    await expect(insertCheckIn(ctx.db, checkInOf(seeded, other.id))).rejects.toMatchObject({
      code: '23503',
      constraint: 'check_ins_session_clinic_fkey',
    });
    expect(await checkInsOf(seeded.session.id)).toBe(0);
    const checkIn = await insertCheckIn(ctx.db, checkInOf(seeded, seeded.clinic.id));
    await expect(
      insertAssessment(ctx.db, assessmentOf(seeded, checkIn.id, other.id)),
    ).rejects.toMatchObject({ code: '23503', constraint: 'assessments_session_clinic_fkey' });
  });

  it('checks the rows already stored when it runs: a row filed under another clinic stops it, and the schema stays as it was', async () => {
    if (dialectOf(ctx.db) !== 'postgres') return;
    const down = await createMigrator(ctx.db).migrateTo('0250_assessments_session_raised');
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => r.migrationName)).toEqual([
      '0280_audit_lanes',
      '0270_triage_versions',
      '0260_check_in_session_keys',
    ]);
    // 0270 took a column away: statements prepared with it are parsed afresh.
    forgetPreparedStatements(ctx.db);
    expect(await foreignKeys('check_ins')).toEqual([
      'clinic_id → clinics (id)',
      'session_id → needling_sessions (id)',
    ]);
    // Before 0260 a check-in could name any clinic.
    const seeded = await seedSession(ctx.db);
    const other = await seedClinic(ctx.db, 'Another Clinic');
    const stray = await insertCheckIn(ctx.db, checkInOf(seeded, other.id));
    await expect(migrateToLatest(ctx.db)).rejects.toMatchObject({ code: '23503' });
    expect(await foreignKeys('check_ins')).toEqual([
      'clinic_id → clinics (id)',
      'session_id → needling_sessions (id)',
    ]);
    // With the stray row gone, the migration goes through and keeps the rows that fit.
    await ctx.db.deleteFrom('check_ins').where('id', '=', stray.id).execute();
    const kept = await insertCheckIn(ctx.db, checkInOf(seeded, seeded.clinic.id));
    expect(await migrateToLatest(ctx.db)).toEqual([
      '0260_check_in_session_keys',
      '0270_triage_versions',
      '0280_audit_lanes',
    ]);
    expect(await foreignKeys('check_ins')).toEqual([
      'session_id, clinic_id → needling_sessions (id, clinic_id)',
    ]);
    expect(
      await ctx.db.selectFrom('check_ins').select('id').where('id', '=', kept.id).execute(),
    ).toEqual([{ id: kept.id }]);
  });
});
