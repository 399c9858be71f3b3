import fc from 'fast-check';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describePostgres } from '../../test/dialects.ts';
import { watchPgStatements } from '../../test/pg-round-trips.ts';
import { findOpenAlertsForSessions } from './alerts.repository.ts';
import { createDb, type Db, withTransaction } from './db.ts';
import { withKeys } from './keyring.ts';
import { migrateToLatest } from './migrations.ts';
import {
  arrayLiteral,
  preferGenericPlans,
  preparedStatementsOf,
  sendNow,
  sendWithNext,
} from './pg-prepared.ts';
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

  it('arrays cast in the statement go in the binary format and read back as their text literals do (decision 1467)', async () => {
    const sentValues: unknown[][] = [];
    const original = pg.Client.prototype.query;
    const watch = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      const q = args[0] as { values?: unknown[] };
      if (typeof q === 'object' && q.values !== undefined) sentValues.push(q.values);
      return (original as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
    const orNull = <T>(a: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 5, arbitrary: a }, fc.constant(null));
    const text = fc
      .oneof(
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.string({ unit: 'binary', maxLength: 10 }),
        fc.stringMatching(/^[\\"{},a NUL]{0,8}$/),
        fc.constantFrom('{"rules":["R1"],"note":"a \\"b\\""}', 'NULL', ''),
      )
      // PostgreSQL's text holds no NUL: both ways refuse it (below).
      .filter((t) => !t.includes('\u0000'));
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(orNull(text), { maxLength: 12 }),
          fc.array(orNull(fc.integer()), { maxLength: 12 }),
          fc.array(orNull(fc.maxSafeInteger()), { maxLength: 12 }),
          fc.array(orNull(fc.double()), { maxLength: 12 }),
          async (texts, ints, bigs, doubles) => {
            sentValues.length = 0;
            const { rows } = await sql<Record<string, unknown[]>>`select
              ${texts}::text[] as t, ${arrayLiteral(texts)}::text[] as lt,
              ${ints}::integer[] as i, ${arrayLiteral(ints)}::integer[] as li,
              ${bigs}::bigint[] as b, ${arrayLiteral(bigs)}::bigint[] as lb,
              ${doubles}::double precision[] as d, ${arrayLiteral(doubles)}::double precision[] as ld`.execute(
              one,
            );
            const row = rows[0] as Record<string, unknown[]>;
            expect(row.t).toEqual(row.lt);
            expect(row.i).toEqual(row.li);
            expect(row.b).toEqual(row.lb);
            expect(row.d).toEqual(row.ld);
            expect(row.t).toEqual(
              texts.map((t) => (t === null ? null : Buffer.from(t).toString())),
            );
            expect(row.i).toEqual(ints);
            // The arrays went as bytes (binary), their literals as text.
            const sent = sentValues[0] as unknown[];
            expect(sent.map((v) => (Buffer.isBuffer(v) ? 'binary' : typeof v))).toEqual([
              'binary',
              'string',
              'binary',
              'string',
              'binary',
              'string',
              'binary',
              'string',
            ]);
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      watch.mockRestore();
    }
    // A NUL in text is refused either way, with the same error.
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'stored',
        (e: { code?: string }) => e.code,
      );
    expect(await refusal(sql`select ${['a\u0000b']}::text[] as t`.execute(one))).toBe('22021');
    expect(await refusal(sql`select ${arrayLiteral(['a\u0000b'])}::text[] as t`.execute(one))).toBe(
      '22021',
    );
    // An element that does not fit the type goes as its literal: PostgreSQL refuses it as before.
    expect(await refusal(sql`select ${[2 ** 31]}::integer[] as i`.execute(one))).toBe('22003');
    expect(await refusal(sql`select ${[1.5]}::integer[] as i`.execute(one))).toBe('22P02');
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

  it("a transaction's begin (and its set local) go with its next statement, in one round trip", async () => {
    const sent = watchPgStatements();
    try {
      const mode = (db: Db) => sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(db);
      // begin + set local: held until the next statement; the setting holds for the
      // transaction only.
      const inside = await withTransaction(one, async (trx) => {
        await preferGenericPlans(trx);
        expect(sent.texts()).toEqual([]);
        const shown = (await mode(trx)).rows[0]?.plan_cache_mode;
        expect(sent.texts()).toEqual([
          'begin; set local plan_cache_mode = force_generic_plan',
          'show plan_cache_mode',
        ]);
        expect(sent.roundTrips()).toBe(1);
        // Both written to the socket at once: PostgreSQL is woken once.
        expect(sent.socketWrites()).toBe(1);
        return shown;
      });
      expect(inside).toBe('force_generic_plan');
      expect((await mode(one)).rows[0]?.plan_cache_mode).toBe('auto');
      // Any first statement: begin goes with it, and the transaction still rolls back whole.
      sent.clear();
      await expect(
        withTransaction(one, async (trx) => {
          await sql`create table begin_probe (id text primary key)`.execute(trx);
          await sql`insert into begin_probe values (${'a'})`.execute(trx);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(sent.texts().map((t) => t.slice(0, 12))).toEqual([
        'begin',
        'create table',
        'insert into ',
        'rollback',
      ]);
      expect(sent.roundTrips()).toBe(3);
      const probe = await sql`select to_regclass('begin_probe') as t`.execute(one);
      expect(probe.rows).toEqual([{ t: null }]);
      // An empty transaction still begins and commits, in one round trip.
      sent.clear();
      await withTransaction(one, async () => undefined);
      expect(sent.texts()).toEqual(['begin', 'commit']);
      expect(sent.roundTrips()).toBe(1);
      // A begin whose answer is an error (here: a bad setting) fails the statement it went with.
      await expect(
        withTransaction(one, async (trx) => {
          await sql`set local plan_cache_mode = nonsense`.execute(trx);
          await sql`select 1`.execute(trx);
        }),
      ).rejects.toThrow(/plan_cache_mode/);
      expect((await sql<{ n: number }>`select 1 as n`.execute(one)).rows).toEqual([{ n: 1 }]);
    } finally {
      sent.restore();
    }
  });

  it('a statement sent with the next one runs after it, in the same round trip, and is answered once', async () => {
    await sql`create table along_probe (id text primary key)`.execute(one);
    const count = sql<{ n: number }>`select count(*)::int as n from along_probe where id <> ${'-'}`;
    const sent = watchPgStatements();
    try {
      const seen = await withTransaction(one, async (trx) => {
        await sendWithNext(trx, count.compile(trx));
        await sql`insert into along_probe values (${'a'})`.execute(trx);
        expect(sent.texts()).toHaveLength(3);
        expect(sent.roundTrips()).toBe(1);
        expect(sent.socketWrites()).toBe(1);
        // The count was sent behind the insert and ran after it: it sees the row.
        const n = (await count.execute(trx)).rows[0]?.n;
        expect(sent.texts()).toHaveLength(3);
        return n;
      });
      expect(seen).toBe(1);
      // One that is not run next is not used: what runs is sent and answered as usual.
      sent.clear();
      const other = await withTransaction(one, async (trx) => {
        await sendWithNext(trx, count.compile(trx));
        await sql`insert into along_probe values (${'b'})`.execute(trx);
        await sql`insert into along_probe values (${'c'})`.execute(trx);
        return (await count.execute(trx)).rows[0]?.n;
      });
      expect(other).toBe(3);
      expect(sent.texts().filter((t) => t.startsWith('select count'))).toHaveLength(2);
      // When the statement it goes with fails, the transaction fails with that error and the
      // connection serves the next one.
      await expect(
        withTransaction(one, async (trx) => {
          await sendWithNext(trx, count.compile(trx));
          await sql`insert into along_probe values (${'a'})`.execute(trx);
        }),
      ).rejects.toThrow(/duplicate key/);
      expect((await count.execute(one)).rows[0]?.n).toBe(3);
    } finally {
      sent.restore();
      await sql`drop table along_probe`.execute(one);
    }
  });

  it('a statement sent now runs while the transaction goes on, the next goes behind it unanswered, and its own error is the one seen', async () => {
    await sql`create table now_probe (id text primary key)`.execute(one);
    const ids = async () =>
      (await sql<{ id: string }>`select id from now_probe order by id`.execute(one)).rows.map(
        (r) => r.id,
      );
    const insert = (id: string) => sql`insert into now_probe values (${id})`;
    const commit = CompiledQuery.raw('commit');
    const sent = watchPgStatements();
    try {
      // The insert goes with the opening at once; the count and the commit go behind it before
      // its answer is back: one round trip, two writes to the socket (decision 1470).
      const seen = await withTransaction(one, async (trx) => {
        const written = await sendNow(trx, insert('a').compile(trx));
        expect(sent.texts().map((t) => t.slice(0, 11))).toEqual(['begin', 'insert into']);
        await sendWithNext(trx, commit);
        const n = sql<{ n: number }>`select count(*)::int as n from now_probe`.execute(trx);
        await written();
        return (await n).rows[0]?.n;
      });
      expect(seen).toBe(1);
      expect(sent.texts().slice(-2)).toEqual([
        'select count(*)::int as n from now_probe',
        'commit',
      ]);
      expect(sent.roundTrips()).toBe(1);
      expect(sent.socketWrites()).toBe(2);
      expect(await ids()).toEqual(['a']);
      // It fails: PostgreSQL refuses what went behind it and answers the commit with a
      // rollback. The waiter throws its own error, and nothing of the transaction is stored.
      const failures: unknown[] = [];
      await expect(
        withTransaction(one, async (trx) => {
          await insert('b').execute(trx);
          const written = await sendNow(trx, insert('a').compile(trx));
          await sendWithNext(trx, commit);
          await insert('c')
            .execute(trx)
            .catch((error: unknown) => failures.push(error));
          await written().catch((error: unknown) => failures.push(error));
        }),
      ).rejects.toThrow(/rolled back instead of committed/);
      expect(failures.map((e) => (e as { code?: string }).code)).toEqual(['25P02', '23505']);
      expect(await ids()).toEqual(['a']);
      // Thrown out of the transaction, it rolls back, and the connection serves the next one.
      await expect(
        withTransaction(one, async (trx) => {
          const written = await sendNow(trx, insert('a').compile(trx));
          await written();
        }),
      ).rejects.toThrow(/duplicate key/);
      await withTransaction(one, async (trx) => {
        await insert('d').execute(trx);
      });
      expect(await ids()).toEqual(['a', 'd']);
    } finally {
      sent.restore();
      await sql`drop table now_probe`.execute(one);
    }
  });

  it('the commit sent with the last statement commits; if that statement fails it only rolls back; nothing runs after it', async () => {
    await sql`create table commit_probe (id text primary key)`.execute(one);
    const ids = async () =>
      (await sql<{ id: string }>`select id from commit_probe order by id`.execute(one)).rows.map(
        (r) => r.id,
      );
    const commit = CompiledQuery.raw('commit');
    const sent = watchPgStatements();
    try {
      // Committed: the opening, the insert and the commit in one round trip (decision 1438).
      await withTransaction(one, async (trx) => {
        await sendWithNext(trx, commit);
        await sql`insert into commit_probe values (${'a'})`.execute(trx);
      });
      expect(sent.texts().slice(-1)).toEqual(['commit']);
      expect(sent.roundTrips()).toBe(1);
      expect(await ids()).toEqual(['a']);
      // The statement fails: the server answers the commit with a rollback, and the
      // transaction's rows are gone with it.
      await expect(
        withTransaction(one, async (trx) => {
          await sql`insert into commit_probe values (${'b'})`.execute(trx);
          await sendWithNext(trx, commit);
          await sql`insert into commit_probe values (${'a'})`.execute(trx);
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await ids()).toEqual(['a']);
      // A statement after the commit sent ahead is refused, not run on its own outside the
      // transaction.
      await expect(
        withTransaction(one, async (trx) => {
          await sendWithNext(trx, commit);
          await sql`insert into commit_probe values (${'c'})`.execute(trx);
          await sql`insert into commit_probe values (${'d'})`.execute(trx);
        }),
      ).rejects.toThrow(/after the transaction's end sent ahead/);
      expect(await ids()).toEqual(['a', 'c']);
      // The connection serves the next transaction as usual.
      await withTransaction(one, async (trx) => {
        await sql`insert into commit_probe values (${'e'})`.execute(trx);
      });
      expect(await ids()).toEqual(['a', 'c', 'e']);
    } finally {
      sent.restore();
      await sql`drop table commit_probe`.execute(one);
    }
  });
});
