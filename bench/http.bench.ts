import { availableParallelism } from 'node:os';
import { pinLoadGenerator, withAllCpus } from './affinity.ts';
import {
  postgresCommitsPerSecond,
  postgresPacedCommits,
  sqliteCommitsPerSecond,
  sqlitePacedCommits,
} from './ceiling.ts';
import { type DiskWrites, watchDisk } from './disk.ts';
import type { LoadResult, PacedResult } from './load.ts';
import { pacedAgent, pacedCheckIns, postCheckIns } from './load.ts';
import { describeMachine } from './machine.ts';
import { type OthersCpu, watchOthers } from './others.ts';
import { cpuSpeed, syscallSpeed } from './probe.ts';
import { type ServerCounts, serverCounts, startServe, startServer } from './servers.ts';
import type { Figures } from './stats.ts';

/** Each dialect's durable ceiling, measured when called (commits/s). */
interface Ceilings {
  readonly sqlite: () => Promise<number>;
  readonly postgres?: () => Promise<number>;
}

/** Lone durable commits at a given pace (the half-load latency floor). */
type PacedCommits = (rate: number, seconds: number) => Promise<PacedResult>;

export interface HttpBenchOptions {
  /** Seconds of each autocannon run (issue 14: 10). */
  readonly seconds: number;
  /** autocannon connections (issue 14: 32). */
  readonly connections: number;
  /** Seconds of each durable-ceiling measurement. */
  readonly ceilingSeconds: number;
}

/**
 * The check-ins per group the server wrote during a run. Under the closed load of `connections`
 * clients, ~all of them in each group is the usual; about half shows the connections taking
 * turns in two halves, which costs the run its rate (twenty-first round, docs/performance.md).
 */
function groupFigure(figures: Figures, name: string, counts: ServerCounts): void {
  figures.add({
    name: `${name}: check-ins per group (mean)`,
    value: counts.groups === 0 ? 0 : counts.items / counts.groups,
    unit: '',
    digits: 1,
  });
  if (counts.kept === undefined) return;
  // Decisions 1461, 1469: a group that read nothing before it wrote. On SQLite any write by
  // anyone else in between sends a group back to reading.
  figures.add({
    name: `${name}: groups on kept triage state, share`,
    value: counts.groups === 0 ? 0 : counts.kept / counts.groups,
    unit: '',
    digits: 2,
  });
}

/**
 * How much of the window the server's main thread was ready to run but had no CPU, and how
 * often the kernel took the CPU from it (Linux; decision 1463). On a small machine the load
 * generator and PostgreSQL's backend share the server's cores, and a thread that waits for a
 * CPU answers late whatever its own code does: this shows how much of a tail is that. With it,
 * the thread's CPU time per check-in answered (decision 1475): the same code on a machine that
 * gives it less takes more, so a ratio that falls with it fell with the machine.
 */
function cpuWaitFigures(
  figures: Figures,
  name: string,
  counts: ServerCounts,
  seconds: number,
  requests: number,
): void {
  if (counts.waitedMs === undefined || counts.ranMs === undefined) return;
  figures.add({
    name: `${name}: the server's thread on a CPU, share of the window`,
    value: counts.ranMs / (seconds * 1000),
    unit: '',
    digits: 2,
  });
  figures.add({
    name: `${name}: the server's thread's CPU per check-in`,
    value: requests === 0 ? 0 : (counts.ranMs * 1000) / requests,
    unit: 'µs',
  });
  figures.add({
    name: `${name}: the server's thread ready but waiting for a CPU, share of the window`,
    value: counts.waitedMs / (seconds * 1000),
    unit: '',
    digits: 3,
  });
  figures.add({
    name: `${name}: times the kernel took the CPU from the server's thread`,
    value: counts.preempted ?? 0,
    unit: '',
  });
}

/**
 * What processes outside the measurement (neither the bench, nor the server, nor PostgreSQL)
 * took of the machine during the window, in all and at most in any 100 ms, and who took the
 * most (Linux; decision 1475). A core taken away for a few milliseconds shows in a tail
 * whatever the server does: read a missed latency target beside these.
 */
function othersFigures(
  figures: Figures,
  name: string,
  others: OthersCpu | undefined,
  requests: number,
  postgres: boolean,
): void {
  if (others === undefined) return;
  // Where a check-in's CPU went, on every core: beside the server's thread, its other threads
  // (libuv's fsyncs, the checkpointer), PostgreSQL's backends and the load generator share
  // the machine.
  const perCheckIn = (ms: number) => (requests === 0 ? 0 : (ms * 1000) / requests);
  figures.add({
    name: `${name}: the server's process's CPU per check-in (every thread)`,
    value: perCheckIn(others.measured.named),
    unit: 'µs',
  });
  if (postgres)
    figures.add({
      name: `${name}: PostgreSQL's CPU per check-in`,
      value: perCheckIn(others.measured.postgres),
      unit: 'µs',
    });
  figures.add({
    name: `${name}: the load generator's CPU per check-in (the bench's process)`,
    value: perCheckIn(others.measured.bench),
    unit: 'µs',
  });
  figures.add({
    name: `${name}: every process's CPU, share of the machine`,
    value: others.busy,
    unit: '',
    digits: 2,
  });
  figures.add({
    name: `${name}: CPU other processes took, share of the machine`,
    value: others.share,
    unit: '',
    digits: 3,
  });
  figures.add({
    name: `${name}: the same, at most in any 100 ms`,
    value: others.peak,
    unit: '',
    digits: 2,
  });
  if (others.top.length > 0)
    figures.note(
      `   ${name}: the other processes that took the most: ${others.top
        .map((p) => `${p.name} (pid ${p.pid}) ${p.ms} ms`)
        .join(', ')}`,
    );
}

/**
 * The machine's speed on the probe's fixed work right before and right after a run (decision
 * 1481): when every process's CPU per check-in rises and the probe falls with it, the machine
 * ran slower in those minutes; when the probe holds, the code or its load is the place to look.
 */
function speedFigures(
  figures: Figures,
  name: string,
  [before, after]: readonly [MachineSpeed, MachineSpeed],
): void {
  const unit = 'JSON round trips per CPU ms';
  figures.add({ name: `${name}: the machine's speed (probe), before`, value: before.cpu, unit });
  figures.add({ name: `${name}: the machine's speed (probe), after`, value: after.cpu, unit });
  const calls = 'one-byte reads per CPU ms';
  figures.add({
    name: `${name}: the machine's system calls (probe), before`,
    value: before.syscalls,
    unit: calls,
  });
  figures.add({
    name: `${name}: the machine's system calls (probe), after`,
    value: after.syscalls,
    unit: calls,
  });
}

interface MachineSpeed {
  readonly cpu: number;
  readonly syscalls: number;
}

/** Both probes, one after the other (decisions 1481, 1482). */
function machineSpeed(): MachineSpeed {
  return { cpu: cpuSpeed(), syscalls: syscallSpeed() };
}

function loadFigures(figures: Figures, name: string, r: LoadResult): void {
  figures.add({ name: `${name}: throughput`, value: r.perSecond, unit: 'req/s' });
  figures.add({ name: `${name}: p50`, value: r.p50, unit: 'ms', digits: 1 });
  figures.add({ name: `${name}: p99`, value: r.p99, unit: 'ms', digits: 1 });
  if (r.failures > 0) figures.note(`!! ${name}: ${r.failures} requests failed`);
}

/**
 * One run of issue 14's measurement: durable ceilings, the bare route and the check-in on each
 * dialect, then the check-in again at half its measured rate for the latency target. Every
 * ratio is taken between figures of this same run.
 */
export async function benchHttp(figures: Figures, options: HttpBenchOptions): Promise<void> {
  const { DATABASE_URL, ...withoutPg } = process.env;
  const pgUrl = DATABASE_URL === '' ? undefined : DATABASE_URL;

  // Each dialect's durable ceiling is measured right before and right after its check-in run
  // (measureDialects): the disk's fsync rate drifts within minutes on a shared machine, and the
  // ratio should compare the two under the same conditions.
  const ceilings: Ceilings = {
    // The storage measured with the bench on all its CPUs (decision 1466).
    sqlite: () => withAllCpus(() => sqliteCommitsPerSecond(options.ceilingSeconds)),
    ...(pgUrl === undefined
      ? {}
      : {
          postgres: () =>
            withAllCpus(() => postgresCommitsPerSecond(pgUrl, options.ceilingSeconds)),
        }),
  };

  // `BENCH_PIN=1`: the load generator on a CPU of its own, the servers on all. Off by default:
  // it took the server's waits for a CPU down and its half-load p99 up (decision 1466).
  const cores = availableParallelism();
  figures.note(`the machine: ${describeMachine()}`);
  const pinned = process.env.BENCH_PIN === '1' ? pinLoadGenerator() : 'BENCH_PIN=1 pins it';
  if (typeof pinned === 'string') figures.note(`load generator not pinned: ${pinned}`);
  else
    figures.note(
      `load generator (this process) on CPU ${pinned.generatorCpu}; servers on CPUs ${pinned.serverCpus.join(',')}`,
    );
  try {
    // The bare route stays up: the half-load pacer is run against it too, for its own floor.
    const bare = await startServer('bare', withoutPg);
    try {
      await measureDialects(figures, options, bare, { ceilings, pgUrl, withoutPg, cores });
    } finally {
      await bare.stop();
    }
  } finally {
    if (typeof pinned !== 'string') pinned.restore();
  }
}

async function measureDialects(
  figures: Figures,
  options: HttpBenchOptions,
  bare: { readonly url: string; readonly tokens: readonly string[] },
  ctx: {
    readonly ceilings: Ceilings;
    readonly pgUrl: string | undefined;
    readonly withoutPg: NodeJS.ProcessEnv;
    readonly cores: number;
  },
): Promise<void> {
  const { ceilings, pgUrl, withoutPg } = ctx;
  const { seconds, connections } = options;
  const warm = Math.min(2, seconds);
  await postCheckIns({ url: bare.url, tokens: bare.tokens, connections, seconds: warm });
  const bareResult = await postCheckIns({
    url: bare.url,
    tokens: bare.tokens,
    connections,
    seconds,
  });
  loadFigures(figures, 'bare Fastify route (same body schema)', bareResult);

  const dialects: {
    name: string;
    env: NodeJS.ProcessEnv;
    ceiling: () => Promise<number>;
    ceilingName: string;
    pacedCommits: PacedCommits;
  }[] = [
    {
      name: 'SQLite',
      env: withoutPg,
      ceiling: ceilings.sqlite,
      pacedCommits: (rate, secs) => withAllCpus(() => sqlitePacedCommits(rate, secs)),
      ceilingName: 'durable ceiling, SQLite WAL FULL autocommit inserts',
    },
  ];
  if (pgUrl !== undefined && ceilings.postgres !== undefined) {
    dialects.push({
      name: 'PostgreSQL',
      env: { ...withoutPg, DATABASE_URL: pgUrl },
      ceiling: ceilings.postgres,
      pacedCommits: (rate, secs) => withAllCpus(() => postgresPacedCommits(pgUrl, rate, secs)),
      ceilingName: 'durable ceiling, PostgreSQL autocommit inserts (pg, 10 conns)',
    });
  }
  for (const dialect of dialects) {
    const server = await startServer('app', dialect.env);
    try {
      const target = { url: server.url, tokens: server.tokens, connections };
      await postCheckIns({ ...target, seconds: warm });
      // Let the server's background checkpoint of the warm-up's log pass first.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = await dialect.ceiling();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // The machine's speed right before and after the full load (decisions 1481, 1482).
      const speedBefore = machineSpeed();
      await serverCounts(server); // counted from here
      const serverPids = server.child.pid === undefined ? [] : [server.child.pid];
      const watch = watchOthers(serverPids);
      const full = await postCheckIns({ ...target, seconds });
      const others = watch.stop();
      loadFigures(figures, `check-in ${dialect.name}, ${connections} conns`, full);
      const counted = await serverCounts(server);
      const speedAfter = machineSpeed();
      speedFigures(figures, `check-in ${dialect.name}, ${connections} conns`, [
        speedBefore,
        speedAfter,
      ]);
      groupFigure(figures, `check-in ${dialect.name}, ${connections} conns`, counted);
      cpuWaitFigures(
        figures,
        `check-in ${dialect.name}, ${connections} conns`,
        counted,
        seconds,
        full.requests,
      );
      othersFigures(
        figures,
        `check-in ${dialect.name}, ${connections} conns`,
        others,
        full.requests,
        dialect.name === 'PostgreSQL',
      );
      figures.add({
        name: `check-in ${dialect.name}: ratio to the bare route`,
        value: full.perSecond / bareResult.perSecond,
        unit: '',
        digits: 4,
      });
      await halfLoad(figures, dialect.name, target, bare, full.perSecond / 2, seconds, {
        counts: () => serverCounts(server),
        pids: serverPids,
      });
      await commitFloor(figures, dialect.name, dialect.pacedCommits, full.perSecond / 2, seconds);
      // After the half-load runs, so its inserts cannot disturb them (decision 1420).
      const after = await dialect.ceiling();
      figures.add({ name: `${dialect.ceilingName}, before`, value: before, unit: 'commits/s' });
      figures.add({ name: `${dialect.ceilingName}, after`, value: after, unit: 'commits/s' });
      figures.add({
        name: `check-in ${dialect.name}: ratio to its durable ceiling (mean of before and after)`,
        value: full.perSecond / ((before + after) / 2),
        unit: '',
        target: '≥ 0.5',
        digits: 3,
        failed: full.failures,
      });
      // Issue 14's moonshot: more check-ins acknowledged per second than single commits allow.
      figures.add({
        name: `check-in ${dialect.name}: the same ratio against the moonshot`,
        value: full.perSecond / ((before + after) / 2),
        unit: '',
        target: '> 1.0',
        digits: 3,
        failed: full.failures,
      });
    } finally {
      await server.stop();
    }
  }
  // All cores: the production entry `needlecare serve` with 1 and with N processes (cluster).
  // Counted before the bench pinned itself to one of them (decision 1466).
  const { cores } = ctx;
  for (const dialect of dialects) {
    const rates: number[] = [];
    for (const processes of [1, cores]) {
      const server = await startServe(processes, dialect.env);
      try {
        const target = { url: server.url, tokens: server.tokens, connections };
        await postCheckIns({ ...target, seconds: warm });
        // Every process of the cluster is the server's (decision 1477).
        const watch = watchOthers(server.child.pid === undefined ? [] : [server.child.pid]);
        const r = await postCheckIns({ ...target, seconds });
        const others = watch.stop();
        rates.push(r.perSecond);
        const name = `check-in ${dialect.name}, serve --processes ${processes}`;
        loadFigures(figures, name, r);
        othersFigures(figures, name, others, r.requests, dialect.name === 'PostgreSQL');
      } finally {
        await server.stop();
      }
    }
    figures.add({
      name: `check-in ${dialect.name}: ${cores} processes / 1 process`,
      value: (rates[1] ?? 0) / (rates[0] ?? 1),
      unit: '×',
      digits: 2,
    });
  }
  if (pgUrl === undefined) {
    figures.note(
      'PostgreSQL: skipped, because DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench)',
    );
  }
}

/**
 * The latency target holds at half the throughput just measured (issue 14), offered at a steady
 * pace (decision 1410); the same pacer on the bare route is its own floor.
 */
async function halfLoad(
  figures: Figures,
  name: string,
  target: {
    readonly url: string;
    readonly tokens: readonly string[];
    readonly connections: number;
  },
  bare: { readonly url: string; readonly tokens: readonly string[] },
  halfRate: number,
  seconds: number,
  server: { readonly counts: () => Promise<ServerCounts>; readonly pids: readonly number[] },
): Promise<void> {
  // The full-load run starts after a warm-up; so does this one (decision 1441). Right after the
  // full load the server and the database are still working off its backlog; those seconds
  // are printed on their own line, not hidden. The measured seconds go on over the warm-up's
  // connections (decision 1450): a pool that starts empty opens connections while it is timed.
  const agent = pacedAgent();
  const settling = await pacedCheckIns({
    ...target,
    seconds: Math.min(2, seconds),
    rate: halfRate,
    agent,
  });
  await server.counts(); // counted from here
  const watch = watchOthers(server.pids);
  const diskWatch = watchDisk();
  const half = await pacedCheckIns({ ...target, seconds, rate: halfRate, agent });
  const disk = diskWatch.stop();
  const others = watch.stop();
  agent.destroy();
  const collected = await server.counts();
  // The floor is paced the same way: 2 s first, then the measured seconds on their connections.
  const bareAgent = pacedAgent();
  await pacedCheckIns({ ...bare, seconds: Math.min(2, seconds), rate: halfRate, agent: bareAgent });
  const floor = await pacedCheckIns({ ...bare, seconds, rate: halfRate, agent: bareAgent });
  bareAgent.destroy();
  figures.add({
    name: `check-in ${name} at half load: rate offered (paced)`,
    value: halfRate,
    unit: 'req/s',
  });
  figures.add({
    name: `check-in ${name} at half load: p50`,
    value: half.p50,
    unit: 'ms',
    digits: 1,
  });
  figures.add({
    name: `check-in ${name} at half load: p99`,
    value: half.p99,
    unit: 'ms',
    target: '< 25',
    digits: 1,
    failed: settling.failures + half.failures,
  });
  // What promotes garbage shows here first (decisions 1446, 1447).
  figures.add({
    name: `check-in ${name} at half load: full garbage collections in the server`,
    value: collected.count,
    unit: '',
  });
  figures.add({
    name: `check-in ${name} at half load: their pauses, in all`,
    value: collected.ms,
    unit: 'ms',
    digits: 1,
  });
  groupFigure(figures, `check-in ${name} at half load`, collected);
  cpuWaitFigures(figures, `check-in ${name} at half load`, collected, seconds, half.requests);
  othersFigures(
    figures,
    `check-in ${name} at half load`,
    others,
    half.requests,
    name === 'PostgreSQL',
  );
  diskFigures(figures, `check-in ${name} at half load`, disk);
  figures.add({
    name: `check-in ${name} at half load: its first ${Math.min(2, seconds)} s right after the full load (warm-up, not counted), p99`,
    value: settling.p99,
    unit: 'ms',
    digits: 1,
  });
  figures.add({
    name: `check-in ${name} at half load: the pacer's floor (bare route, same pace), p99`,
    value: floor.p99,
    unit: 'ms',
    digits: 1,
  });
  const failed = settling.failures + half.failures;
  if (failed > 0) figures.note(`!! half load: ${failed} requests failed`);
  // The bursty figure the bench printed before (autocannon overallRate), for comparison.
  const bursty = await postCheckIns({ ...target, seconds, rate: halfRate });
  figures.add({
    name: `check-in ${name} at half load, autocannon overallRate (bursts), p99`,
    value: bursty.p99,
    unit: 'ms',
    digits: 1,
    failed: bursty.failures,
  });
  if (bursty.failures > 0) figures.note(`!! bursts: ${bursty.failures} requests failed`);
}

/**
 * Lone single-row autocommit inserts at the half-load pace, right after the half-load runs: the
 * storage's own tail at that pace, printed beside the check-in's p99 (decision 1432).
 */
async function commitFloor(
  figures: Figures,
  name: string,
  pacedCommits: PacedCommits,
  halfRate: number,
  seconds: number,
): Promise<void> {
  const diskWatch = watchDisk();
  const lone = await pacedCommits(halfRate, seconds);
  const disk = diskWatch.stop();
  figures.add({
    name: `${name}: lone durable commits at the half-load pace, p50`,
    value: lone.p50,
    unit: 'ms',
    digits: 1,
  });
  figures.add({
    name: `${name}: lone durable commits at the half-load pace, p99 (the floor under the check-in's)`,
    value: lone.p99,
    unit: 'ms',
    digits: 1,
  });
  figures.add({
    name: `${name}: lone durable commits at the half-load pace, max`,
    value: lone.max,
    unit: 'ms',
    digits: 1,
  });
  diskFigures(figures, `${name}: lone durable commits at the half-load pace`, disk);
  if (lone.failures > 0) figures.note(`!! ${name} lone commits: ${lone.failures} failed`);
}

/**
 * What the disks wrote in the window (Linux; decision 1490): a commit's flush waits behind the
 * kernel's writeback of data pages, so a second with a burst of it shows in a latency's tail
 * whatever the server does. Read a missed tail beside these.
 */
function diskFigures(figures: Figures, name: string, disk: DiskWrites | undefined): void {
  if (disk === undefined) return;
  figures.add({ name: `${name}: the disks wrote, in all`, value: disk.mb, unit: 'MB' });
  figures.add({
    name: `${name}: the disks wrote, at most in any second`,
    value: disk.peakMbPerSecond,
    unit: 'MB',
  });
  figures.add({
    name: `${name}: the disks' requests in flight, at most`,
    value: disk.peakInFlight,
    unit: '',
  });
}
