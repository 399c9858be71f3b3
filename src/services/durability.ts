import type { Db } from '../store/db.ts';
import { walSyncOf } from '../store/wal-sync.ts';

/**
 * How to wait until every commit made so far on `db` is on disk, for a door that holds its
 * answers until then (decision 1484): a function that returns the wait, or `undefined` when
 * nothing is pending. Rejects for good once an fsync has failed (decision 1419). `undefined`
 * itself where a commit returns durable (PostgreSQL, SQLite syncing on the thread).
 */
export function durableWaitOf(db: Db): (() => Promise<void> | undefined) | undefined {
  const wal = walSyncOf(db);
  return wal === undefined ? undefined : () => wal.whenDurable();
}
