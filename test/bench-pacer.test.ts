import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pacedAgent, pacedCheckIns, pacedOpenLoop } from '../bench/load.ts';

/**
 * The pacer behind every "at half load" figure of `npm run bench` and the storage floor beside
 * it (decision 1432). It must send at the pace asked, count failures, and charge an operation
 * for the time it waited to be sent (open loop: no coordinated omission).
 */
describe('pacedOpenLoop', () => {
  it('sends every operation at the pace asked and times each from when it was due', async () => {
    const sentAt: number[] = [];
    const start = performance.now();
    const r = await pacedOpenLoop(200, 0.5, async () => {
      sentAt.push(performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return true;
    });
    expect(r.requests).toBe(100);
    expect(r.failures).toBe(0);
    expect(r.p50).toBeGreaterThanOrEqual(4);
    expect(r.max).toBeGreaterThanOrEqual(r.p99);
    // The last one went out close to 0.5 s in, not all at once at the start.
    expect(sentAt.at(-1)).toBeGreaterThan(400);
  });

  it('counts operations that answer false or throw as failures', async () => {
    const r = await pacedOpenLoop(400, 0.25, async (i) => {
      if (i % 10 === 0) throw new Error('refused');
      return i % 2 === 0;
    });
    expect(r.requests + 10).toBe(100);
    // 10 thrown (no latency), and the 50 odd ones answered false.
    expect(r.failures).toBe(10 + 50);
  });

  it('charges the operations held up by a stall for their wait', async () => {
    // One operation blocks the thread for 120 ms: those due meanwhile go out late, and count it.
    const r = await pacedOpenLoop(200, 0.5, async (i) => {
      if (i === 20) {
        const until = performance.now() + 120;
        while (performance.now() < until) {}
      }
      return true;
    });
    expect(r.requests).toBe(100);
    expect(r.max).toBeGreaterThanOrEqual(100);
    expect(r.p99).toBeGreaterThanOrEqual(50);
    expect(r.p50).toBeLessThan(50);
  });
});

/**
 * The half-load seconds go on over the connections their warm-up opened (decision 1450): a run
 * given the agent of the run before opens none of its own while it is timed.
 */
describe('pacedCheckIns', () => {
  it('goes on over the connections of the run before when given its agent', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        // A few milliseconds per answer, so that the first run needs several connections.
        setTimeout(() => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end('{}');
        }, 5);
      });
    });
    let opened = 0;
    server.on('connection', () => {
      opened += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = pacedAgent();
    try {
      const warm = await pacedCheckIns({ url, tokens: ['t'], rate: 400, seconds: 0.25, agent });
      expect(warm.requests).toBe(100);
      expect(warm.failures).toBe(0);
      const afterWarm = opened;
      expect(afterWarm).toBeGreaterThanOrEqual(2);
      // Slower than the warm-up: the connections it left are more than this run needs.
      const measured = await pacedCheckIns({ url, tokens: ['t'], rate: 50, seconds: 0.4, agent });
      expect(measured.requests).toBe(20);
      expect(measured.failures).toBe(0);
      expect(opened).toBe(afterWarm);
      // Without an agent a run builds a pool of its own: it opens at least one connection.
      const alone = await pacedCheckIns({ url, tokens: ['t'], rate: 50, seconds: 0.1 });
      expect(alone.failures).toBe(0);
      expect(opened).toBeGreaterThan(afterWarm);
    } finally {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
