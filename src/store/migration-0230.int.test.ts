import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAuditEvent, listAuditEvents, verifyAuditChain } from './audit.repository.ts';
import { createDb, type Db } from './db.ts';
import { withKeys } from './keyring.ts';
import { createMigrator, migrateToLatest } from './migrations.ts';
import { auditEventFixture } from './test-fixtures.ts';
import { TEST_KEYS } from './test-keys.ts';

const event = auditEventFixture;

const tableSql = async (db: Db) =>
  (
    await sql<{
      sql: string;
    }>`select sql from sqlite_master where type = 'table' and name = 'audit_events'`.execute(db)
  ).rows[0]?.sql ?? '';

const sequenceRows = async (db: Db) =>
  (await sql<{ name: string }>`select name from sqlite_sequence`.execute(db)).rows;

/**
 * 0230 rebuilds `audit_events` on SQLite without `AUTOINCREMENT` (decision 1439): the chain,
 * its indexes and constraints come through, and appends no longer write `sqlite_sequence`.
 * PostgreSQL is untouched (the migrations test runs it there).
 */
describe('migration 0230_audit_seq_without_autoincrement on a SQLite file with data', () => {
  let dir: string | undefined;
  let db: Db | undefined;
  afterEach(async () => {
    await db?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the chain and its indexes, and appends stop writing sqlite_sequence', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nc-0230-'));
    db = withKeys(createDb({ sqlitePath: join(dir, 'needlecare.db') }), TEST_KEYS);
    const to = await createMigrator(db).migrateTo('0220_fewer_check_in_indexes');
    expect(to.error).toBeUndefined();
    for (let n = 1; n <= 5; n++) await appendAuditEvent(db, event(n));
    const before = await listAuditEvents(db, { clinicId: 'clinic-1' });
    expect(await tableSql(db)).toMatch(/autoincrement/i);
    expect(await sequenceRows(db)).toEqual([{ name: 'audit_events' }]);

    expect((await migrateToLatest(db))[0]).toBe('0230_audit_seq_without_autoincrement');

    expect(await tableSql(db)).not.toMatch(/autoincrement/i);
    expect(await listAuditEvents(db, { clinicId: 'clinic-1' })).toEqual(before);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 5, unkeyed: 0 });
    const indexes = await sql<{ name: string; unique: number }>`pragma index_list(audit_events)`
      .execute(db)
      .then((r) => r.rows.map((i) => [i.name, i.unique]));
    expect(indexes).toEqual(
      expect.arrayContaining([
        ['audit_events_clinic_at', 0],
        ['audit_events_subject', 0],
        ['sqlite_autoindex_audit_events_1', 1],
      ]),
    );

    // The next append takes the head's next seq; sqlite_sequence is no longer written.
    const sixth = await appendAuditEvent(db, event(6));
    expect(sixth.seq).toBe(6);
    expect(await sequenceRows(db)).toEqual([]);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 6, unkeyed: 0 });

    // The constraints still bite: a unique id and the actor types.
    const row = {
      at: '2026-12-04T11:00:00Z',
      actor_type: 'system',
      action: 'x',
      subject_type: 'y',
      details_json: '{}',
      clinic_id: null,
      actor_id: null,
      subject_id: null,
      ip: null,
      key_id: null,
      prev_hash: 'p',
      hash: 'h',
    } as const;
    await expect(
      db
        .insertInto('audit_events')
        .values({ ...row, seq: 99, id: sixth.id })
        .execute(),
    ).rejects.toThrow(/UNIQUE/);
    await expect(
      db
        .insertInto('audit_events')
        .values({ ...row, seq: 99, id: 'new-id', actor_type: 'robot' as 'system' })
        .execute(),
    ).rejects.toThrow(/CHECK/);
  });

  it('goes down to AUTOINCREMENT with the rows, and up again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nc-0230-'));
    db = withKeys(createDb({ sqlitePath: join(dir, 'needlecare.db') }), TEST_KEYS);
    await migrateToLatest(db);
    for (let n = 1; n <= 3; n++) await appendAuditEvent(db, event(n));
    const down = await createMigrator(db).migrateTo('0220_fewer_check_in_indexes');
    expect(down.error).toBeUndefined();
    expect(await tableSql(db)).toMatch(/autoincrement/i);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 3, unkeyed: 0 });
    expect((await migrateToLatest(db))[0]).toBe('0230_audit_seq_without_autoincrement');
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 3, unkeyed: 0 });
  });
});
