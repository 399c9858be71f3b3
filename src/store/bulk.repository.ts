import type { Insertable } from 'kysely';
import type { Db } from './db.ts';
import { dialectOf, withTransaction } from './db.ts';
import type { Database } from './schema.ts';

/**
 * Bound parameters one statement may carry: SQLite's default limit is 32,766, PostgreSQL's
 * wire protocol 65,535. A little below, so a statement never fails at the edge.
 */
const MAX_PARAMETERS = { sqlite: 32_000, postgres: 65_000 } as const;

/**
 * Insert many rows of one table with multi-row `INSERT`s, as many rows per statement as the
 * dialect's parameter limit allows, all in one transaction (the caller's, when it runs in
 * one). For loading data in bulk — seeding the scale benchmark, imports — not for the
 * request path: it records no audit event and raises no outbox event by itself.
 * Rows must all have the same columns.
 */
export async function insertRowsInBulk<T extends keyof Database & string>(
  db: Db,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<number> {
  const first = rows[0];
  if (first === undefined) return 0;
  const columns = Object.keys(first).length;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS[dialectOf(db)] / columns));
  await withTransaction(db, async (trx) => {
    for (let at = 0; at < rows.length; at += perStatement) {
      // Kysely's insert builder is typed per table; the rows were typed by the caller.
      await trx
        .insertInto(table)
        .values(rows.slice(at, at + perStatement) as never)
        .execute();
    }
  });
  return rows.length;
}
