import net from 'node:net';
import pg from 'pg';
import { vi } from 'vitest';

/** What `pg`'s client keeps of the statements it has written and not yet seen answered. */
interface ClientQueues {
  readonly _activeQuery: unknown;
  readonly _sentQueryQueue: readonly unknown[];
  readonly _queryQueue: readonly unknown[];
}

export interface WatchedStatements {
  /** The texts handed to `pg` clients, in order. */
  texts(): string[];
  /**
   * Round trips: statements handed over while their client waited for no answer. One handed
   * over while an earlier one is still unanswered goes in the same flight (pipeline mode).
   */
  roundTrips(): number;
  /**
   * Writes to sockets (`_write` or `_writev`, each one system call): statements written
   * together, corked, leave in one.
   */
  socketWrites(): number;
  clear(): void;
  restore(): void;
}

/** Watches every statement given to a `pg` client, to count texts and round trips (tests). */
export function watchPgStatements(): WatchedStatements {
  const seen: { text: string; waitedForNothing: boolean }[] = [];
  const original = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    const queues = this as unknown as ClientQueues;
    const busy =
      queues._activeQuery != null ||
      queues._sentQueryQueue.length > 0 ||
      queues._queryQueue.length > 0;
    const q = args[0] as string | { text: string };
    seen.push({ text: typeof q === 'string' ? q : q.text, waitedForNothing: !busy });
    return (original as (...a: unknown[]) => unknown).apply(this, args) as never;
  });
  const socket = net.Socket.prototype as unknown as Record<'_write' | '_writev', () => void>;
  const write = vi.spyOn(socket, '_write');
  const writev = vi.spyOn(socket, '_writev');
  return {
    texts: () => seen.map((s) => s.text),
    roundTrips: () => seen.filter((s) => s.waitedForNothing).length,
    socketWrites: () => write.mock.calls.length + writev.mock.calls.length,
    clear: () => {
      seen.length = 0;
      write.mockClear();
      writev.mockClear();
    },
    restore: () => {
      spy.mockRestore();
      write.mockRestore();
      writev.mockRestore();
    },
  };
}
