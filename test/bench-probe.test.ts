import { describe, expect, it } from 'vitest';
import { cpuSpeed, syscallSpeed } from '../bench/probe.ts';

/**
 * The bench prints the machine's speed beside each check-in run (decision 1481), to tell a slow
 * minute of the machine from slower code. The reading must be work per CPU millisecond, steady
 * from one call to the next on the same machine, and take about the time asked.
 */
describe('cpuSpeed', () => {
  it('runs for about the time asked and counts work per CPU millisecond', () => {
    const start = performance.now();
    const speed = cpuSpeed(60);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(60);
    expect(elapsed).toBeLessThan(1000);
    expect(Number.isFinite(speed)).toBe(true);
    // A JSON round trip of a few hundred bytes takes microseconds: many per millisecond.
    expect(speed).toBeGreaterThan(10);
  });

  it('reads the same machine alike from one call to the next', () => {
    const first = cpuSpeed(100);
    const second = cpuSpeed(100);
    // Per CPU millisecond, not per wall millisecond: a thread that waits for a CPU (the rest of
    // the suite on these 2 cores) is not counted slower for it.
    expect(second / first).toBeGreaterThan(1 / 3);
    expect(second / first).toBeLessThan(3);
  });
});

/**
 * Beside it, how fast the kernel answers (decision 1482): system calls that do almost nothing,
 * per CPU millisecond, which the JSON probe never makes.
 */
describe('syscallSpeed', () => {
  it('runs for about the time asked and counts system calls per CPU millisecond', () => {
    const start = performance.now();
    const calls = syscallSpeed(60);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(60);
    expect(elapsed).toBeLessThan(1000);
    expect(Number.isFinite(calls)).toBe(true);
    // A read of one byte from /dev/zero takes a few microseconds at most, even on a VM whose
    // kernel switches page tables on every call.
    expect(calls).toBeGreaterThan(10);
  });

  it('reads the same machine alike from one call to the next', () => {
    const first = syscallSpeed(100);
    const second = syscallSpeed(100);
    expect(second / first).toBeGreaterThan(1 / 3);
    expect(second / first).toBeLessThan(3);
  });
});
