import type { Clock } from './clock.ts';

/**
 * A fixed-window counter per key, in memory (one per app instance: with several app servers
 * the effective limit is per server; the per-account lock-out lives in the database and is
 * global). Used for sign-in attempts per IP address. Old windows are swept as keys are hit.
 */
export interface RateLimiter {
  /** Count one hit; `allowed` is false once the window's limit is reached. */
  hit(key: string): { allowed: boolean; retryAfterSeconds: number };
  reset(key: string): void;
}

export function createRateLimiter(clock: Clock, max: number, windowMs: number): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;

  function sweep(now: number): void {
    if (now - lastSweep < windowMs) return;
    lastSweep = now;
    for (const [key, w] of windows) if (now - w.start >= windowMs) windows.delete(key);
  }

  return {
    hit(key) {
      const now = clock.now().getTime();
      sweep(now);
      let w = windows.get(key);
      if (w === undefined || now - w.start >= windowMs) {
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      const retryAfterSeconds = Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
      return { allowed: w.count <= max, retryAfterSeconds };
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
