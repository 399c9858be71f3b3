import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowedCpus, parseCpuList } from '../bench/affinity.ts';

/**
 * With `BENCH_PIN=1` the HTTP bench keeps its load generator on one CPU and starts servers on
 * all of them (decision 1466): the reading of a CPU list, and the pinning as a child process
 * sees it.
 */
describe('parseCpuList', () => {
  it('reads ranges and single CPUs', () => {
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList('0-3,6\n')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList('2')).toEqual([2]);
  });
  it('refuses what is not a list', () => {
    expect(() => parseCpuList('a-b')).toThrow(/not a CPU list/);
    expect(() => parseCpuList('3-1')).toThrow(/not a CPU list/);
  });
});

const cpus = allowedCpus();
const taskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
const why =
  cpus === undefined
    ? 'not Linux'
    : cpus.length < 2
      ? 'only one CPU allowed'
      : !taskset
        ? 'no taskset (util-linux)'
        : undefined;
if (why !== undefined) console.log(`bench-affinity: pinning not tested: ${why}`);

describe.skipIf(why !== undefined)('pinLoadGenerator', () => {
  it('keeps the process on its last CPU, starts servers on all, frees it for the storage, and restores', () => {
    const script = fileURLToPath(new URL('./fixtures/pin-load-generator.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const seen = JSON.parse(run.stdout) as Record<string, number[]>;
    const all = cpus ?? [];
    expect(seen.pinned).toEqual([all.at(-1)]);
    expect(seen.server).toEqual(all);
    // The storage's figures run on all the CPUs, then the generator is back on its one.
    expect(seen.freed).toEqual(all);
    expect(seen.pinnedAgain).toEqual([all.at(-1)]);
    expect(seen.restored).toEqual(all);
  });
});
