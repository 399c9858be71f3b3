import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from './db.ts';
import { withKeys } from './keyring.ts';
import { createMigrator } from './migrations.ts';
import { searchPatients } from './patients.repository.ts';
import { seedClinic } from './test-fixtures.ts';
import { TEST_KEYS } from './test-keys.ts';

/**
 * 0240 computes every patient's search key again with the phone's digits as a last line
 * (decision 1227): a patient recorded before it is found by a number typed without spaces.
 */
describe('migration 0240_patient_search_key_phone_digits on a SQLite file with patients', () => {
  let dir: string | undefined;
  let db: Db | undefined;
  afterEach(async () => {
    await db?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('gives an existing patient the digits line and leaves an erased one unfindable', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nc-0240-'));
    db = withKeys(createDb({ sqlitePath: join(dir, 'needlecare.db') }), TEST_KEYS);
    const to = await createMigrator(db).migrateTo('0230_audit_seq_without_autoincrement');
    expect(to.error).toBeUndefined();
    const clinic = await seedClinic(db);
    const row = (id: string, phone: string | null, key: string, erasedAt: string | null) => ({
      id,
      clinic_id: clinic.id,
      display_name: id === 'p-erased' ? 'Erased patient' : 'Olga Older',
      email: null,
      phone,
      language: 'en',
      created_at: '2026-11-20T10:00:00.000Z',
      search_key: key,
      erased_at: erasedAt,
    });
    // As 0140 wrote keys: name, e-mail and phone, one per line.
    await db
      .insertInto('patients')
      .values([
        row('p-older', '+44 7700 900777', 'olga older\n\n+44 7700 900777', null),
        row('p-erased', null, '', '2026-11-21T10:00:00.000Z'),
      ])
      .execute();
    expect(await searchPatients(db, clinic.id, '07700900777', 10)).toEqual([]);

    const up = await createMigrator(db).migrateTo('0240_patient_search_key_phone_digits');
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => r.migrationName)).toEqual([
      '0240_patient_search_key_phone_digits',
    ]);

    const keys = await db
      .selectFrom('patients')
      .select(['id', 'search_key'])
      .orderBy('id')
      .execute();
    expect(keys).toEqual([
      { id: 'p-erased', search_key: '' },
      { id: 'p-older', search_key: 'olga older\n\n+44 7700 900777\n447700900777' },
    ]);
    expect((await searchPatients(db, clinic.id, '07700900777', 10)).map((p) => p.id)).toEqual([
      'p-older',
    ]);
  });
});
