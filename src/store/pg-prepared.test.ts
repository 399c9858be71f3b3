import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayLiteral, PreparedStatements, sameValues } from './pg-prepared.ts';

describe('prepared statement names', () => {
  it('names a text with parameters once and gives it the same name every time', () => {
    const prepared = new PreparedStatements();
    const a = prepared.nameOf('select * from alerts where id = $1', 1);
    expect(a).toBeDefined();
    expect(prepared.nameOf('select * from alerts where id = $1', 1)).toBe(a);
    expect(prepared.nameOf('  WITH x as (select $1) select * from x', 1)).toBeDefined();
    expect(prepared.nameOf('select * from alerts where clinic_id = $1', 1)).not.toBe(a);
    expect(prepared.size).toBe(3);
  });

  it('leaves unnamed what has no parameters or is not a query', () => {
    const prepared = new PreparedStatements();
    expect(prepared.nameOf('select 1', 0)).toBeUndefined();
    expect(prepared.nameOf('begin', 0)).toBeUndefined();
    expect(prepared.nameOf('savepoint group_item', 0)).toBeUndefined();
    expect(prepared.nameOf('set local statement_timeout = $1', 1)).toBeUndefined();
    expect(prepared.nameOf('create table t (id int)', 0)).toBeUndefined();
    expect(prepared.nameOf('selected_rows', 1)).toBeUndefined();
    expect(prepared.nameOf('insert into t values ($1), ($2)', 2001)).toBeUndefined();
    expect(prepared.size).toBe(0);
  });

  it('names at most `max` texts; later ones run unnamed', () => {
    const prepared = new PreparedStatements(2);
    expect(prepared.nameOf('select $1', 1)).toBeDefined();
    expect(prepared.nameOf('select $1, $2', 2)).toBeDefined();
    expect(prepared.nameOf('select $1, $2, $3', 3)).toBeUndefined();
    expect(prepared.nameOf('select $1', 1)).toBeDefined();
  });

  it('gives every text a new name after forget (a changed schema)', () => {
    const prepared = new PreparedStatements();
    const before = prepared.nameOf('select * from t where id = $1', 1);
    prepared.forget();
    expect(prepared.size).toBe(0);
    const after = prepared.nameOf('select * from t where id = $1', 1);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });
});

/** `pg`'s own conversion of a parameter: the oracle for `arrayLiteral`. */
const pgPrepareValue = (
  createRequire(import.meta.url)('pg/lib/utils') as {
    prepareValue(value: unknown): unknown;
  }
).prepareValue;

describe('array parameters written as literals (decision 1444)', () => {
  const element = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.stringMatching(/^[\\"{},a NUL]{0,8}$/),
    fc.integer(),
    fc.double({ noNaN: false }),
    fc.bigInt(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  );

  it('writes every array of text, numbers, booleans and nulls exactly as pg would', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 20 }), (values) => {
        expect(arrayLiteral(values)).toBe(pgPrepareValue(values));
      }),
      { numRuns: 2000 },
    );
  });

  it('escapes quotes and backslashes, and leaves pg the arrays it cannot write plainly', () => {
    expect(arrayLiteral(['a"b', 'c\\d', null, 3])).toBe('{"a\\"b","c\\\\d",NULL,"3"}');
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral([['nested']])).toBeUndefined();
    expect(arrayLiteral([new Date(0)])).toBeUndefined();
    expect(arrayLiteral([Buffer.from('x')])).toBeUndefined();
    expect(arrayLiteral([{ a: 1 }])).toBeUndefined();
  });

  it('matches statements sent ahead by value: arrays within, dates by time, objects by JSON', () => {
    expect(sameValues(['a', 1, ['x', 'y']], ['a', 1, ['x', 'y']])).toBe(true);
    expect(sameValues(['a', ['x', 'y']], ['a', ['x', 'z']])).toBe(false);
    expect(sameValues([new Date(5)], [new Date(5)])).toBe(true);
    expect(sameValues([new Date(5)], [new Date(6)])).toBe(false);
    expect(sameValues([{ a: 1 }], [{ a: 1 }])).toBe(true);
    expect(sameValues(['1'], [1])).toBe(false);
    expect(sameValues([null], [undefined])).toBe(false);
    expect(sameValues(['a'], ['a', 'b'])).toBe(false);
  });
});
