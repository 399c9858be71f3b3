import { describe, expect, it } from 'vitest';
import { cpuSpeed, syscallSpeed } from '../bench/probe.ts';

/**
 * The bench prints two probes of the machine beside each check-in run, to tell a slow minute of
 * the machine from slower code: JSON round trips in JavaScript (decision 1481), and system calls
 * that do almost nothing, which the JSON probe never makes (decision 1482). Each reading must be
 * work per CPU millisecond, steady from one call to the next on the same machine, and take about
 * the time asked.
 */
describe.each([
  // A JSON round trip of a few hundred bytes takes microseconds: many per millisecond.
  { name: 'cpuSpeed', probe: cpuSpeed },
  // A read of one byte from /dev/zero takes a few microseconds at most, even on a VM whose
  // kernel switches page tables on every call.
  { name: 'syscallSpeed', probe: syscallSpeed },
])('$name', ({ probe }) => {
  it('runs for about the time asked and counts work per CPU millisecond', () => {
    const start = performance.now();
    const speed = probe(60);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(60);
    expect(elapsed).toBeLessThan(1000);
    expect(Number.isFinite(speed)).toBe(true);
    expect(speed).toBeGreaterThan(10);
  });

  it('reads the same machine alike from one call to the next', () => {
    const first = probe(100);
    const second = probe(100);
    // Per CPU millisecond, not per wall millisecond: a thread that waits for a CPU (the rest of
    // the suite on these 2 cores) is not counted slower for it.
    expect(second / first).toBeGreaterThan(1 / 3);
    expect(second / first).toBeLessThan(3);
  });
});

describe('syscallSpeed', () => {
  it('spends a share of its time in the kernel: it times system calls, not JavaScript', () => {
    const before = process.cpuUsage();
    syscallSpeed(100);
    const used = process.cpuUsage(before);
    expect(used.system).toBeGreaterThan(0.05 * (used.user + used.system));
  });
});
