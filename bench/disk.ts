import { readdirSync, readFileSync } from 'node:fs';

/**
 * What the machine's disks wrote while a measurement ran (Linux; decision 1490). A commit
 * waits for its log's flush, and a flush waits behind whatever else the disk was given: on
 * this machine class the kernel's periodic writeback sent a database's data pages out in
 * bursts of up to ~290 MB in a second, and a lone `fdatasync` then took 15–70 ms. The bench prints
 * these beside the tail it judges, as it prints the CPU other processes took.
 */
export interface DiskWrites {
  /** Megabytes written in the window, every whole disk together. */
  readonly mb: number;
  /** The most written in any one second of it (ten slices in a row). */
  readonly peakMbPerSecond: number;
  /** The most requests the disks had in flight at any slice's end. */
  readonly peakInFlight: number;
}

export interface DiskWatch {
  /** Ends the window; undefined where /proc/diskstats could not be read. */
  stop(): DiskWrites | undefined;
}

/** One reading of the whole disks: sectors (512 bytes) written so far, requests in flight. */
export interface DiskReading {
  readonly sectorsWritten: number;
  readonly inFlight: number;
}

/**
 * `/proc/diskstats` summed over `disks` (names). A line is `major minor name` and then the
 * counters: the seventh is sectors written, the ninth the requests in flight
 * (Documentation/admin-guide/iostats.rst). Undefined when none of `disks` is listed.
 */
export function readDiskstats(text: string, disks: ReadonlySet<string>): DiskReading | undefined {
  let sectorsWritten = 0;
  let inFlight = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[2];
    if (name === undefined || !disks.has(name)) continue;
    const written = Number(fields[9]);
    const flight = Number(fields[11]);
    if (!Number.isFinite(written) || !Number.isFinite(flight)) continue;
    sectorsWritten += written;
    inFlight += flight;
    seen = true;
  }
  return seen ? { sectorsWritten, inFlight } : undefined;
}

/**
 * The window's figures from readings taken every slice (`perSecond` slices a second), the
 * first at its start: in all, the most in any `perSecond` slices in a row, and the most in
 * flight at any reading after the first.
 */
export function diskWrites(readings: readonly DiskReading[], perSecond: number): DiskWrites {
  const first = readings[0];
  const last = readings.at(-1);
  if (first === undefined || last === undefined)
    return { mb: 0, peakMbPerSecond: 0, peakInFlight: 0 };
  const toMb = (sectors: number) => (sectors * 512) / 1_000_000;
  let peak = 0;
  let peakInFlight = 0;
  for (let i = 1; i < readings.length; i += 1) {
    const now = readings[i] as DiskReading;
    const from = readings[Math.max(0, i - perSecond)] as DiskReading;
    peak = Math.max(peak, now.sectorsWritten - from.sectorsWritten);
    peakInFlight = Math.max(peakInFlight, now.inFlight);
  }
  return {
    mb: toMb(last.sectorsWritten - first.sectorsWritten),
    peakMbPerSecond: toMb(peak),
    peakInFlight,
  };
}

/** The whole disks the kernel lists (`/sys/block`), less memory and loop devices. */
function wholeDisks(): Set<string> {
  try {
    return new Set(readdirSync('/sys/block').filter((name) => !/^(loop|ram|zram)/.test(name)));
  } catch {
    return new Set();
  }
}

const SLICE_MS = 100;

/** Reads the disks every 100 ms from now until `stop()`. */
export function watchDisk(): DiskWatch {
  const disks = wholeDisks();
  const read = (): DiskReading | undefined => {
    try {
      return readDiskstats(readFileSync('/proc/diskstats', 'latin1'), disks);
    } catch {
      return undefined;
    }
  };
  const readings: DiskReading[] = [];
  const first = read();
  if (first === undefined) return { stop: () => undefined };
  readings.push(first);
  const timer = setInterval(() => {
    const reading = read();
    if (reading !== undefined) readings.push(reading);
  }, SLICE_MS);
  return {
    stop() {
      clearInterval(timer);
      const reading = read();
      if (reading !== undefined) readings.push(reading);
      return diskWrites(readings, 1000 / SLICE_MS);
    },
  };
}
