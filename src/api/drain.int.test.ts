import { Agent, get, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { manualClock } from '../services/clock.ts';
import { buildApp } from './app.ts';
import { requestsInFlight } from './drain.ts';
import { createLogger } from './logger.ts';
import { T0, testConfig, timedClose } from './test-support.ts';

/** Decision 0804: a stop waits for the answers in flight, not for their keep-alive connections. */
describeEachDialect('stopping the HTTP server', (ctx) => {
  /**
   * The app with one public GET route at `path` that answers once `until` settles, listening
   * on a free port; `entered` settles when a request has reached the route.
   */
  async function appHolding(path: string, until: () => Promise<unknown>) {
    let enter!: () => void;
    const entered = new Promise<void>((resolve) => {
      enter = resolve;
    });
    const app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock: manualClock(T0),
      logger: createLogger('silent'),
      plugins: [
        async (instance) => {
          instance.get(path, { config: { access: 'public' } }, async () => {
            enter();
            await until();
            return { ok: true };
          });
        },
      ],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return { app, port, entered };
  }

  it('answers a request in flight at the stop with Connection: close and stops right after', async () => {
    const { app, port, entered } = await appHolding(
      '/slow',
      () => new Promise((r) => setTimeout(r, 300)),
    );
    // A keep-alive client, as every browser is: before the fix its idle connection held the
    // stop for Fastify's keep-alive timeout (72 s).
    const agent = new Agent({ keepAlive: true });
    try {
      const answered = new Promise<IncomingMessage>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/slow', agent }, (res) => {
          res.resume();
          resolve(res);
        }).on('error', reject);
      });
      await entered;
      const closing = timedClose(app);
      const res = await answered;
      expect(res.statusCode).toBe(200);
      expect(res.headers.connection).toBe('close');
      expect(await closing).toBeLessThan(2000);
    } finally {
      agent.destroy();
    }
  });

  it('closes a connection whose request never finished arriving once the stop has waited 1 s', async () => {
    const { app, port } = await appHolding('/quick', async () => undefined);
    // A client that opened a request and sent only part of its headers: Node counts the
    // connection as busy, not idle, though nothing is being answered on it.
    const socket = connect({ host: '127.0.0.1', port });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /quick HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(requestsInFlight(app.server)).toEqual([]);
    const took = await timedClose(app);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(2500);
    await closed;
  });

  it('names the requests still being answered, their tokens left out, for a stop that hangs', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { app, port, entered } = await appHolding('/held/:token/x', () => released);
    const agent = new Agent({ keepAlive: true });
    try {
      const token = 'Zq8rT2vW9yX1bC3dE5fG7hJ';
      const answered = new Promise<IncomingMessage>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: `/held/${token}/x?secret=1`, agent }, (res) => {
          res.resume();
          resolve(res);
        }).on('error', reject);
      });
      await entered;
      const open = requestsInFlight(app.server);
      expect(open).toEqual(['GET /held/…/x']);
      expect(JSON.stringify(open)).not.toContain(token);
      release();
      expect((await answered).statusCode).toBe(200);
      // Answered: nothing in flight, the keep-alive connection idle.
      await new Promise((r) => setTimeout(r, 20));
      expect(requestsInFlight(app.server)).toEqual([]);
    } finally {
      agent.destroy();
      await app.close();
    }
  });
});
