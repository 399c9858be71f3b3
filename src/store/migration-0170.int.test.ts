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
 * 0170 rebuilds `staff_users` on SQLite (the column's UNIQUE cannot be dropped there): people,
 * their sessions and tokens come through; an address may then be in two clinics but not twice
 * in one; tokens made before it expire 90 days after the migration (decisions 1330, 1331).
 * The PostgreSQL path runs in every PostgreSQL suite (each migrates a fresh database).
 */
describe('migration 0170 on a SQLite file with data', () => {
  let dir: string | undefined;
  let db: Db | undefined;
  afterEach(async () => {
    await db?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps staff, sessions and tokens; e-mail unique per clinic; old tokens get 90 days', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nc-0170-'));
    db = withKeys(createDb({ sqlitePath: join(dir, 'needlecare.db') }), TEST_KEYS);
    const to = await createMigrator(db).migrateTo('0141_patient_erasure_and_retention');
    expect(to.error).toBeUndefined();
    const at = '2025-01-10T10:00:00.000Z';
    for (const c of ['c1', 'c2'])
      await sql`insert into clinics (id, name, time_zone, emergency_number, contact_phone, created_at)
        values (${c}, ${c}, 'Europe/Madrid', '112', '+34 900 000 000', ${at})`.execute(db);
    await sql`insert into staff_users (id, clinic_id, email, display_name, role, password_hash,
      created_at) values ('u1', 'c1', 'ana@x.test', 'Ana', 'admin', 'h', ${at})`.execute(db);
    await sql`insert into staff_sessions (id_hash, user_id, clinic_id, csrf_token, created_at,
      expires_at, last_seen_at) values ('s1', 'u1', 'c1', 'x', ${at}, ${at}, ${at})`.execute(db);
    await sql`insert into api_tokens (id, clinic_id, name, token_hash, created_by, created_at)
      values ('t1', 'c1', 'old', 'hash1', 'u1', ${at})`.execute(db);

    const before = Date.now();
    expect(await migrateToLatest(db)).toContain('0170_staff_email_per_clinic_token_expiry');

    const user = await db.selectFrom('staff_users').selectAll().executeTakeFirstOrThrow();
    expect(user).toMatchObject({ id: 'u1', clinic_id: 'c1', email: 'ana@x.test', role: 'admin' });
    // Columns added by migrations that ran before it (0160's language) survive the rebuild.
    expect(user).toHaveProperty('language', null);
    expect(await db.selectFrom('staff_sessions').select('id_hash').execute()).toEqual([
      { id_hash: 's1' },
    ]);
    const token = await db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
    const expires = Date.parse(token.expires_at ?? '');
    expect(expires).toBeGreaterThanOrEqual(before + 90 * 86_400_000);
    expect(expires).toBeLessThan(Date.now() + 90 * 86_400_000 + 1000);

    // The same address in another clinic is allowed; twice in one clinic is not.
    await sql`insert into staff_users (id, clinic_id, email, display_name, role, password_hash,
      created_at) values ('u2', 'c2', 'ana@x.test', 'Ana', 'admin', 'h', ${at})`.execute(db);
    await expect(
      sql`insert into staff_users (id, clinic_id, email, display_name, role, password_hash,
        created_at) values ('u3', 'c1', 'ana@x.test', 'Ana B', 'admin', 'h', ${at})`.execute(db),
    ).rejects.toThrow(/UNIQUE/);
    // Foreign keys still bite on and towards the rebuilt table.
    expect((await sql`pragma foreign_keys`.execute(db)).rows).toEqual([{ foreign_keys: 1 }]);
    await expect(
      sql`insert into staff_sessions (id_hash, user_id, clinic_id, csrf_token, created_at,
        expires_at, last_seen_at) values ('s2', 'nobody', 'c1', 'x', ${at}, ${at}, ${at})`.execute(
        db,
      ),
    ).rejects.toThrow(/FOREIGN KEY/);
    await expect(
      sql`insert into staff_users (id, clinic_id, email, display_name, role, password_hash,
        created_at) values ('u4', 'c1', 'z@x.test', 'Z', 'owner', 'h', ${at})`.execute(db),
    ).rejects.toThrow(/CHECK/);

    // Down keeps per-clinic uniqueness and drops the expiry; up again works.
    expect(
      (await createMigrator(db).migrateTo('0160_setup_tokens_staff_language')).error,
    ).toBeUndefined();
    expect(await migrateToLatest(db)).toContain('0170_staff_email_per_clinic_token_expiry');
  });
});
