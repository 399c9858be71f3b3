import type SQLite from 'better-sqlite3';

/**
 * The most values one statement call passes as arguments; a longer list goes whole, as it
 * came. Far under what a call may take.
 */
export const MAX_SPREAD = 4096;

/**
 * The arguments to hand better-sqlite3 for `params` as Kysely's driver passes them (one list
 * of values): the list's values themselves, one argument each, when every one is a plain value
 * (a string, a number, a bigint, null or bytes) and there are at most `MAX_SPREAD`; otherwise
 * `params` unchanged (decision 1487).
 *
 * better-sqlite3 reads a list's values through V8's API, one property read each (`Object::Get`);
 * values passed as arguments it reads directly. Anything that is not a plain value stays in its
 * list, so better-sqlite3 refuses it as it always did: spread, an object would bind as named
 * parameters and a list as more values.
 */
export function spreadValues(params: readonly unknown[]): readonly unknown[] {
  if (params.length !== 1) return params;
  const list = params[0];
  if (!Array.isArray(list) || list.length > MAX_SPREAD) return params;
  for (let i = 0; i < list.length; i++) {
    const value = list[i];
    if (
      value !== null &&
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      typeof value !== 'bigint' &&
      !(value instanceof Uint8Array)
    ) {
      return params;
    }
  }
  return list;
}

/**
 * A better-sqlite3 statement as Kysely's SQLite driver uses it (`reader`, `all`, `run`,
 * `iterate`; and `get`, `readonly`), binding its values one argument each (`spreadValues`).
 */
export function positionalStatement(statement: SQLite.Statement): SQLite.Statement {
  const positional = {
    get reader() {
      return statement.reader;
    },
    get readonly() {
      return statement.readonly;
    },
    all: (...params: unknown[]) => statement.all(...spreadValues(params)),
    run: (...params: unknown[]) => statement.run(...spreadValues(params)),
    get: (...params: unknown[]) => statement.get(...spreadValues(params)),
    iterate: (...params: unknown[]) => statement.iterate(...spreadValues(params)),
  };
  return positional as unknown as SQLite.Statement;
}
