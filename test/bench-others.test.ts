import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { watchOthers } from '../bench/others.ts';

/**
 * A process that keeps one CPU busy for `ms`, then exits. Not this process's child: started
 * through a shell that leaves it behind, since the bench counts its own descendants as the
 * measurement.
 */
async function otherSpinner(ms: number): Promise<{ pid: number; done: Promise<void> }> {
  const script = `const until = Date.now() + ${ms}; while (Date.now() < until) {}`;
  const shell = spawn('sh', [
    '-c',
    `"$0" -e "$1" >/dev/null 2>&1 & echo $!`,
    process.execPath,
    script,
  ]);
  let out = '';
  shell.stdout.on('data', (chunk) => {
    out += String(chunk);
  });
  await new Promise<void>((resolve) => shell.once('exit', () => resolve()));
  const pid = Number(out.trim());
  const done = (async () => {
    while (
      existsSync(`/proc/${pid}/stat`) &&
      !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'))
    )
      await new Promise((resolve) => setTimeout(resolve, 20));
  })();
  return { pid, done };
}

/** A child of this process that keeps one CPU busy for `ms`, then exits. */
function childSpinner(ms: number): { pid: number; done: Promise<void> } {
  const child = spawn(process.execPath, [
    '-e',
    `const until = Date.now() + ${ms}; while (Date.now() < until) {}`,
  ]);
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error('no pid');
  return { pid: child.pid, done };
}

/** A process's user and system time so far (ms; Linux counts in 10 ms ticks). */
function cpuMs(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Every CPU's time not idle so far (ms): the bench's count (user, nice, system, steal) and the
 * interrupts and softirqs it leaves out. The bound these tests hold the others' time to must
 * take those in: the kernel may charge a process's system time for softirq work done on its
 * behalf (the whole suite's sockets and files), which `/proc/stat` counts as softirq.
 */
function machineBusyMs(): number {
  const [user, nice, system, , , irq, softirq, steal] = (
    readFileSync('/proc/stat', 'latin1').split('\n', 1)[0] ?? ''
  )
    .slice(4)
    .trim()
    .split(/\s+/)
    .map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0) * 10;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Watches while `work` runs, with `pid`'s CPU time and the machine's read around the watch.
 * `reading` is how long it took from this function's first read to the watch's start, and from
 * the watch's stop to this function's last read (ms): the watch reads every process's times
 * during those calls, and on a busy machine this thread may wait for a CPU between two reads,
 * so up to that much of `pid`'s time may fall in `spun` before or after the watch read it.
 */
async function watchAround(pid: number, ownPids: readonly number[], work: () => Promise<unknown>) {
  const starting = performance.now();
  const spunBefore = cpuMs(pid);
  const busyBefore = machineBusyMs();
  const watch = watchOthers(ownPids, 50);
  const started = performance.now();
  await work();
  const stopping = performance.now();
  const others = watch.stop();
  const spun = cpuMs(pid) - spunBefore;
  const busy = machineBusyMs() - busyBefore;
  // From this test's first read to the watch's, and from the watch's last to this test's: the
  // spinner may run meanwhile (this thread can wait for a CPU between two reads).
  const reading = started - starting + (performance.now() - stopping);
  return { others, spun, busy, reading };
}

/**
 * Whatever else ran meanwhile, `pid`'s time is not among the others' (ticks of 10 ms read at
 * slightly different moments: a few of them of slack).
 */
function expectLeftOut(watched: Awaited<ReturnType<typeof watchAround>>, pid: number): void {
  const { others, spun, busy } = watched;
  expect(others).toBeDefined();
  expect(others?.top.some((p) => p.pid === pid)).toBe(false);
  expect(spun).toBeGreaterThanOrEqual(100);
  expect(others?.ms ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(busy - spun + 40);
}

/**
 * The bench prints what processes outside the measurement took of the machine beside each
 * check-in window (decision 1475): a process it was not told about must count as another's,
 * one it was told about must not, and the figures come in shares and milliseconds.
 */
describe.skipIf(!existsSync('/proc/stat'))('watchOthers', () => {
  it("counts a process it was not told about as another's, by name", async () => {
    const spin = await otherSpinner(1200);
    await sleep(100);
    // The kernel's name for it: `node` on Node 20, its main thread's `MainThread` on Node 24.
    const name = readFileSync(`/proc/${spin.pid}/comm`, 'latin1').trim();
    const watch = watchOthers([], 50);
    await sleep(800);
    const others = watch.stop();
    await spin.done;
    expect(others).toBeDefined();
    if (others === undefined) return;
    // 800 ms of one busy CPU, less whatever the machine's other work took from it.
    expect(others.ms).toBeGreaterThanOrEqual(100);
    expect(others.share).toBeGreaterThan(0);
    expect(others.share).toBeLessThanOrEqual(1);
    expect(others.peak).toBeGreaterThanOrEqual(others.share);
    expect(others.peak).toBeLessThanOrEqual(1);
    const spun = others.top.find((p) => p.pid === spin.pid);
    expect(['node', 'MainThread']).toContain(name);
    expect(spun?.name).toBe(name);
    expect(spun?.ms).toBeGreaterThanOrEqual(100);
    expect(spun?.ms).toBeLessThanOrEqual(1000);
  });

  it('leaves out the processes it was told are the measurement', async () => {
    const spin = await otherSpinner(1200);
    await sleep(100);
    const watched = await watchAround(spin.pid, [spin.pid], () => sleep(800));
    await spin.done;
    expectLeftOut(watched, spin.pid);
  });

  it('leaves out what this process started (the servers)', async () => {
    const spin = childSpinner(1200);
    await sleep(100);
    const watched = await watchAround(spin.pid, [], () => sleep(800));
    await spin.done;
    expectLeftOut(watched, spin.pid);
    // Not named: the bench's own, with the machine's busy share that holds it.
    const measured = watched.others?.measured;
    expect(measured?.bench).toBeGreaterThanOrEqual(watched.spun - 40 - watched.reading);
    expect(measured?.named).toBe(0);
    expect(watched.others?.busy).toBeGreaterThan(0);
    expect(watched.others?.busy).toBeLessThanOrEqual(1);
  });

  it("counts a named process's CPU as the named processes', not the bench's", async () => {
    const spin = childSpinner(1200);
    await sleep(100);
    const watched = await watchAround(spin.pid, [spin.pid], () => sleep(800));
    await spin.done;
    expectLeftOut(watched, spin.pid);
    const measured = watched.others?.measured;
    // Ticks of 10 ms read at slightly different moments: a few of them of slack.
    expect(measured?.named).toBeGreaterThanOrEqual(watched.spun - 40 - watched.reading);
    expect(measured?.named).toBeLessThanOrEqual(watched.spun + 40);
    expect(measured?.bench).toBeLessThan(watched.spun / 2);
  });
});

/** PostgreSQL's backends are the measurement's too, when the database runs on this machine. */
describe.skipIf(!existsSync('/proc/stat') || !process.env.DATABASE_URL)(
  'watchOthers with PostgreSQL on this machine',
  () => {
    it("counts a busy backend as PostgreSQL's, not another's", async () => {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
        const backend = rows[0]?.pid ?? 0;
        // A server elsewhere has no such process here: nothing of this machine to check.
        if (!existsSync(`/proc/${backend}/stat`)) return;
        // About half a second of one backend's CPU, reading no table.
        const watched = await watchAround(backend, [], () =>
          client.query('select count(*) from generate_series(1, 4000000)'),
        );
        expectLeftOut(watched, backend);
        expect(watched.others?.measured.postgres).toBeGreaterThanOrEqual(
          watched.spun - 40 - watched.reading,
        );
      } finally {
        await client.end();
      }
    });
  },
);
