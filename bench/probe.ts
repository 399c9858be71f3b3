import { closeSync, openSync, readSync } from 'node:fs';
import { collectGarbage } from './gc.ts';
import { mainThreadScheduling } from './scheduling.ts';

/** A check-in's body and answer, about the size the server parses and writes for each. */
const SAMPLE = JSON.stringify({
  soreness: 3,
  symptoms: ['tenderness', 'bruising'],
  note: 'A little sore where the needle went in, easing since this morning.',
  disposition: 'self_care',
  rules: ['expected_soreness'],
  rulebookVersion: '1.1.0',
  advice: { en: 'Soreness like this is expected for a day or two.', es: 'Es normal.' },
  receivedAt: '2026-12-07T09:00:00.000Z',
  hoursAfter: 20.5,
});

/**
 * How fast the machine runs a fixed piece of work right now (decision 1481): a JSON round trip
 * of a check-in-sized object, over and over on this thread for `ms`, counted per millisecond of
 * the thread's own CPU time (Linux: `/proc/thread-self/schedstat`; elsewhere the process's),
 * after a full garbage collection.
 * Time spent waiting for a CPU is not counted, so the figure is how fast the work ran while it
 * ran. On a VM whose host shares its cores, the same code runs slower in some minutes than in
 * others, and every process's CPU per check-in with it; the bench reads this beside them.
 */
export function cpuSpeed(ms = 200): number {
  // The first call's work also compiles it: not counted.
  if (!warm) {
    roundTrips(50);
    warm = true;
  }
  // The garbage of what the process did before (a load generator's) is not the probe's to
  // collect.
  collectGarbage();
  const cpu = threadCpuMs();
  const trips = roundTrips(ms);
  const used = threadCpuMs() - cpu;
  // A clock too coarse to see the work (never on Linux) gives no reading, not a made-up one.
  return used > 0 ? trips / used : Number.NaN;
}

let warm = false;

/**
 * How fast the machine's kernel answers right now (decision 1482): one-byte reads of
 * `/dev/zero`, over and over on this thread for `ms`, counted per millisecond of the thread's
 * own CPU time, as `cpuSpeed` counts. Each read is a system call that does almost nothing, so
 * what it measures is the cost of going into the kernel and back, which `cpuSpeed` never does:
 * on a machine whose kernel switches page tables on every call, JavaScript can run fast while
 * every socket read and write, and every SQLite page written to the log, costs more. No
 * reading (NaN) where `/dev/zero` cannot be opened.
 */
export function syscallSpeed(ms = 100): number {
  let fd: number;
  try {
    fd = openSync('/dev/zero', 'r');
  } catch {
    return Number.NaN;
  }
  try {
    const byte = Buffer.alloc(1);
    // The first batch also compiles the loop: not counted.
    for (let i = 0; i < 50; i += 1) readSync(fd, byte, 0, 1, null);
    const cpu = threadCpuMs();
    const start = performance.now();
    let reads = 0;
    while (performance.now() - start < ms) {
      for (let i = 0; i < 50; i += 1) readSync(fd, byte, 0, 1, null);
      reads += 50;
    }
    const used = threadCpuMs() - cpu;
    return used > 0 ? reads / used : Number.NaN;
  } finally {
    closeSync(fd);
  }
}

/** JSON round trips of `SAMPLE` for `ms` of wall time; how many. */
function roundTrips(ms: number): number {
  const start = performance.now();
  let trips = 0;
  let kept = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i += 1) {
      const value = JSON.parse(SAMPLE) as { hoursAfter: number };
      value.hoursAfter += i;
      kept += JSON.stringify(value).length;
    }
    trips += 50;
  }
  // Read, so the work cannot be left out.
  if (kept === 0) throw new Error('the probe did no work');
  return trips;
}

function threadCpuMs(): number {
  const own = mainThreadScheduling();
  if (own !== undefined) return own.ranMs;
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}
