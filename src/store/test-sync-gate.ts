import { fdatasync } from 'node:fs';

/**
 * Tests only: a `syncOffThread.sync` for `createDb` that holds every fsync of the log behind a
 * gate, to see what waits for it. Once opened, each runs the real `fdatasync`.
 */
export interface SyncGate {
  /** Descriptors the handle asked to sync, in order. */
  readonly calls: number[];
  readonly sync: (fd: number) => Promise<void>;
  /** Let every held fsync (and later ones) run; `hold` holds the next ones again. */
  open(): void;
  hold(): void;
  /** Fail every held fsync (and later ones). */
  fail(error: Error): void;
}

export function syncGate(): SyncGate {
  const calls: number[] = [];
  let state: { held: boolean; error?: Error } = { held: true };
  let waiters: (() => void)[] = [];
  const release = (next: { held: boolean; error?: Error }) => {
    state = next;
    for (const wake of waiters.splice(0)) wake();
  };
  return {
    calls,
    sync: async (fd) => {
      calls.push(fd);
      while (state.held) await new Promise<void>((resolve) => waiters.push(resolve));
      if (state.error !== undefined) throw state.error;
      await new Promise<void>((resolve, reject) =>
        fdatasync(fd, (e) => (e ? reject(e) : resolve())),
      );
    },
    open: () => release({ held: false }),
    hold: () => {
      state = { held: true };
      waiters = [];
    },
    fail: (error) => release({ held: false, error }),
  };
}

/** Has `promise` settled after the event loop has had `ms` to run everything else? */
export async function settledWithin(promise: Promise<unknown>, ms = 50): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return settled;
}
