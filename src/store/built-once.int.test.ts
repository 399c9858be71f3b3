import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { builtOnce, type OneParameter, oneParameter } from './built-once.ts';
import { type Db, isOneOf } from './db.ts';
import { seedClinic } from './test-fixtures.ts';

/** Decision 1425: Kysely builds a statement once per shape; later calls bring their values. */
describeEachDialect('statements built once per shape', (ctx) => {
  it('runs each shape with its own values, building it once', async () => {
    const clinics = await Promise.all(['Uno', 'Dos', 'Tres'].map((n) => seedClinic(ctx.db, n)));
    let builds = 0;
    const namesOf = builtOnce((db: Db, a: { ids: string[]; like: string }) => {
      builds += 1;
      return db
        .selectFrom('clinics')
        .select(['id', 'name'])
        .where(isOneOf(db, 'id', a.ids))
        .where('name', 'like', a.like)
        .where('emergency_number', '<>', 'none') // the query's own value stays as it is
        .orderBy('name')
        .limit(10);
    });
    const [uno, dos, tres] = clinics.map((c) => c.id) as [string, string, string];
    expect(await namesOf(ctx.db, { ids: [uno, dos], like: '%o%' })).toEqual([
      { id: dos, name: 'Dos' },
      { id: uno, name: 'Uno' },
    ]);
    expect(await namesOf(ctx.db, { ids: [tres, uno], like: 'T%' })).toEqual([
      { id: tres, name: 'Tres' },
    ]);
    expect(builds).toBe(1);
    // Three ids are another shape; inside a transaction the same shapes are reused.
    await ctx.db.transaction().execute(async (trx) => {
      expect(await namesOf(trx, { ids: [uno, dos, tres], like: '%s' })).toEqual([
        { id: dos, name: 'Dos' },
        { id: tres, name: 'Tres' },
      ]);
      expect(await namesOf(trx, { ids: [dos, uno], like: 'U%' })).toEqual([
        { id: uno, name: 'Uno' },
      ]);
    });
    expect(builds).toBe(2);
  });

  it('multi-row inserts write every row as given, and a column left out is another shape', async () => {
    await sql`create table built_once_probe (id integer primary key, label text, note text default 'none')`.execute(
      ctx.db,
    );
    type Row = { id: number; label: string | null; note?: string | null };
    const insert = builtOnce((db: Db, rows: Row[]) =>
      (db as unknown as import('kysely').Kysely<{ built_once_probe: Row }>)
        .insertInto('built_once_probe')
        .values(rows),
    );
    await insert(ctx.db, [
      { id: 1, label: 'a', note: 'x' },
      { id: 2, label: null, note: null },
    ]);
    await insert(ctx.db, [
      { id: 3, label: 'c', note: 'z' },
      { id: 4, label: 'd', note: 'w' },
    ]);
    await insert(ctx.db, [{ id: 5, label: 'e' }]); // no note: the column's default
    const rows = await sql<Row>`select id, label, note from built_once_probe order by id`.execute(
      ctx.db,
    );
    expect(rows.rows).toEqual([
      { id: 1, label: 'a', note: 'x' },
      { id: 2, label: null, note: null },
      { id: 3, label: 'c', note: 'z' },
      { id: 4, label: 'd', note: 'w' },
      { id: 5, label: 'e', note: 'none' },
    ]);
    await sql`drop table built_once_probe`.execute(ctx.db);
  });

  it('a plugin that looks at queries sees the first query of each shape it runs', async () => {
    const seen: string[] = [];
    const count = builtOnce((db: Db, a: { name: string }) =>
      db.selectFrom('clinics').select('id').where('name', '=', a.name),
    );
    await count(ctx.db, { name: 'Uno' });
    const watching = ctx.db.withPlugin({
      transformQuery: (args) => {
        seen.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    await count(watching, { name: 'Dos' });
    await count(watching, { name: 'Tres' });
    expect(seen).toEqual(['SelectQueryNode']);
  });

  it('refuses a value written into the text instead of sent as a parameter', async () => {
    const inlined = builtOnce((db: Db, a: { name: string }) =>
      db
        .selectFrom('clinics')
        .select('id')
        .where(sql<boolean>`name = '${sql.raw(String(a.name))}'`),
    );
    await expect(inlined(ctx.db, { name: 'Uno' })).rejects.toThrow(/not parameters/);
  });

  it('an array passed as one parameter is one value of the shape, whatever its length (decision 1468)', async () => {
    let builds = 0;
    const labelled = builtOnce((db: Db, a: { ids: OneParameter; labels: OneParameter }) => {
      builds += 1;
      type Probe = { t: { id: number; label: string | null } };
      return (db as unknown as import('kysely').Kysely<Probe>)
        .selectFrom(
          sql`unnest(${a.ids}::integer[], ${a.labels}::text[])`.as(
            sql`t(id, label)`,
          ) as never as 't',
        )
        .selectAll();
    });
    const run = async (ids: number[], labels: (string | null)[]) => {
      const args = { ids: oneParameter(ids), labels: oneParameter(labels) };
      // The arrays go whole, as the statement's two parameters.
      expect(labelled.compiled(ctx.db, args).parameters).toEqual([ids, labels]);
      // SQLite binds no arrays: there the statement is only compiled.
      return ctx.dialect === 'postgres' ? (await labelled(ctx.db, args)).length : ids.length;
    };
    expect(await run([1, 2, 3], ['a', null, 'c'])).toBe(3);
    expect(await run([], [])).toBe(0);
    expect(await run([7], ['x'])).toBe(1);
    expect(builds).toBe(1);
    if (ctx.dialect === 'postgres') {
      const rows = await labelled(ctx.db, {
        ids: oneParameter([5, 6]),
        labels: oneParameter(['e', null]),
      });
      expect(rows).toEqual([
        { id: 5, label: 'e' },
        { id: 6, label: null },
      ]);
    }
  });

  it('rows of the same keys are one shape for their values; a row that differs is another (decision 1468)', async () => {
    let builds = 0;
    type Row = { a: string; b?: string | null | undefined };
    const echo = builtOnce((db: Db, rows: Row[]) => {
      builds += 1;
      return db.selectNoFrom(
        rows.flatMap((r, i) => [
          sql<string>`cast(${r.a} as text)`.as(`a${i}`),
          // `undefined` is part of the shape: a build may leave such a value out.
          ...(r.b === undefined ? [] : [sql<string | null>`cast(${r.b} as text)`.as(`b${i}`)]),
        ]),
      );
    });
    const run = async (rows: Row[]) => (await echo(ctx.db, rows))[0];
    expect(
      await run([
        { a: 'x', b: 'y' },
        { a: 'z', b: 'w' },
      ]),
    ).toEqual({ a0: 'x', b0: 'y', a1: 'z', b1: 'w' });
    expect(
      await run([
        { a: 'p', b: null },
        { a: 'q', b: 'r' },
      ]),
    ).toEqual({ a0: 'p', b0: null, a1: 'q', b1: 'r' });
    expect(builds).toBe(1);
    // A value left out in one row only: another shape, each row's values in their places.
    expect(
      await run([
        { a: 'x', b: undefined },
        { a: 'z', b: 'w' },
      ]),
    ).toEqual({
      a0: 'x',
      a1: 'z',
      b1: 'w',
    });
    expect(await run([{ a: 'x', b: 'y' }, { a: 'z' }])).toEqual({ a0: 'x', b0: 'y', a1: 'z' });
    expect(builds).toBe(3);
    // Left out in every row: a shape of its own again, not one of the two above.
    expect(
      await run([
        { a: 'x', b: undefined },
        { a: 'z', b: undefined },
      ]),
    ).toEqual({ a0: 'x', a1: 'z' });
    expect(builds).toBe(4);
    // The same keys in another order: another shape.
    expect(
      await run([
        { b: 'y', a: 'x' },
        { b: 'w', a: 'z' },
      ]),
    ).toEqual({ b0: 'y', a0: 'x', b1: 'w', a1: 'z' });
    expect(builds).toBe(5);
    // One row's keys in another order than the first's: not the shape of either above.
    expect(
      await run([
        { a: 'x', b: 'y' },
        { b: 'w', a: 'z' },
      ]),
    ).toEqual({ a0: 'x', b0: 'y', a1: 'z', b1: 'w' });
    expect(builds).toBe(6);
    // Three rows: another shape; then its values change, not its build.
    await run([{ a: '1' }, { a: '2' }, { a: '3' }]);
    expect(await run([{ a: '4' }, { a: '5' }, { a: '6' }])).toEqual({ a0: '4', a1: '5', a2: '6' });
    expect(builds).toBe(7);
  });
});
