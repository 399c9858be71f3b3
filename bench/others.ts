import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/**
 * What the processes outside a measurement took of the machine's CPUs while it ran (Linux;
 * decision 1475). "Outside" is everything but the bench itself and what it started (its
 * servers), the processes it names, and PostgreSQL's: kernel threads (among them the block
 * layer's workers, which also complete the measurement's own writes), other services,
 * short-lived commands. On a 2-core
 * machine a few milliseconds of one core taken away show up in a latency's tail whatever the
 * server does, so the bench prints this beside the tail it judges. With it, the measurement's
 * own CPU by whom (decision 1477): the server, PostgreSQL, the load generator.
 */
export interface OthersCpu {
  /** Their CPU time over the machine's (every CPU × the window). */
  readonly share: number;
  /** The largest such share in any one slice of the window (`sliceMs`). */
  readonly peak: number;
  /** Their CPU time in all (ms). */
  readonly ms: number;
  /**
   * The processes alive at the window's end that took the most, most first: their own time and
   * that of their children that ended in it (a service's short-lived commands show as the
   * service's).
   */
  readonly top: readonly { readonly pid: number; readonly name: string; readonly ms: number }[];
  /**
   * The measurement's own CPU time in the window (ms), by whom: the processes named (the server)
   * with their descendants; PostgreSQL (postmasters and their backends); the bench itself with
   * whatever else it started (the load generator runs in it).
   */
  readonly measured: { readonly named: number; readonly postgres: number; readonly bench: number };
  /** Every process's CPU time over the machine's (every CPU × the window). */
  readonly busy: number;
}

export interface OthersWatch {
  /** Ends the window; undefined where /proc could not be read. */
  stop(): OthersCpu | undefined;
}

/** Linux reports process and machine times in USER_HZ ticks, 100 a second. */
const TICK_MS = 10;

interface ProcStat {
  readonly name: string;
  readonly ppid: number;
  /** Its own user and system time (every thread's), in ticks. */
  readonly own: number;
  /** Its children's that have exited and been waited for, in ticks. */
  readonly reaped: number;
}

/** Reads a file of `/proc` whole, or undefined where it is gone (a process that ended). */
type Reader = (path: string) => string | undefined;

function readOnce(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * The files a watch reads every slice, kept open: each read is then one `pread` from the start
 * instead of an open, a read and a close (`/proc` makes the text afresh on every read from the
 * start). A file whose process ended fails to read and is closed.
 */
class OpenFiles {
  readonly #fds = new Map<string, number>();
  readonly #buffer = Buffer.alloc(4096);

  readonly read: Reader = (path) => {
    let fd = this.#fds.get(path);
    try {
      if (fd === undefined) {
        fd = openSync(path, 'r');
        this.#fds.set(path, fd);
      }
      const length = readSync(fd, this.#buffer, 0, this.#buffer.length, 0);
      return this.#buffer.toString('latin1', 0, length);
    } catch {
      if (fd !== undefined) {
        this.#fds.delete(path);
        closeSync(fd);
      }
      return undefined;
    }
  };

  close(): void {
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
  }
}

function procStat(pid: number | string, read: Reader = readOnce): ProcStat | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // The name is in parentheses and may hold spaces or parentheses itself.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // From field 3 (state) on: ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
  return {
    name: text.slice(open + 1, close),
    ppid: Number(fields[1]),
    own: Number(fields[11]) + Number(fields[12]),
    reaped: Number(fields[13]) + Number(fields[14]),
  };
}

/**
 * Every CPU's time in processes (user, nice, system; and steal, the hypervisor's) and in all, so
 * far (`/proc/stat`'s first line). Interrupt and softirq time is left out of the first: the
 * kernel spends it on the network and disk traffic of whoever runs, mostly the measurement's
 * own here, and charges it to no process.
 */
function machineTicks(read: Reader = readOnce): { busy: number; total: number } | undefined {
  const line = read('/proc/stat')?.split('\n', 1)[0];
  if (line === undefined || !line.startsWith('cpu ')) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .slice(4)
    .trim()
    .split(/\s+/)
    .map(Number);
  const busy = [user, nice, system, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  return {
    busy,
    total: busy + [idle, iowait, irq, softirq].reduce<number>((a, b) => a + (b ?? 0), 0),
  };
}

function allProcesses(): Map<number, ProcStat> {
  const all = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat !== undefined) all.set(Number(entry), stat);
  }
  return all;
}

/** PostgreSQL's postmasters on this machine: `postgres` processes whose parent is not one. */
function postmasters(all: ReadonlyMap<number, ProcStat>): number[] {
  return [...all]
    .filter(([, s]) => s.name === 'postgres' && all.get(s.ppid)?.name !== 'postgres')
    .map(([pid]) => pid);
}

function children(pid: number, read: Reader = readOnce): number[] {
  const text = read(`/proc/${pid}/task/${pid}/children`);
  if (text === undefined) return [];
  return text
    .trim()
    .split(' ')
    .filter((c) => c !== '')
    .map(Number);
}

/** `roots` and every process below them. */
function descendants(roots: readonly number[], read: Reader): Set<number> {
  const set = new Set<number>();
  const queue = [...roots];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    if (set.has(pid)) continue;
    set.add(pid);
    queue.push(...children(pid, read));
  }
  return set;
}

/**
 * Starts watching: every `sliceMs` it reads the machine's busy time and the measurement's
 * (this process and its descendants, `ownPids`, each postmaster with its live children); what
 * the machine spent beyond theirs is the others'. A measured process's exited children count as
 * its own (their time is added to it when it waits for them), so a PostgreSQL backend that ends
 * in the window stays PostgreSQL's.
 */
export function watchOthers(ownPids: readonly number[], sliceMs = 100): OthersWatch {
  if (machineTicks() === undefined) return { stop: () => undefined };
  const before = allProcesses();
  const masters = postmasters(before);
  const files = new OpenFiles();
  const read = files.read;
  // The measurement: this process and everything it started (the servers, and theirs), the
  // processes named, and PostgreSQL.
  const measured = (): Set<number> =>
    new Set<number>([...ownPids, ...masters, ...descendants([process.pid], read)]);
  const ticksOf = (pids: Iterable<number>): number => {
    let ticks = 0;
    for (const pid of pids) {
      const s = procStat(pid, read);
      if (s !== undefined) ticks += s.own + s.reaped;
    }
    return ticks;
  };
  const postgresTicks = (): number => {
    let ticks = ticksOf(masters);
    for (const master of masters)
      for (const child of children(master, read)) ticks += procStat(child, read)?.own ?? 0;
    return ticks;
  };
  // By whom, for the window as a whole: the named processes' tree, PostgreSQL, the rest of
  // the bench's tree.
  const split = (): { named: number; postgres: number; bench: number } => {
    const named = descendants(ownPids, read);
    const bench = [...descendants([process.pid], read)].filter((pid) => !named.has(pid));
    return { named: ticksOf(named), postgres: postgresTicks(), bench: ticksOf(bench) };
  };
  const known = (): number =>
    ticksOf([...measured()].filter((pid) => !masters.includes(pid))) + postgresTicks();
  // Read together, after the scan above, so that the scan's own time is in neither.
  const firstSplit = split();
  let lastKnown = known();
  const start = machineTicks(read) ?? { busy: 0, total: 0 };
  let lastMachine = start;
  let othersTicks = 0;
  let peak = 0;
  const slice = (): void => {
    const machine = machineTicks(read);
    if (machine === undefined) return;
    const mine = known();
    const others = Math.max(0, machine.busy - lastMachine.busy - (mine - lastKnown));
    const total = machine.total - lastMachine.total;
    othersTicks += others;
    if (total > 0) peak = Math.max(peak, others / total);
    lastMachine = machine;
    lastKnown = mine;
  };
  const timer = setInterval(slice, sliceMs);
  return {
    stop() {
      clearInterval(timer);
      slice();
      const lastSplit = split();
      const ours = measured();
      files.close();
      const total = lastMachine.total - start.total;
      const after = allProcesses();
      const top = [...after]
        .filter(([pid, s]) => !ours.has(pid) && !masters.includes(s.ppid))
        .map(([pid, s]) => ({
          pid,
          name: s.name,
          // One born in the window spent all its time in it.
          ms:
            (s.own + s.reaped - ((before.get(pid)?.own ?? 0) + (before.get(pid)?.reaped ?? 0))) *
            TICK_MS,
        }))
        .filter((p) => p.ms > 0)
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 3);
      return {
        share: total > 0 ? othersTicks / total : 0,
        peak,
        ms: othersTicks * TICK_MS,
        top,
        measured: {
          named: (lastSplit.named - firstSplit.named) * TICK_MS,
          postgres: (lastSplit.postgres - firstSplit.postgres) * TICK_MS,
          bench: (lastSplit.bench - firstSplit.bench) * TICK_MS,
        },
        busy: total > 0 ? (lastMachine.busy - start.busy) / total : 0,
      };
    },
  };
}
