import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './io.ts';
import { EXIT_FAILURE, EXIT_OK } from './io.ts';

/** The `needlecare` binary the children run (the same file whichever door started us). */
const BIN = fileURLToPath(new URL('../../bin/needlecare.js', import.meta.url));

/** Environment variable a child reads to know its role (set by the primary only). */
export const CHILD_ROLE_VARIABLE = 'NEEDLECARE_CLUSTER_ROLE';

/** `outbox`: this child also runs the one in-process outbox worker; `server`: HTTP only. */
export type ChildRole = 'outbox' | 'server';

/** True in a process the primary forked; its role says whether it runs the outbox worker. */
export function clusterChildRole(): ChildRole | undefined {
  if (!cluster.isWorker) return undefined;
  return process.env[CHILD_ROLE_VARIABLE] === 'outbox' ? 'outbox' : 'server';
}

export interface ClusterOptions {
  /** How many server processes. */
  readonly processes: number;
  /**
   * The audit lane of the first process; each of the others appends to the next one, and a
   * replacement to the lane of the process it replaces (decision 1473).
   */
  readonly firstAuditLane: number;
  /** The arguments each child gets after `serve` (e.g. `--worker`); `--processes` is not repeated. */
  readonly childArgs: readonly string[];
  /** Whether one child (the first, and whoever replaces it) runs the outbox worker. */
  readonly outbox: boolean;
  /** What follows `listening on URL` in the line printed once every child listens. */
  readonly describe: () => string;
}

/**
 * `needlecare serve --processes N`: the primary of a node:cluster. It loads nothing but this
 * file (no database, no Fastify), forks the first child and waits until it listens (so that
 * child alone migrates the database), then forks the others; they share the one port. A child
 * that dies is replaced with the same role (the outbox worker runs in exactly one child, which
 * SQLite needs: docs/decisions/1020). SIGTERM or SIGINT is forwarded to every child, which
 * finishes its requests and closes its database; the primary exits when all have.
 * Resolves with the exit code.
 */
export async function runClusterPrimary(options: ClusterOptions, io: CliIo): Promise<number> {
  cluster.setupPrimary({
    exec: BIN,
    args: ['serve', ...options.childArgs],
    // The children write their own (JSON) logs to the same stdout and stderr.
    silent: false,
  });
  const roles = new Map<Worker, ChildRole>();
  const auditLanes = new Map<Worker, number>();
  const listening = new Set<Worker>();
  let stopping = false;
  let url: string | undefined;
  /** Replacements since a child last reached `listening`: backs off a child that keeps dying. */
  let failedInARow = 0;

  const fork = (role: ChildRole, auditLane: number): Worker => {
    const worker = cluster.fork({
      ...io.env,
      [CHILD_ROLE_VARIABLE]: role,
      NEEDLECARE_AUDIT_LANE: String(auditLane),
    });
    roles.set(worker, role);
    auditLanes.set(worker, auditLane);
    return worker;
  };

  /** Resolves with the address the child listens on, or rejects when it exits first. */
  const untilListening = (worker: Worker): Promise<string> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) =>
        reject(new Error(`a server process exited before listening (${signal ?? code})`));
      worker.once('exit', onExit);
      worker.once('listening', (address) => {
        worker.off('exit', onExit);
        listening.add(worker);
        const host =
          address.address === undefined ||
          address.address === null ||
          address.address === '' ||
          address.address === '::'
            ? '127.0.0.1'
            : address.address;
        resolve(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
      });
    });

  // Every child's process has exited. Not "cluster.workers is empty": node removes a worker
  // from that list only once it has both exited and disconnected, so that test, run on `exit`
  // events only, would depend on the order of the two events.
  const allExited = () =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (Object.values(cluster.workers ?? {}).every((w) => w === undefined || w.isDead()))
          resolve();
      };
      cluster.on('exit', check);
      check();
    });

  const signal = new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(s);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });

  const stopAll = async (): Promise<void> => {
    stopping = true;
    const done = allExited();
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && !worker.isDead()) worker.process.kill('SIGTERM');
    }
    await done;
  };

  try {
    // The first child migrates (if needed) and, with --worker, runs the outbox worker.
    url = await untilListening(fork(options.outbox ? 'outbox' : 'server', options.firstAuditLane));
    await Promise.all(
      Array.from({ length: options.processes - 1 }, (_, i) =>
        untilListening(fork('server', options.firstAuditLane + i + 1)),
      ),
    );
  } catch (error) {
    io.stderr.write(
      `needlecare serve: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    await stopAll();
    return EXIT_FAILURE;
  }

  // From here on, a child that dies is replaced (same role), unless we are shutting down.
  cluster.on('exit', (worker, code, sig) => {
    const role = roles.get(worker) ?? 'server';
    const auditLane = auditLanes.get(worker) ?? options.firstAuditLane;
    roles.delete(worker);
    auditLanes.delete(worker);
    listening.delete(worker);
    if (stopping) return;
    io.stderr.write(
      `needlecare serve: server process ${worker.process.pid} exited (${sig ?? `code ${code}`}); starting a replacement\n`,
    );
    const delay = Math.min(failedInARow * 500, 5_000);
    failedInARow++;
    setTimeout(() => {
      if (stopping) return;
      const next = fork(role, auditLane);
      untilListening(next).then(
        () => {
          failedInARow = 0;
          io.stdout.write(
            `needlecare: replacement server process ${next.process.pid} listening${role === 'outbox' ? ' (with the outbox worker)' : ''}\n`,
          );
        },
        () => undefined, // its exit comes back to this same listener
      );
    }, delay);
  });

  const pids = Object.values(cluster.workers ?? {})
    .map((w) => w?.process.pid)
    .join(', ');
  io.stdout.write(
    `needlecare: listening on ${url} with ${options.processes} server processes (pids ${pids})${options.describe()}\n`,
  );
  const received = await signal;
  io.stdout.write(`needlecare: ${received}, shutting down ${roles.size} server processes\n`);
  await stopAll();
  return EXIT_OK;
}
