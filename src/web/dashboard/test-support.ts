import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import {
  type Browser,
  createSession,
  seedClinic,
  signIn,
  T0,
  THORACIC_SITE,
  testConfig,
} from '../../api/test-support.ts';
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

/** How `slowDashboardOnPort` holds back the database's answers. */
export interface SlowSwitch {
  /** While on, every query's answer waits 40 ms, or for `gate` when one is set. */
  on: boolean;
  /** Answers wait for this instead of 40 ms: a test opens it when it is ready. */
  gate: Promise<void> | undefined;
  /** Queries whose answer is being held back now. */
  held: number;
}

/**
 * The dashboard listening on a port with its event streams polling every minute, one
 * practitioner signed in, and a switch that holds back every query's answer while on (to catch
 * a request while it reads: the access hook, a stream's first read).
 */
export async function slowDashboardOnPort(
  db: Db,
  clinicName: string,
): Promise<{ app: FastifyInstance; slow: SlowSwitch; cookie: string; port: number }> {
  const slow: SlowSwitch = { on: false, gate: undefined, held: 0 };
  const app = await buildApp({
    config: testConfig(),
    db: db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (slow.on) {
          slow.held += 1;
          await (slow.gate ?? new Promise((r) => setTimeout(r, 40)));
          slow.held -= 1;
        }
        return args.result;
      },
    }),
    clock: manualClock(T0),
    logger: createLogger('silent'),
  });
  await app.register(dashboardPlugin, { prefix: '/app', pollMs: 60_000 });
  const c = await seedClinic(db, clinicName);
  const prac = await signIn(app, c.practitionerEmail);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, slow, cookie: prac.cookie, port: (app.server.address() as AddressInfo).port };
}

/** Resolves once `ready()` is true, checking every 5 ms; fails after `limitMs`. */
export async function until(ready: () => boolean, limitMs = 5000): Promise<void> {
  const started = Date.now();
  while (!ready()) {
    if (Date.now() - started > limitMs) throw new Error(`not ready after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A session near the chest recorded by `browser` (a practitioner) and a chest-pain check-in on
 * it through the patient's link: an open emergency alert of their clinic.
 */
export async function emergencyCheckIn(
  app: FastifyInstance,
  browser: Browser,
): Promise<{ alertId: string; patientId: string; token: string }> {
  const s = await createSession(app, browser, {
    sites: [THORACIC_SITE],
    performedAt: '2026-11-25T08:00:00.000Z',
  });
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/p/${s.token}/check-ins`,
    payload: { soreness: 3, symptoms: ['chest_pain'] },
  });
  if (res.statusCode !== 201) throw new Error(`check-in refused: ${res.statusCode} ${res.body}`);
  const alertId = (res.json() as { openAlert: { id: string } }).openAlert.id;
  return { alertId, patientId: s.patientId, token: s.token };
}
