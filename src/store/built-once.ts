import { type Compilable, CompiledQuery, type QueryResult } from 'kysely';
import type { Db } from './db.ts';

/**
 * Statements Kysely builds once per shape and then runs with new values (decision 1425).
 *
 * Building and compiling a query with Kysely is most of its cost on the check-in's path: a
 * group's history read alone took ~200 µs of the server's thread per group, and its multi-row
 * inserts pay per value. The statement's text depends only on the arguments' shape (how many
 * sessions, how many rows, which columns), so:
 *
 * - the first call of a shape builds the query from stand-ins in place of every value, compiles
 *   it, and records where each stand-in landed among the parameters;
 * - later calls of that shape put their own values in those places and run the same text.
 *
 * `build` must hand the values of `args` to Kysely and do nothing else with them: they are
 * stand-ins while it runs (so no `new Set(args)` to remove duplicates, no branching on a
 * value). Arrays keep their length and objects their keys, so the structure may steer the
 * query. Every value must become a parameter; one written into the text throws when the shape
 * is built. `undefined` is part of the shape (Kysely leaves such a column out), not a value.
 *
 * An array that goes to the statement whole, as one parameter (`unnest(${…}::text[])` on
 * PostgreSQL), can be passed as `oneParameter(array)`: it is then one value of the shape, so
 * any length gives the same shape, and a call walks none of its elements (decision 1468).
 *
 * Shapes are kept per database (its adapter) and per set of plugins, so a plugin that looks at
 * queries (a test's) sees the first query of each shape; at most `maxShapes` per template, then
 * later shapes are built on every call as before.
 */
export function builtOnce<A, R>(
  build: (db: Db, args: A) => Compilable<R>,
  maxShapes = 256,
): BuiltOnce<A, R> {
  const byDatabase = new WeakMap<object, Map<string, Built>>();
  const compiled = (db: Db, args: A): CompiledQuery<R> => {
    const executor = db.getExecutor();
    let shapes = byDatabase.get(executor.adapter);
    if (shapes === undefined) {
      shapes = new Map();
      byDatabase.set(executor.adapter, shapes);
    }
    const values: unknown[] = [];
    const shape = `${pluginsKey(executor.plugins)}|${shapeOf(args, values)}`;
    let built = shapes.get(shape);
    if (built === undefined) {
      const compiled = build(db, standIns(args, { next: 0 }) as A).compile();
      built = placesOf(compiled, values.length);
      if (shapes.size < maxShapes) shapes.set(shape, built);
    }
    const parameters = built.places.map((place) => valueAt(place, values));
    return CompiledQuery.raw(built.sql, parameters) as CompiledQuery<R>;
  };
  const run = async (db: Db, args: A): Promise<R[]> => {
    const result: QueryResult<R> = await db.executeQuery<R>(compiled(db, args));
    return result.rows;
  };
  return Object.assign(run, { build, compiled });
}

/**
 * A statement built once per shape (`builtOnce`); `build` builds it afresh (one-off shapes);
 * `compiled` is the text and values a call would run, without running it.
 */
export interface BuiltOnce<A, R> {
  (db: Db, args: A): Promise<R[]>;
  readonly build: (db: Db, args: A) => Compilable<R>;
  readonly compiled: (db: Db, args: A) => CompiledQuery<R>;
}

/**
 * An array passed whole as ONE parameter of a statement built once (`oneParameter`). In the
 * statement's build it stands where the array goes, e.g. `sql`${a.ids}::text[]``.
 */
export class OneParameter {
  readonly values: readonly unknown[];
  constructor(values: readonly unknown[]) {
    this.values = values;
  }
}

/** `values` as one parameter of a statement built once, whatever its length (`builtOnce`). */
export function oneParameter(values: readonly unknown[]): OneParameter {
  return new OneParameter(values);
}

/** A value of the arguments while a shape is built: which one it is. */
class StandIn {
  readonly index: number;
  constructor(index: number) {
    this.index = index;
  }
}

/** What goes in one parameter: a value of the query's own, one of the arguments, or a list. */
type Place =
  | { readonly kind: 'constant'; readonly value: unknown }
  | { readonly kind: 'argument'; readonly index: number }
  | { readonly kind: 'list'; readonly items: readonly Place[] };

interface Built {
  readonly sql: string;
  readonly places: readonly Place[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The arguments' structure as text, pushing every value onto `values` in walk order. */
function shapeOf(value: unknown, values: unknown[]): string {
  if (value === undefined) return 'u';
  if (Array.isArray(value)) {
    if (value.length > 1) {
      const rows = rowsShape(value, values);
      if (rows !== undefined) return rows;
    }
    let out = `[${value.length}`;
    for (const item of value) out += `,${shapeOf(item, values)}`;
    return `${out}]`;
  }
  if (isPlainObject(value)) {
    let out = '{';
    for (const key in value) out += `${key}:${shapeOf(value[key], values)},`;
    return `${out}}`;
  }
  values.push(leafValue(value));
  return 'v';
}

/** Neither an array nor a plain object: a value of the shape (or `undefined`). */
function isLeaf(value: unknown): boolean {
  return !Array.isArray(value) && !isPlainObject(value);
}

/**
 * The shape of rows (a multi-row insert's): plain objects with the same keys in the same
 * order, each key `undefined` in all of them or in none, and no array or object within. Then
 * `[n*{key:v,…}]`, with the values pushed in `shapeOf`'s order, without writing each row's
 * keys into the text (decision 1468); otherwise undefined, with nothing pushed. `*` never
 * appears in `shapeOf`'s own text for an array, so no other structure has this shape.
 */
function rowsShape(rows: readonly unknown[], values: unknown[]): string | undefined {
  const first = rows[0];
  if (!isPlainObject(first)) return undefined;
  const start = values.length;
  const keys: string[] = [];
  const defined: boolean[] = [];
  for (const key in first) {
    const value = first[key];
    if (!isLeaf(value)) {
      values.length = start;
      return undefined;
    }
    keys.push(key);
    defined.push(value !== undefined);
    if (value !== undefined) values.push(leafValue(value));
  }
  for (let r = 1; r < rows.length; r += 1) {
    const row = rows[r];
    if (!isPlainObject(row)) {
      values.length = start;
      return undefined;
    }
    let i = 0;
    for (const key in row) {
      const value = row[key];
      if (key !== keys[i] || (value !== undefined) !== defined[i] || !isLeaf(value)) {
        values.length = start;
        return undefined;
      }
      if (value !== undefined) values.push(leafValue(value));
      i += 1;
    }
    if (i !== keys.length) {
      values.length = start;
      return undefined;
    }
  }
  let out = `[${rows.length}*{`;
  for (let i = 0; i < keys.length; i += 1) out += `${keys[i]}:${defined[i] ? 'v' : 'u'},`;
  return `${out}}]`;
}

/** What `shapeOf` pushes for a value. */
function leafValue(value: unknown): unknown {
  return value instanceof OneParameter ? value.values : value;
}

/** The arguments with a `StandIn` for every value, numbered in the walk order of `shapeOf`. */
function standIns(value: unknown, counter: { next: number }): unknown {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item) => standIns(item, counter));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = standIns(value[key], counter);
    return out;
  }
  const standIn = new StandIn(counter.next);
  counter.next += 1;
  return standIn;
}

function placeOf(parameter: unknown, seen: Set<number>): Place {
  if (parameter instanceof StandIn) {
    seen.add(parameter.index);
    return { kind: 'argument', index: parameter.index };
  }
  // `= any($1)` on PostgreSQL: one parameter holding a list of the arguments' values.
  if (Array.isArray(parameter) && parameter.some((item) => item instanceof StandIn))
    return { kind: 'list', items: parameter.map((item) => placeOf(item, seen)) };
  return { kind: 'constant', value: parameter };
}

function placesOf(compiled: CompiledQuery, valueCount: number): Built {
  const seen = new Set<number>();
  const places = compiled.parameters.map((parameter) => placeOf(parameter, seen));
  if (seen.size !== valueCount) {
    throw new Error(
      `builtOnce: ${valueCount - seen.size} of ${valueCount} values are not parameters of: ${compiled.sql}`,
    );
  }
  return { sql: compiled.sql, places };
}

function valueAt(place: Place, values: readonly unknown[]): unknown {
  switch (place.kind) {
    case 'constant':
      return place.value;
    case 'argument':
      return values[place.index];
    case 'list':
      return place.items.map((item) => valueAt(item, values));
  }
}

const pluginIds = new WeakMap<object, number>();
let nextPluginId = 0;

/** The plugins as text: the same plugin objects give the same key (transactions copy the list). */
function pluginsKey(plugins: readonly object[]): string {
  let key = '';
  for (const plugin of plugins) {
    let id = pluginIds.get(plugin);
    if (id === undefined) {
      id = nextPluginId++;
      pluginIds.set(plugin, id);
    }
    key += `${id},`;
  }
  return key;
}
