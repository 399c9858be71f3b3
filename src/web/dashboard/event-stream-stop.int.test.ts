import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { timedClose } from '../../api/test-support.ts';
import { MAX_STREAMS_PER_SESSION } from './stream-cap.ts';
import { slowDashboardOnPort } from './test-support.ts';

/**
 * The dashboard's event streams and the stop (decision 0804). A CI walk once hung at SIGTERM
 * "waiting for the HTTP server": a stream ended at the stop, or an answer finished after it,
 * left its keep-alive connection open for 72 s.
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
    try {
      slow.on = true;
      const s = openStream(port, cookie, agent);
      // The request is in the access hook (its session read takes 40 ms per query).
      await new Promise((r) => setTimeout(r, 15));
      const closing = timedClose(app);
      const res = await s.response;
      res.resume();
      // Before the fix it was added after the stop had ended every stream, and held it.
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(await closing).toBeLessThan(2000);
    } finally {
      agent.destroy();
    }
  });

  it('frees the place of a stream the browser dropped before it was opened', async () => {
    const { app, slow, cookie, port } = await served();
    try {
      slow.on = true;
      // Each request is dropped while the access hook reads its session: the handler then runs
      // for a client already gone. One more than the cap: a kept place would refuse the last.
      for (let i = 0; i <= MAX_STREAMS_PER_SESSION; i += 1) {
        const s = openStream(port, cookie);
        s.response.catch(() => undefined);
        await new Promise((r) => setTimeout(r, 15));
        s.req.destroy();
        await new Promise((r) => setTimeout(r, 150));
      }
      slow.on = false;
      const s = openStream(port, cookie);
      const res = await s.response;
      expect(res.statusCode).toBe(200);
      s.req.destroy();
    } finally {
      await timedClose(app);
    }
  });
});
