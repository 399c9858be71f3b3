import { readFileSync } from 'node:fs';

/** The calling thread's scheduling so far (Linux): see `mainThreadScheduling`. */
export interface ThreadScheduling {
  /** Time on a CPU (ms). */
  readonly ranMs: number;
  /** Time ready to run but waiting for a CPU (ms). */
  readonly waitedMs: number;
  /** How often the kernel took the CPU from it while it could still run. */
  readonly preempted: number;
}

/**
 * The calling thread's time on a CPU and waiting for one, and its involuntary context
 * switches, since it started: Linux's `/proc/thread-self/schedstat` and `status` (decision
 * 1463). Called on the main thread (the bench server's SIGUSR2 handler runs there), it reads the
 * main thread's own. Undefined where they cannot be read.
 */
export function mainThreadScheduling(): ThreadScheduling | undefined {
  try {
    const [ran, waited] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ');
    const status = readFileSync('/proc/thread-self/status', 'latin1');
    const preempted = /nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1];
    if (ran === undefined || waited === undefined || preempted === undefined) return undefined;
    return {
      ranMs: Number(ran) / 1e6,
      waitedMs: Number(waited) / 1e6,
      preempted: Number(preempted),
    };
  } catch {
    return undefined;
  }
}
