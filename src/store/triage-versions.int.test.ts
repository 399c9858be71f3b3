import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { insertCheckIn, type NewCheckIn } from './checkins.repository.ts';
import { type Db, withTransaction } from './db.ts';
import { createMigrator, migrateToLatest } from './migrations.ts';
import { forgetPreparedStatements } from './pg-prepared.ts';
import { FIXED_NOW, type SeededSession, seedSession } from './test-fixtures.ts';

/**
 * Migration 0270 (decision 1461): on PostgreSQL the database moves a session's
 * `triage_version` whenever anything a check-in's triage reads of it changes, whoever writes
 * it; a transaction that says it moves the versions itself is let through.
 */
describeEachDialect('triage versions', (ctx) => {
  const checkInOf = (seeded: SeededSession, hoursAfter = 2): NewCheckIn => ({
    sessionId: seeded.session.id,
    clinicId: seeded.clinic.id,
    receivedAt: FIXED_NOW,
    hoursAfter,
    soreness: 3,
    symptoms: [],
    note: null,
    source: 'patient',
  });
  const versionOf = async (sessionId: string, db: Db = ctx.db) => {
    const { rows } = await sql<{ v: number }>`
      select triage_version as v from needling_sessions where id = ${sessionId}`.execute(db);
    return Number(rows[0]?.v);
  };
  /** Runs `change` and returns by how much it moved the session's version. */
  const moved = async (seeded: SeededSession, change: () => Promise<unknown>) => {
    const before = await versionOf(seeded.session.id);
    await change();
    return (await versionOf(seeded.session.id)) - before;
  };

  it('on PostgreSQL every change a check-in reads moves its session on, once a statement', async () => {
    if (ctx.dialect !== 'postgres') {
      // SQLite keeps no version: a process there reads its sessions every time.
      const columns = await sql<{ name: string }>`
        select name from pragma_table_info('needling_sessions')`.execute(ctx.db);
      expect(columns.rows.map((c) => c.name)).not.toContain('triage_version');
      return;
    }
    const seeded = await seedSession(ctx.db);
    const other = await seedSession(ctx.db);
    const id = seeded.session.id;
    expect(await moved(seeded, () => insertCheckIn(ctx.db, checkInOf(seeded)))).toBe(1);
    // Three rows in one statement: once.
    expect(
      await moved(seeded, () =>
        sql`insert into check_ins (id, session_id, clinic_id, received_at, hours_after,
              soreness, symptoms_json, source)
            select 'bulk-' || g, ${id}, ${seeded.clinic.id}, ${FIXED_NOW}, 3, 2, '[]', 'patient'
            from generate_series(1, 3) as g`.execute(ctx.db),
      ),
    ).toBe(1);
    expect(
      await moved(seeded, () =>
        sql`update check_ins set soreness = 4 where session_id = ${id}`.execute(ctx.db),
      ),
    ).toBe(1);
    expect(
      await moved(seeded, () =>
        sql`update session_sites set side = 'left' where session_id = ${id}`.execute(ctx.db),
      ),
    ).toBe(1);
    expect(
      await moved(seeded, () =>
        sql`insert into patient_links (id, session_id, clinic_id, token_hash, created_at,
              expires_at)
            values ('link-1', ${id}, ${seeded.clinic.id}, 'hash-1', ${FIXED_NOW},
              ${FIXED_NOW})`.execute(ctx.db),
      ),
    ).toBe(1);
    expect(
      await moved(seeded, () =>
        sql`update patient_links set revoked_at = ${FIXED_NOW} where session_id = ${id}`.execute(
          ctx.db,
        ),
      ),
    ).toBe(1);
    expect(
      await moved(seeded, () =>
        sql`update needling_sessions set notes = 'edited' where id = ${id}`.execute(ctx.db),
      ),
    ).toBe(1);
    expect(
      await moved(seeded, () =>
        sql`update clinics set contact_phone = '+44 20 7946 0999'
            where id = ${seeded.clinic.id}`.execute(ctx.db),
      ),
    ).toBe(1);
    // Another session's changes leave this one where it was.
    expect(await moved(seeded, () => insertCheckIn(ctx.db, checkInOf(other)))).toBe(0);
    // A transaction that moves the versions itself (a check-in group) is let through.
    expect(
      await moved(seeded, () =>
        withTransaction(ctx.db, async (trx) => {
          await sql`set local needlecare.triage_versions = 'moved'`.execute(trx);
          await insertCheckIn(trx, checkInOf(seeded, 4));
        }),
      ),
    ).toBe(0);
  });

  it('on PostgreSQL an alert opened, changed or removed moves its session on', async () => {
    if (ctx.dialect !== 'postgres') return;
    const seeded = await seedSession(ctx.db);
    const checkIn = await insertCheckIn(ctx.db, checkInOf(seeded));
    const { rows } = await sql<{ id: string }>`
      select id from assessments where check_in_id = ${checkIn.id}`.execute(ctx.db);
    expect(rows).toHaveLength(0); // an alert names an assessment: make one
    await sql`insert into assessments (id, check_in_id, session_id, clinic_id, disposition,
        rules_json, rulebook_version, phase, thoracic, created_at)
      values ('a-1', ${checkIn.id}, ${seeded.session.id}, ${seeded.clinic.id},
        'urgent_same_day', '[]', '1.1.0', 'early', 0, ${FIXED_NOW})`.execute(ctx.db);
    expect(
      await moved(seeded, () =>
        sql`insert into alerts (id, clinic_id, session_id, patient_id, assessment_id, severity,
            status, created_at)
          values ('al-1', ${seeded.clinic.id}, ${seeded.session.id}, ${seeded.patient.id},
            'a-1', 'urgent', 'open', ${FIXED_NOW})`.execute(ctx.db),
      ),
    ).toBe(1);
    expect(
      await moved(seeded, () =>
        sql`update alerts set severity = 'emergency' where id = 'al-1'`.execute(ctx.db),
      ),
    ).toBe(1);
    expect(
      await moved(seeded, () => sql`delete from alerts where id = 'al-1'`.execute(ctx.db)),
    ).toBe(1);
  });

  it('on PostgreSQL it goes down and up again, the versions and triggers with it', async () => {
    if (ctx.dialect !== 'postgres') return;
    const triggers = async () =>
      (
        await sql<{ tgname: string }>`
          select tgname from pg_trigger where not tgisinternal order by tgname`.execute(ctx.db)
      ).rows.map((r) => r.tgname);
    expect(await triggers()).toContain('check_ins_moves_triage_insert');
    const down = await createMigrator(ctx.db).migrateTo('0260_check_in_session_keys');
    expect(down.results?.map((r) => r.migrationName)).toEqual([
      '0280_audit_lanes',
      '0270_triage_versions',
    ]);
    forgetPreparedStatements(ctx.db);
    expect((await triggers()).filter((t) => t.includes('triage'))).toEqual([]);
    expect(await migrateToLatest(ctx.db)).toEqual(['0270_triage_versions', '0280_audit_lanes']);
    expect((await triggers()).filter((t) => t.includes('triage'))).toHaveLength(14);
  });
});
