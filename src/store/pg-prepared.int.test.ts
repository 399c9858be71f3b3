import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describePostgres } from '../../test/dialects.ts';
import { findOpenAlertsForSessions } from './alerts.repository.ts';
import { createDb, type Db, withTransaction } from './db.ts';
import { withKeys } from './keyring.ts';
import { migrateToLatest } from './migrations.ts';
import { preferGenericPlans, preparedStatementsOf } from './pg-prepared.ts';
import { TEST_KEYS } from './test-keys.ts';

/** The statements the connection running `trx` has prepared (PostgreSQL's own view). */
async function preparedOn(trx: Db): Promise<string[]> {
  const { rows } = await sql<{
    statement: string;
  }>`select statement from pg_prepared_statements`.execute(trx);
  return rows.map((r) => r.statement);
}

describePostgres('prepared statements', (ctx) => {
  // One connection, so every statement below meets what the ones before prepared.
  let one: Db;
  beforeAll(() => {
    one = withKeys(createDb({ ...ctx.config, poolMax: 1 }), TEST_KEYS);
  });
  afterAll(async () => {
    await one.destroy();
  });

  it('prepares a query with parameters once on its connection and reuses it', async () => {
    const query = (trx: Db) =>
      trx.selectFrom('clinics').select('id').where('name', '=', 'nobody').execute();
    await query(one);
    await query(one);
    await withTransaction(one, async (trx) => {
      await query(trx);
      const mine = (await preparedOn(trx)).filter((s) => s.includes('from "clinics"'));
      expect(mine).toHaveLength(1);
    });
    expect(preparedStatementsOf(one)?.size).toBeGreaterThan(0);
  });

  it('a list of any length is one statement (`= any`), not one per length', async () => {
    const ids = (n: number) =>
      Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await withTransaction(one, async (trx) => {
      for (const n of [1, 2, 5, 9]) {
        expect((await findOpenAlertsForSessions(trx, ids(n))).size).toBe(0);
      }
      const mine = (await preparedOn(trx)).filter((s) => s.includes('from "alerts"'));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toContain('= any($1)');
    });
  });

  it('a table that changes under a prepared select * is read again, not refused', async () => {
    await sql`create table prep_probe (id text primary key)`.execute(one);
    await sql`insert into prep_probe values ('a')`.execute(one);
    const read = (db: Db) =>
      sql<Record<string, unknown>>`select * from prep_probe where id = ${'a'}`.execute(db);
    expect((await read(one)).rows).toEqual([{ id: 'a' }]);
    await sql`alter table prep_probe add column note text`.execute(one);
    // Outside a transaction the query runs once more under a new name.
    expect((await read(one)).rows).toEqual([{ id: 'a', note: null }]);
    await sql`alter table prep_probe add column more text`.execute(one);
    // Inside one, PostgreSQL has aborted the transaction: the caller gets the error…
    await expect(withTransaction(one, (trx) => read(trx))).rejects.toThrow(
      /cached plan must not change result type/,
    );
    // …and the next transaction prepares the statement afresh.
    const again = await withTransaction(one, (trx) => read(trx));
    expect(again.rows).toEqual([{ id: 'a', note: null, more: null }]);
    await sql`drop table prep_probe`.execute(one);
  });

  it('migrations forget every name, so the served statements are prepared on the new schema', async () => {
    await one.selectFrom('clinics').select('id').where('name', '=', 'x').execute();
    expect(preparedStatementsOf(one)?.size).toBeGreaterThan(0);
    await migrateToLatest(one);
    expect(preparedStatementsOf(one)?.size).toBe(0);
  });

  it("a transaction's begin goes with its first statement when that has no parameters", async () => {
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    try {
      const mode = (db: Db) => sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(db);
      // begin + set local: one message; the setting holds for the transaction only.
      const inside = await withTransaction(one, async (trx) => {
        await preferGenericPlans(trx);
        expect(sent).toHaveBeenCalledTimes(1);
        expect(String(sent.mock.calls[0]?.[0])).toBe(
          'begin; set local plan_cache_mode = force_generic_plan',
        );
        return (await mode(trx)).rows[0]?.plan_cache_mode;
      });
      expect(inside).toBe('force_generic_plan');
      expect((await mode(one)).rows[0]?.plan_cache_mode).toBe('auto');
      // A first statement with parameters: begin is sent on its own just before it, and the
      // transaction still rolls back whole.
      sent.mockClear();
      await expect(
        withTransaction(one, async (trx) => {
          await sql`create table begin_probe (id text primary key)`.execute(trx);
          await sql`insert into begin_probe values (${'a'})`.execute(trx);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(sent.mock.calls.map((call) => String(call[0]).slice(0, 12))).toEqual([
        'begin; creat',
        '[object Obje',
        'rollback',
      ]);
      const probe = await sql`select to_regclass('begin_probe') as t`.execute(one);
      expect(probe.rows).toEqual([{ t: null }]);
      // An empty transaction still begins and commits.
      sent.mockClear();
      await withTransaction(one, async () => undefined);
      expect(sent.mock.calls.map((call) => String(call[0]))).toEqual(['begin', 'commit']);
    } finally {
      sent.mockRestore();
    }
  });
});
