import type { Db } from '../store/db.ts';

/**
 * What this process knows of each session's triage inputs after its own last commit.
 *
 * - PostgreSQL (decision 1461): kept with the session's `triage_version` as that commit left
 *   it. A check-in group whose sessions are all kept here reads nothing before it writes; its
 *   rows statement moves each version on from the kept one and fails if another writer moved it
 *   first (`SessionsMoved`), so kept state is only ever a guess that the database checks under
 *   the sessions' locks, never a source of truth.
 * - SQLite (decision 1469): used only when nothing at all was written to the database since
 *   this process's last kept group wrote its last row (`WriteMark`, read under the write lock);
 *   otherwise all of it is dropped (`clear`) and the group reads.
 *
 * Per database handle (its adapter), at most `KEPT_SESSIONS` sessions, the least recently
 * written dropped first.
 */
export const KEPT_SESSIONS = 4096;

/**
 * After a group's kept state was stale, this many groups on the handle read their sessions
 * again before any uses kept state. Another process writing the same sessions
 * (`serve --processes N`) makes most kept state stale, and each stale group costs a round trip
 * and a run again.
 */
export const GROUPS_WITHOUT_KEPT_STATE_AFTER_A_MISS = 16;

interface Kept<S> {
  readonly version: number;
  readonly state: S;
}

export class KeptTriageState<S> {
  readonly #byAdapter = new WeakMap<object, Map<string, Kept<S>>>();
  readonly #pauses = new WeakMap<object, number>();

  #sessions(db: Db): Map<string, Kept<S>> {
    const adapter = db.getExecutor().adapter;
    let sessions = this.#byAdapter.get(adapter);
    if (sessions === undefined) {
      sessions = new Map();
      this.#byAdapter.set(adapter, sessions);
    }
    return sessions;
  }

  /**
   * The kept state and version of every one of `ids`, or undefined when one is missing or
   * within a pause after a miss (counting the pause down).
   */
  all(db: Db, ids: readonly string[]): Kept<S>[] | undefined {
    const adapter = db.getExecutor().adapter;
    const left = this.#pauses.get(adapter) ?? 0;
    if (left > 0) {
      this.#pauses.set(adapter, left - 1);
      return undefined;
    }
    const sessions = this.#sessions(db);
    const found: Kept<S>[] = [];
    for (const id of ids) {
      const kept = sessions.get(id);
      if (kept === undefined) return undefined;
      found.push(kept);
    }
    return found;
  }

  /** After a commit that moved the session's version to `version`. */
  keep(db: Db, id: string, version: number, state: S): void {
    const sessions = this.#sessions(db);
    sessions.delete(id);
    sessions.set(id, { version, state });
    if (sessions.size > KEPT_SESSIONS) {
      const oldest = sessions.keys().next();
      if (oldest.done !== true) sessions.delete(oldest.value);
    }
  }

  /** These sessions' kept state is not known to be right any more. */
  forget(db: Db, ids: Iterable<string>): void {
    const sessions = this.#sessions(db);
    for (const id of ids) sessions.delete(id);
  }

  /** Kept state turned out stale: read for the next groups (`GROUPS_WITHOUT_KEPT_STATE…`). */
  missed(db: Db): void {
    this.#pauses.set(db.getExecutor().adapter, GROUPS_WITHOUT_KEPT_STATE_AFTER_A_MISS);
  }

  /** Nothing kept on `db` is known to be right any more (SQLite, decision 1469). */
  clear(db: Db): void {
    this.#sessions(db).clear();
  }

  /** How many sessions are kept on `db` (tests). */
  size(db: Db): number {
    return this.#sessions(db).size;
  }
}
