import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { timedClose } from '../../api/test-support.ts';
import { MAX_STREAMS_PER_SESSION } from './stream-cap.ts';
import { slowDashboardOnPort, until } from './test-support.ts';

/**
 * The dashboard's event streams and the stop (decision 0804). A CI walk once hung at SIGTERM
 * "waiting for the HTTP server"; these are the ways a stream could hold a stop. The database's
 * answers are held at a gate, so each request is caught where the test wants it, not by timing.
 */
describeEachDialect('dashboard: event streams at the stop', (ctx) => {
  const served = () => slowDashboardOnPort(ctx.db, 'Stop');

  function openStream(port: number, cookie: string, agent?: Agent) {
    const req: ClientRequest = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/app/events',
      headers: { cookie },
      agent,
    });
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    req.end();
    return { req, response };
  }

  it('ends open streams and stops at once, with keep-alive clients', async () => {
    const { app, cookie, port } = await served();
    const agent = new Agent({ keepAlive: true });
    try {
      const streams = [openStream(port, cookie, agent), openStream(port, cookie, agent)];
      const ends: Promise<void>[] = [];
      for (const s of streams) {
        const res = await s.response;
        expect(res.statusCode).toBe(200);
        ends.push(new Promise((resolve) => res.on('end', resolve).resume()));
      }
      expect(await timedClose(app)).toBeLessThan(2000);
      await Promise.all(ends);
    } finally {
      agent.destroy();
    }
  });

  it('refuses a stream whose session was still being read when the stop began', async () => {
    const { app, slow, cookie, port } = await served();
    const agent = new Agent({ keepAlive: true });
    let open!: () => void;
    try {
      slow.on = true;
      slow.gate = new Promise((r) => {
        open = r;
      });
      const s = openStream(port, cookie, agent);
      // The request waits in the access hook, for its session's read.
      await until(() => slow.held > 0);
      const closing = timedClose(app);
      // Fastify stops listening once the stop's first steps (ending the streams) have run.
      await until(() => !app.server.listening);
      open();
      const res = await s.response;
      res.resume();
      // Before the fix it was added after the stop had ended every stream, and held it.
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(await closing).toBeLessThan(2000);
    } finally {
      open?.();
      agent.destroy();
    }
  });

  it('frees the place of a stream the browser dropped before it was opened', async () => {
    const { app, slow, cookie, port } = await served();
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        app.server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      );
    try {
      slow.on = true;
      // Each request is dropped while the access hook reads its session; the handler then runs
      // for a client already gone. One more than the cap: a kept place would refuse the last.
      for (let i = 0; i <= MAX_STREAMS_PER_SESSION; i += 1) {
        let open!: () => void;
        slow.gate = new Promise((r) => {
          open = r;
        });
        const s = openStream(port, cookie);
        s.response.catch(() => undefined);
        await until(() => slow.held > 0);
        s.req.destroy();
        // The server has seen the client go before the handler runs.
        let gone = false;
        while (!gone) {
          gone = (await connections()) === 0;
          if (!gone) await new Promise((r) => setTimeout(r, 5));
        }
        open();
        await until(() => slow.held === 0);
      }
      slow.on = false;
      slow.gate = undefined;
      // The last handler has run once its place is free (or the next open is refused).
      const s = openStream(port, cookie);
      const res = await s.response;
      expect(res.statusCode).toBe(200);
      s.req.destroy();
    } finally {
      await timedClose(app);
    }
  });
});
