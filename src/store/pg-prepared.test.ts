import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arrayCastsOf,
  arrayLiteral,
  binaryArray,
  PreparedStatements,
  sameValues,
} from './pg-prepared.ts';

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

/**
 * PostgreSQL's binary array format read back (array_recv's side): the oracle for `binaryArray`.
 * Elements as the receive function of `oid` would see them.
 */
function readBinaryArray(buf: Buffer): { oid: number; values: unknown[] } {
  const dims = buf.readInt32BE(0);
  const hasNull = buf.readInt32BE(4);
  const oid = buf.readInt32BE(8);
  if (dims === 0) {
    expect(buf.length).toBe(12);
    return { oid, values: [] };
  }
  expect(dims).toBe(1);
  expect(buf.readInt32BE(16)).toBe(1); // lower bound
  const n = buf.readInt32BE(12);
  const values: unknown[] = [];
  let at = 20;
  for (let i = 0; i < n; i += 1) {
    const length = buf.readInt32BE(at);
    at += 4;
    if (length === -1) {
      values.push(null);
      continue;
    }
    const bytes = buf.subarray(at, at + length);
    at += length;
    if (oid === 25) values.push(bytes.toString('utf8'));
    else if (oid === 23) values.push(length === 4 ? bytes.readInt32BE(0) : 'bad width');
    else if (oid === 20) values.push(length === 8 ? bytes.readBigInt64BE(0) : 'bad width');
    else values.push(length === 8 ? bytes.readDoubleBE(0) : 'bad width');
  }
  expect(at).toBe(buf.length);
  expect(hasNull).toBe(values.includes(null) ? 1 : 0);
  return { oid, values };
}

describe('array parameters in the binary format (decision 1467)', () => {
  const orNull = <T>(a: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 5, arbitrary: a }, fc.constant(null), fc.constant(undefined));

  it('finds the parameters a statement casts to arrays, and their element types', () => {
    expect(
      arrayCastsOf(
        'select * from unnest($1::text[], $2::bigint[], $3::integer[], $12::double precision[]) where x = $4',
      ),
    ).toEqual([25, 20, 23, undefined, ...Array(7).fill(undefined), 701]);
    expect(arrayCastsOf('select * from t where id = any($1)')).toBeUndefined();
    // Only a cast right after the parameter, to one of the four types.
    expect(arrayCastsOf('select ($1)::text[], $2::uuid[], $3::text')).toBeUndefined();
  });

  it('writes text as UTF-8 with its length, and what pg would write as text for the rest', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.stringMatching(/^[\\"{},a NUL]{0,8}$/),
      fc.integer(),
      fc.double(),
      fc.bigInt(),
      fc.boolean(),
    );
    fc.assert(
      fc.property(fc.array(orNull(text), { maxLength: 40 }), (values) => {
        const buf = binaryArray(values, 25);
        expect(buf).toBeDefined();
        const read = readBinaryArray(buf as Buffer);
        expect(read.oid).toBe(25);
        // The same text as each element of the literal (pg's own conversion), lone surrogates
        // as UTF-8 writes them.
        expect(read.values).toEqual(
          values.map((v) =>
            v === null || v === undefined ? null : Buffer.from(String(v)).toString('utf8'),
          ),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('writes integers, bigints and doubles at their width, and leaves what does not fit to the literal', () => {
    fc.assert(
      fc.property(
        fc.array(orNull(fc.integer()), { maxLength: 30 }),
        fc.array(
          orNull(
            fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
          ),
          {
            maxLength: 30,
          },
        ),
        fc.array(orNull(fc.double()), { maxLength: 30 }),
        (ints, bigs, doubles) => {
          const none = (v: unknown) => v === null || v === undefined;
          expect(readBinaryArray(binaryArray(ints, 23) as Buffer)).toEqual({
            oid: 23,
            values: ints.map((v) => (none(v) ? null : v)),
          });
          expect(readBinaryArray(binaryArray(bigs, 20) as Buffer)).toEqual({
            oid: 20,
            values: bigs.map((v) => (none(v) ? null : BigInt(v as number | bigint))),
          });
          expect(readBinaryArray(binaryArray(doubles, 701) as Buffer)).toEqual({
            oid: 701,
            // -0 goes as 0, as its text "0" did.
            values: doubles.map((v) => (none(v) ? null : v === 0 ? 0 : v)),
          });
        },
      ),
      { numRuns: 1000 },
    );
    expect(binaryArray([1.5], 23)).toBeUndefined();
    expect(binaryArray([2 ** 31], 23)).toBeUndefined();
    expect(binaryArray([1n], 23)).toBeUndefined();
    expect(binaryArray(['1'], 23)).toBeUndefined();
    expect(binaryArray([2 ** 53], 20)).toBeUndefined();
    expect(binaryArray([2n ** 63n], 20)).toBeUndefined();
    expect(binaryArray(['1.5'], 701)).toBeUndefined();
    expect(binaryArray([{ a: 1 }], 25)).toBeUndefined();
    expect(binaryArray([['nested']], 25)).toBeUndefined();
    expect(readBinaryArray(binaryArray([], 25) as Buffer)).toEqual({ oid: 25, values: [] });
  });

  it('never writes over an array it handed out, across many and large ones', () => {
    const handed: { buf: Buffer; values: string[] }[] = [];
    for (let i = 0; i < 400; i += 1) {
      const values = Array.from(
        { length: 1 + (i % 7) },
        (_, j) => `${i}:${j}:${'é'.repeat(i * 3)}`,
      );
      handed.push({ buf: binaryArray(values, 25) as Buffer, values });
    }
    for (const { buf, values } of handed) expect(readBinaryArray(buf).values).toEqual(values);
  });
});
