import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from './db.ts';
import { withKeys } from './keyring.ts';
import { createMigrator, migrateToLatest } from './migrations.ts';
import { TEST_KEYS } from './test-keys.ts';

/**
 * 0110 rebuilds `check_ins` on SQLite (a column cannot lose NOT NULL there): the rows, the
 * assessments pointing at them and the foreign keys must come through untouched. PostgreSQL
 * drops the constraint in place; the API tests store a null soreness on both dialects.
 */
describe('migration 0110_soreness_optional on a SQLite file with data', () => {
  let dir: string | undefined;
  let db: Db | undefined;
  afterEach(async () => {
    await db?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps check-ins, assessments and foreign keys, and then takes a null soreness', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nc-0110-'));
    db = withKeys(createDb({ sqlitePath: join(dir, 'needlecare.db') }), TEST_KEYS);
    const to = await createMigrator(db).migrateTo('0001_initial');
    expect(to.error).toBeUndefined();
    const at = '2026-11-25T10:00:00.000Z';
    await sql`insert into clinics (id, name, time_zone, emergency_number, contact_phone, created_at)
      values ('c1', 'Clinic', 'Europe/Madrid', '112', '+34 900 000 000', ${at})`.execute(db);
    await sql`insert into patients (id, clinic_id, display_name, created_at)
      values ('p1', 'c1', 'Ana', ${at})`.execute(db);
    await sql`insert into needling_sessions (id, clinic_id, patient_id, performed_at, created_at)
      values ('s1', 'c1', 'p1', ${at}, ${at})`.execute(db);
    await sql`insert into check_ins (id, session_id, clinic_id, received_at, hours_after, soreness,
      symptoms_json, note, source)
      values ('k1', 's1', 'c1', ${at}, 4, 6, '["bruising"]', 'a note', 'patient')`.execute(db);
    await sql`insert into assessments (id, check_in_id, session_id, clinic_id, disposition,
      rulebook_version, phase, created_at)
      values ('a1', 'k1', 's1', 'c1', 'self_care', '1.0.0', 'early', ${at})`.execute(db);

    expect(await migrateToLatest(db)).toContain('0110_soreness_optional');

    const rows = await db.selectFrom('check_ins').selectAll().execute();
    expect(rows).toEqual([
      {
        id: 'k1',
        session_id: 's1',
        clinic_id: 'c1',
        received_at: at,
        hours_after: 4,
        soreness: 6,
        symptoms_json: '["bruising"]',
        note: 'a note',
        source: 'patient',
      },
    ]);
    const fks = await sql<{ table: string }>`pragma foreign_key_list(assessments)`.execute(db);
    expect(fks.rows.map((r) => r.table)).toContain('check_ins');
    const indexes = await sql<{ name: string }>`pragma index_list(check_ins)`.execute(db);
    // The rebuild's `check_ins_session` is dropped again by 0220 (decision 1424).
    expect(indexes.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['check_ins_session_hours', 'check_ins_clinic_received']),
    );
    expect((await sql`pragma foreign_keys`.execute(db)).rows).toEqual([{ foreign_keys: 1 }]);
    await sql`insert into check_ins (id, session_id, clinic_id, received_at, hours_after, soreness,
      source) values ('k2', 's1', 'c1', ${at}, 5, null, 'emergency_button')`.execute(db);
    // Foreign keys still bite on the rebuilt table.
    await expect(
      sql`insert into check_ins (id, session_id, clinic_id, received_at, hours_after, source)
        values ('k3', 'nope', 'c1', ${at}, 5, 'patient')`.execute(db),
    ).rejects.toThrow(/FOREIGN KEY/);
    await expect(
      sql`insert into check_ins (id, session_id, clinic_id, received_at, hours_after, source)
        values ('k4', 's1', 'c1', ${at}, 5, 'other')`.execute(db),
    ).rejects.toThrow(/CHECK/);
  });
});
