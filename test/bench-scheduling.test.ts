import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mainThreadScheduling } from '../bench/scheduling.ts';

/**
 * The bench's figures for the server's waits for a CPU (decision 1463) come from this reading:
 * it must count the thread's own work, in milliseconds.
 */
describe.skipIf(!existsSync('/proc/thread-self/schedstat'))('mainThreadScheduling', () => {
  it("counts the calling thread's time on a CPU, in milliseconds", () => {
    const before = mainThreadScheduling();
    expect(before).toBeDefined();
    const start = performance.now();
    const until = start + 60;
    let spins = 0;
    while (performance.now() < until) spins += 1;
    const after = mainThreadScheduling();
    const elapsed = performance.now() - start;
    expect(spins).toBeGreaterThan(0);
    if (before === undefined || after === undefined) throw new Error('unreadable');
    // 60 ms of busy work, never asleep: each millisecond either on a CPU or waiting for one,
    // give or take what the kernel counts as neither (a clean-clone run of the forty-sixth round
    // counted 54.7 of 60 ms; a VM's host taking the virtual CPU would be that, though not
    // shown).
    const ran = after.ranMs - before.ranMs;
    const waited = after.waitedMs - before.waitedMs;
    expect(ran).toBeGreaterThan(5);
    expect(ran + waited).toBeGreaterThan(0.75 * elapsed);
    expect(ran + waited).toBeLessThan(1000);
    expect(Number.isInteger(after.preempted)).toBe(true);
    expect(after.preempted).toBeGreaterThanOrEqual(before.preempted);
  });
});
