import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { acknowledgeAlert, insertAlert, resolveAlert } from './alerts.repository.ts';
import { dialectOf } from './db.ts';
import { createMigrator, MIGRATIONS, migrateToLatest } from './migrations.ts';
import { FIXED_NOW, seedSession } from './test-fixtures.ts';

describeEachDialect('migrations', (ctx) => {
  it('reports the dialect it runs on', () => {
    expect(dialectOf(ctx.db)).toBe(ctx.dialect);
  });

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrateToLatest(ctx.db)).toEqual([]);
    expect(await migrateToLatest(ctx.db)).toEqual([]);
  });

  it('records every migration as applied', async () => {
    const rows = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(ctx.db);
    expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS).sort());
  });

  it('creates every table and the audit head at genesis', async () => {
    const tables = (await ctx.db.introspection.getTables()).map((t) => t.name);
    for (const table of [
      'clinics',
      'staff_users',
      'staff_sessions',
      'api_tokens',
      'patients',
      'needling_sessions',
      'session_sites',
      'patient_links',
      'check_ins',
      'assessments',
      'alerts',
      'audit_events',
      'audit_head',
      'idempotency_keys',
      'outbox',
    ]) {
      expect(tables).toContain(table);
    }
    const head = await ctx.db.selectFrom('audit_head').selectAll().execute();
    expect(head).toEqual([{ id: 1, last_seq: 0, last_hash: '0'.repeat(64) }]);
  });

  it("0002: the database keeps each alert's queue rank (status, then severity)", async () => {
    const s = await seedSession(ctx.db);
    const base = {
      clinicId: s.clinic.id,
      sessionId: s.session.id,
      patientId: s.patient.id,
      assessmentId: null,
      createdAt: '2026-11-25T10:00:00Z',
    };
    const rank = async (id: string) =>
      (
        await ctx.db
          .selectFrom('alerts')
          .select('queue_rank')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).queue_rank;
    const emergency = await insertAlert(ctx.db, { ...base, severity: 'emergency' });
    const routine = await insertAlert(ctx.db, { ...base, severity: 'routine' });
    expect(await rank(emergency.id)).toBe(0);
    expect(await rank(routine.id)).toBe(2);
    await acknowledgeAlert(ctx.db, s.clinic.id, emergency.id, s.practitioner.id, FIXED_NOW);
    expect(await rank(emergency.id)).toBe(3);
    await resolveAlert(ctx.db, s.clinic.id, routine.id, s.practitioner.id, FIXED_NOW, null);
    expect(await rank(routine.id)).toBe(8);
  });

  it('enforces foreign keys', async () => {
    await expect(
      ctx.db
        .insertInto('patients')
        .values({
          id: 'p-orphan',
          clinic_id: 'no-such-clinic',
          display_name: 'x',
          email: null,
          phone: null,
          language: 'en',
          created_at: '2026-01-01T00:00:00.000Z',
        })
        .execute(),
    ).rejects.toThrow();
  });
});

describeEachDialect('migration 0140 backfills the search key', (ctx) => {
  it('folds accents and case of patients that existed before it', async () => {
    const migrator = createMigrator(ctx.db);
    const down = await migrator.migrateTo('0001_initial');
    expect(down.error).toBeUndefined();
    await ctx.db
      .insertInto('clinics')
      .values({
        id: 'c-1',
        name: 'Clinic',
        time_zone: 'Europe/Madrid',
        emergency_number: '112',
        contact_phone: '+34 600 000 000',
        default_language: 'es',
        created_at: '2026-01-01T00:00:00.000Z',
      })
      .execute();
    await sql`insert into patients (id, clinic_id, display_name, email, phone, language, created_at)
      values ('p-1', 'c-1', 'Lucía PEÑA', 'Lucia@Example.test', null, 'es', '2026-01-01T00:00:00.000Z')`.execute(
      ctx.db,
    );
    await migrateToLatest(ctx.db);
    const row = await ctx.db
      .selectFrom('patients')
      .select(['search_key', 'erased_at'])
      .executeTakeFirstOrThrow();
    // 0240 then adds the phone's digits as a last line: none here (decision 1227).
    expect(row).toEqual({ search_key: 'lucia pena\nlucia@example.test\n\n', erased_at: null });
  });
});
