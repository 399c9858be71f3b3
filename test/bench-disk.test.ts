import {
  closeSync,
  existsSync,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskWrites, readDiskstats, watchDisk } from '../bench/disk.ts';

/**
 * The bench prints what the disks wrote beside a latency's tail (decision 1490): a commit's
 * flush waits behind the kernel's writeback bursts.
 */
describe('readDiskstats', () => {
  const stats = [
    ' 254       0 vda 67348 13030 2780682 8736 2155973 48731 96812472 430609 3 82560 469129 18144 62 13708264 1756 835519 28027',
    ' 254       1 vda1 100 0 800 1 200 0 4000 5 1 6 7',
    ' 253       0 zram0 5 0 40 0 9 0 72 0 0 0 0',
    '   7       0 loop0 1 0 8 0 0 0 0 0 0 0 0',
    ' 259       0 nvme0n1 10 0 80 0 20 0 1000 4 2 9 9',
  ].join('\n');

  it('sums sectors written and requests in flight over the disks named, and nothing else', () => {
    expect(readDiskstats(stats, new Set(['vda']))).toEqual({
      sectorsWritten: 96812472,
      inFlight: 3,
    });
    expect(readDiskstats(stats, new Set(['vda', 'nvme0n1']))).toEqual({
      sectorsWritten: 96813472,
      inFlight: 5,
    });
  });

  it('answers undefined when none of the disks is listed', () => {
    expect(readDiskstats(stats, new Set(['sda']))).toBeUndefined();
    expect(readDiskstats('', new Set(['vda']))).toBeUndefined();
  });
});

describe('diskWrites', () => {
  const at = (sectorsWritten: number, inFlight = 0) => ({ sectorsWritten, inFlight });

  it('finds the second that wrote the most, not the average', () => {
    // Slices of 100 ms: 1 MB each, and one second (ten slices) with 20 MB more in its fifth.
    const mb = 1_000_000 / 512;
    const readings = [at(0)];
    for (let i = 1; i <= 30; i += 1)
      readings.push(
        at(
          (readings.at(-1)?.sectorsWritten ?? 0) + mb + (i === 15 ? 20 * mb : 0),
          i === 15 ? 90 : 1,
        ),
      );
    const writes = diskWrites(readings, 10);
    expect(writes.mb).toBeCloseTo(50, 6);
    expect(writes.peakMbPerSecond).toBeCloseTo(30, 6);
    expect(writes.peakInFlight).toBe(90);
  });

  it('counts a window shorter than a second whole', () => {
    const writes = diskWrites([at(0), at(2048, 4), at(4096)], 10);
    expect(writes.mb).toBeCloseTo((4096 * 512) / 1_000_000, 9);
    expect(writes.peakMbPerSecond).toBeCloseTo(writes.mb, 9);
    expect(writes.peakInFlight).toBe(4);
  });

  it('answers zeros for no readings', () => {
    expect(diskWrites([], 10)).toEqual({ mb: 0, peakMbPerSecond: 0, peakInFlight: 0 });
  });
});

describe('watchDisk on this machine', () => {
  it.runIf(existsSync('/proc/diskstats'))(
    'sees at least what this test wrote and flushed to a file',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nc-disk-'));
      try {
        const watch = watchDisk();
        const fd = openSync(join(dir, 'written'), 'w');
        const chunk = Buffer.alloc(1 << 20, 1);
        for (let i = 0; i < 4; i += 1) writeSync(fd, chunk);
        fdatasyncSync(fd);
        closeSync(fd);
        await new Promise((resolve) => setTimeout(resolve, 250));
        const writes = watch.stop();
        // Where the temporary folder is on a disk /sys/block lists (not tmpfs), 4 MB at least.
        const onDisk = !readFileSync('/proc/mounts', 'latin1')
          .split('\n')
          .some((line) => line.split(' ')[1] === tmpdir() && line.split(' ')[2] === 'tmpfs');
        expect(writes).toBeDefined();
        if (onDisk) expect(writes?.mb ?? 0).toBeGreaterThanOrEqual(4);
        expect(writes?.peakMbPerSecond ?? 0).toBeLessThanOrEqual((writes?.mb ?? 0) + 1e-9);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
