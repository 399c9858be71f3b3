import { describe, expect, it } from 'vitest';
import { loadSqlite } from './db.ts';
import { MAX_SPREAD, positionalStatement, spreadValues } from './positional.ts';

const { Sqlite } = loadSqlite();

describe('spreadValues', () => {
  it('hands over the values of one list of plain values', () => {
    const list = ['a', 1, 2.5, 3n, null, Buffer.from('x'), new Uint8Array([1]), ''];
    expect(spreadValues([list])).toBe(list);
    expect(spreadValues([[]])).toEqual([]);
  });

  it('keeps anything else as it came', () => {
    const others: unknown[][] = [
      [],
      [['a'], ['b']],
      ['a'],
      [{ a: 1 }],
      [['a', new Date(0)]],
      [['a', { name: 'x' }]],
      [['a', ['nested']]],
      [['a', true]],
      [['a', undefined]],
      [['a', () => 1]],
      [Array.from({ length: MAX_SPREAD + 1 }, () => 'a')],
    ];
    for (const params of others) expect(spreadValues(params)).toBe(params);
    expect(spreadValues([Array.from({ length: MAX_SPREAD }, () => 'a')])).toHaveLength(MAX_SPREAD);
  });
});

describe('positionalStatement', () => {
  function table() {
    const sqlite = new Sqlite(':memory:');
    sqlite.exec('create table t (a text, b integer, c real, d blob, e text)');
    return sqlite;
  }

  it('writes and reads what the list form does', () => {
    const sqlite = table();
    const rows = [
      ['one', 1, 1.5, Buffer.from('x'), null],
      ['two', 2n, -0.25, null, 'ñandú'],
    ];
    const insert = 'insert into t values (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)';
    const result = positionalStatement(sqlite.prepare(insert)).run(rows.flat());
    expect(result.changes).toBe(2);
    const select = 'select * from t where a in (?, ?) order by b';
    const ours = positionalStatement(sqlite.prepare(select));
    expect(ours.reader).toBe(true);
    expect(ours.all(['one', 'two'])).toEqual(sqlite.prepare(select).all(['one', 'two']));
    expect(ours.get(['two', 'two'])).toEqual({
      a: 'two',
      b: 2,
      c: -0.25,
      d: null,
      e: 'ñandú',
    });
    expect([...ours.iterate(['one', 'zzz'])]).toHaveLength(1);
    sqlite.close();
  });

  it('refuses what better-sqlite3 refuses, with its own error', () => {
    const sqlite = table();
    const text = 'insert into t (a, b) values (?, ?)';
    for (const bad of [new Date(0), { a: 1 }, ['x', 'y'], true]) {
      let raw: unknown;
      try {
        sqlite.prepare(text).run(['a', bad]);
      } catch (error) {
        raw = error;
      }
      expect(raw, String(bad)).toBeInstanceOf(Error);
      expect(() => positionalStatement(sqlite.prepare(text)).run(['a', bad])).toThrow(
        (raw as Error).message,
      );
    }
    expect(() => positionalStatement(sqlite.prepare(text)).run(['a'])).toThrow(
      'Too few parameter values',
    );
    expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 0 });
    sqlite.close();
  });
});
