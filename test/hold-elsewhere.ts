import type { Db } from '../src/store/db.ts';
import type { DialectContext } from './dialects.ts';

/**
 * Another writer, on a handle of its own, runs `work` in a transaction and holds its locks
 * until the returned function is called; that commits it. Meant for PostgreSQL: a SQLite
 * handle of these suites waits for the write lock on the event loop's thread.
 */
export async function holdElsewhere(
  ctx: DialectContext,
  work: (trx: Db) => Promise<unknown>,
): Promise<() => Promise<void>> {
  let release: () => void = () => undefined;
  let committed: Promise<void> = Promise.resolve();
  await new Promise<void>((locked) => {
    committed = ctx
      .openAnother()
      .transaction()
      .execute(async (trx) => {
        await work(trx);
        locked();
        await new Promise<void>((r) => {
          release = r;
        });
      });
  });
  return () => {
    release();
    return committed;
  };
}
