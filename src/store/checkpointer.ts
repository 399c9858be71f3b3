import { Worker } from 'node:worker_threads';

/**
 * SQLite WAL checkpoints on a thread of their own, for the server (decision 1417).
 *
 * In WAL mode a commit appends pages to the `-wal` file; a checkpoint copies them back into the
 * database and, with `synchronous=FULL`, fsyncs it. By default the connection that commits runs
 * the checkpoint itself every 1,000 pages, inside that `COMMIT`, and better-sqlite3 is
 * synchronous: the server's only thread then stops for 10–20 ms every few dozen check-in
 * groups (measured: a quarter of the time spent in `COMMIT`). Here a worker thread holds a
 * second connection to the same file and runs a PASSIVE checkpoint every `intervalMs`: it copies
 * what is committed without taking the write lock, so the writer goes on committing meanwhile.
 *
 * The writer keeps an automatic checkpoint of its own, at a higher mark (`WRITER_CHECKPOINT_PAGES`):
 * a passive checkpoint never waits for the writer, so under steady writes it may not catch up
 * with the end of the log, and only a checkpoint between two of the writer's transactions lets the
 * log start again from the beginning. That one then finds most pages copied already. Nothing
 * about durability changes: a commit is durable when its WAL fsync returns, as before; a
 * checkpoint only moves committed pages.
 */
export const WRITER_CHECKPOINT_PAGES = 10_000;

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // Another process's checkpoint holds the lock (serve --processes N): the next turn copies.
    if (error.code !== 'SQLITE_BUSY') parentPort.postMessage({ error: String(error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stop checkpointing and close the worker's connection (the worker then exits). */
  stop(): void;
}

/**
 * Checkpoint the WAL of the SQLite file at `path` every `intervalMs` on a worker thread, with the
 * better-sqlite3 build at `module` (the one the writer loaded). `onError` hears a failed
 * checkpoint (the writer's own automatic checkpoint still bounds the log).
 */
export function startCheckpointer(options: {
  readonly path: string;
  readonly module: string;
  readonly intervalMs?: number;
  readonly onError?: ((message: string) => void) | undefined;
}): Checkpointer {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: {
      path: options.path,
      module: options.module,
      intervalMs: options.intervalMs ?? 200,
    },
  });
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) options.onError?.(message.error);
  });
  worker.on('error', (error) => options.onError?.(String(error)));
  // It never keeps the process alive on its own.
  worker.unref();
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
  };
}
