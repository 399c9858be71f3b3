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
});
