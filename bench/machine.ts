import { readFileSync } from 'node:fs';
import { release } from 'node:os';

/**
 * What kind of machine the bench ran on, in one line (decision 1488): the CPU's model, the
 * kernel, whether the kernel switches page tables on every entry (`Mitigation: PTI` for
 * Meltdown), whether the CPU offers PCID (without it each switch also empties the TLB), and
 * the idle driver. Machines of this class come in kinds whose figures differ by more than any
 * change the bench is asked to judge (docs/performance.md, rounds 52–60); the probes say how
 * fast a machine runs, this line says which kind it is.
 */
export interface MachineSources {
  /** `/proc/cpuinfo`, or undefined where it cannot be read. */
  readonly cpuinfo?: string | undefined;
  /** `/sys/devices/system/cpu/vulnerabilities/meltdown`. */
  readonly meltdown?: string | undefined;
  /** `/sys/devices/system/cpu/cpuidle/current_driver`. */
  readonly cpuidle?: string | undefined;
  /** The kernel's release (`os.release()`). */
  readonly kernel: string;
}

/** The machine's line from what `sources` read; a part that could not be read says so. */
export function machineLine(sources: MachineSources): string {
  const field = (name: string): string | undefined => {
    const line = sources.cpuinfo?.split('\n').find((l) => l.split(':')[0]?.trim() === name);
    return line?.slice(line.indexOf(':') + 1).trim();
  };
  const flags = field('flags')?.split(/\s+/);
  const pcid = flags === undefined ? 'unknown' : flags.includes('pcid') ? 'yes' : 'no';
  return [
    field('model name') ?? 'CPU unknown',
    `kernel ${sources.kernel}`,
    `Meltdown: ${sources.meltdown?.trim() || 'unknown'}`,
    `PCID: ${pcid}`,
    `cpuidle: ${sources.cpuidle?.trim() || 'unknown'}`,
  ].join(' · ');
}

/** This machine's line (Linux files; elsewhere their parts read `unknown`). */
export function describeMachine(): string {
  return machineLine({
    cpuinfo: readOrUndefined('/proc/cpuinfo'),
    meltdown: readOrUndefined('/sys/devices/system/cpu/vulnerabilities/meltdown'),
    cpuidle: readOrUndefined('/sys/devices/system/cpu/cpuidle/current_driver'),
    kernel: release(),
  });
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
