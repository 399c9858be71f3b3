/** One step of a graceful stop: what it waits for (said if it is slow), and the wait. */
export type StopStep = readonly [name: string, run: () => Promise<unknown>];

/**
 * Runs a server's stop steps one after another. A step still running after `slowAfterMs` is
 * named once through `onSlow`, so a stop that hangs says what it waits for; the step itself is
 * still awaited (nothing is cut short here).
 */
export async function stopInSteps(
  steps: readonly StopStep[],
  onSlow: (name: string, afterMs: number) => void,
  slowAfterMs = 10_000,
): Promise<void> {
  for (const [name, run] of steps) {
    const timer = setTimeout(() => onSlow(name, slowAfterMs), slowAfterMs);
    timer.unref();
    try {
      await run();
    } finally {
      clearTimeout(timer);
    }
  }
}
