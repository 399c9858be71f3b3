import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { seedClinic, signIn, T0, testConfig } from '../../api/test-support.ts';
import { manualClock } from '../../services/clock.ts';
import { dashboardPlugin } from './dashboard.plugin.ts';
import { MAX_STREAMS_PER_SESSION } from './stream-cap.ts';
import { slowDashboardOnPort } from './test-support.ts';

/** Issue 12, finding 7: one staff session holds a few event streams at most. */
describeEachDialect('dashboard: event streams per session', (ctx) => {
  it('refuses a stream past the cap with 429 and Retry-After, and frees a place on close', async () => {
    const app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock: manualClock(T0),
      logger: createLogger('silent'),
    });
    await app.register(dashboardPlugin, { prefix: '/app', pollMs: 60_000 });
    const c = await seedClinic(ctx.db, 'Streams');
    const prac = await signIn(app, c.practitionerEmail);
    const other = await signIn(app, c.adminEmail);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const open: ClientRequest[] = [];
    const stream = (cookie: string) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          path: '/app/events',
          headers: { cookie },
        });
        req.on('response', resolve);
        req.on('error', () => undefined);
        req.on('timeout', reject);
        req.end();
        open.push(req);
      });
    try {
      for (let i = 0; i < MAX_STREAMS_PER_SESSION; i += 1)
        expect((await stream(prac.cookie)).statusCode).toBe(200);
      const refused = await stream(prac.cookie);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('30');
      // Another session is not affected.
      expect((await stream(other.cookie)).statusCode).toBe(200);
      // Closing one stream frees its place.
      open[0]?.destroy();
      await new Promise((r) => setTimeout(r, 200));
      expect((await stream(prac.cookie)).statusCode).toBe(200);
    } finally {
      for (const req of open) req.destroy();
      await app.close();
    }
  });

  it('frees the place of a stream the browser closed while its first read was running', async () => {
    // A tab closed (or reloaded) right after the stream opened: the server was still reading
    // the queue for the first event. That stream must still stop polling and give its place
    // back; before the fix it kept polling for ever and held its server process open on
    // shutdown (a CI walk on PostgreSQL hung at stop).
    // While `slow` is set every query's answer is held back 40 ms: the first read of each
    // stream is still running when the client drops it.
    const { app, slow, cookie, port } = await slowDashboardOnPort(ctx.db, 'Closed early');
    const openAndDrop = () =>
      new Promise<number>((resolve) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          path: '/app/events',
          headers: { cookie },
        });
        req.on('response', (res) => {
          // The headers and the `retry:` line come before the first read: drop it now.
          req.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => undefined);
        req.end();
      });
    try {
      slow.on = true;
      // One more than the cap: refused (429) if a dropped stream kept its place.
      for (let i = 0; i <= MAX_STREAMS_PER_SESSION; i += 1) expect(await openAndDrop()).toBe(200);
      slow.on = false;
    } finally {
      await app.close();
    }
  });
});
