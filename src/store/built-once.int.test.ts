import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { builtOnce, oneParameter, type OneParameter } from './built-once.ts';
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
});
