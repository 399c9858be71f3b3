import { sql } from 'kysely';
import type { Db } from './db.ts';

/**
 * SQLite: where the database stood, as one connection sees it (decision 1469). Two marks read on
 * the same connection are equal only if nothing at all was written to the database between
 * them: not by this connection (`changes`, SQLite's `total_changes()`, counts every row it
 * inserted, updated or deleted, rolled back or not), and not by any other connection or process
 * (`dataVersion`, `PRAGMA data_version`, moves when another connection commits). Read inside a
 * transaction that holds the write lock (`begin immediate`), a mark cannot be overtaken.
 */
export interface WriteMark {
  readonly changes: number;
  readonly dataVersion: number;
}

const MARK = sql<{ changes: number; data_version: number }>`select total_changes() as changes,
  (select data_version from pragma_data_version) as data_version`;

/** The connection's mark now (SQLite only). */
export async function readWriteMark(trx: Db): Promise<WriteMark> {
  const { rows } = await MARK.execute(trx);
  const row = rows[0];
  if (row === undefined) throw new Error('total_changes() returned no row');
  return { changes: Number(row.changes), dataVersion: Number(row.data_version) };
}

export function sameWriteMark(a: WriteMark | undefined, b: WriteMark | undefined): boolean {
  return (
    a !== undefined && b !== undefined && a.changes === b.changes && a.dataVersion === b.dataVersion
  );
}
