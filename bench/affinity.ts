/**
 * `BENCH_PIN=1`: the HTTP bench's load generator on a CPU of its own (decision 1466).
 *
 * On one machine the bench's own process (autocannon, the paced load, the ceilings' clients)
 * shares the cores with the server it measures; at half load it took the server's core from it
 * ~800 times a second. With `BENCH_PIN=1`, on Linux with two or more CPUs allowed, the bench
 * process keeps to the last of them while it drives HTTP, and every server it starts may use
 * all of them (`taskset`, util-linux). The storage's own figures (the durable ceilings, lone
 * commits at a pace) run with the process on all its CPUs again (`withAllCpus`): a client held
 * to one core held the PostgreSQL ceiling down. Off by default: on 2 cores it took the server's
 * waits for a CPU down and the half-load p99 up (our reading, not measured apart: the paced
 * generator, held to one core, sends late, and lateness counts as latency).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The CPUs in a Linux CPU list such as `0-3,6`. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) throw new Error(`not a CPU list: ${list}`);
    const last = to ?? from;
    if (!Number.isInteger(last) || last < from) throw new Error(`not a CPU list: ${list}`);
    for (let cpu = from; cpu <= last; cpu += 1) cpus.push(cpu);
  }
  return cpus;
}

/** The CPUs a process may run on (`Cpus_allowed_list`), or undefined off Linux. */
export function allowedCpus(pid: number | 'self' = 'self'): number[] | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const list = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1];
    return list === undefined ? undefined : parseCpuList(list);
  } catch {
    return undefined;
  }
}

/** Every thread of `pid` to `cpus` (`taskset -a -p -c`). */
function setAffinity(pid: number, cpus: readonly number[]): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus.join(','), String(pid)], { stdio: 'ignore' });
}

/** While the bench is pinned: its CPU, and the CPUs servers are started on. */
let pin: { readonly generatorCpu: number; readonly serverCpus: readonly number[] } | undefined;

export interface Pinned {
  /** The CPU the bench's own process keeps to. */
  readonly generatorCpu: number;
  /** The CPUs every server may use. */
  readonly serverCpus: readonly number[];
  /** Back to the CPUs the process had. */
  restore(): void;
}

/**
 * Keep this process on the last CPU it may use, and start servers on all of them from now on
 * (`nodeCommand`). A reason in words when it cannot: one CPU, not Linux, no `taskset`.
 */
export function pinLoadGenerator(): Pinned | string {
  const cpus = allowedCpus();
  if (cpus === undefined) return 'not Linux (no /proc/self/status)';
  const generatorCpu = cpus.at(-1);
  if (cpus.length < 2 || generatorCpu === undefined) return 'only one CPU allowed';
  try {
    setAffinity(process.pid, [generatorCpu]);
  } catch (error) {
    return `taskset failed (${(error as Error).message.split('\n')[0]})`;
  }
  pin = { generatorCpu, serverCpus: cpus };
  return {
    generatorCpu,
    serverCpus: cpus,
    restore() {
      pin = undefined;
      setAffinity(process.pid, cpus);
    },
  };
}

/**
 * `measure` with this process on all its CPUs, then back on its one while the bench is still
 * pinned: for the figures of the storage alone (the durable ceilings, lone commits at a pace).
 */
export async function withAllCpus<T>(measure: () => Promise<T>): Promise<T> {
  const held = pin;
  if (held === undefined) return measure();
  setAffinity(process.pid, held.serverCpus);
  try {
    return await measure();
  } finally {
    if (pin === held) setAffinity(process.pid, [held.generatorCpu]);
  }
}

/**
 * The command that starts `node` with `args`: through `taskset` on all the CPUs while the bench
 * is pinned, since a child would otherwise inherit the bench's one CPU. `taskset` execs `node`,
 * so the child's pid is the server's.
 */
export function nodeCommand(args: readonly string[]): [string, string[]] {
  if (pin === undefined) return [process.execPath, [...args]];
  return ['taskset', ['-c', pin.serverCpus.join(','), process.execPath, ...args]];
}
