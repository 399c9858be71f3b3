import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { T0, testConfig } from '../../api/test-support.ts';
import type { AppConfig } from '../../config/env.ts';
import type { Clock } from '../../services/clock.ts';
import { manualClock } from '../../services/clock.ts';
import type { ServiceEvents } from '../../services/events.ts';
import type { Db } from '../../store/db.ts';
import { dashboardPlugin } from './dashboard.plugin.ts';

/**
 * The app with the dashboard under `/app`, ready, for the dashboard's `app.inject` tests:
 * test config, a manual clock at T0 and a silent logger unless given.
 */
export async function dashboardTestApp(
  db: Db,
  options: { clock?: Clock; config?: AppConfig; events?: ServiceEvents } = {},
): Promise<FastifyInstance> {
  const app = await buildApp({
    config: options.config ?? testConfig(),
    db,
    clock: options.clock ?? manualClock(T0),
    logger: createLogger('silent'),
    ...(options.events === undefined ? {} : { events: options.events }),
  });
  await app.register(dashboardPlugin, { prefix: '/app' });
  await app.ready();
  return app;
}
