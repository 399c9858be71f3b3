import { describe, expect, it } from 'vitest';
import { PreparedStatements } from './pg-prepared.ts';

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
