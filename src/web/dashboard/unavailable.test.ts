import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { testConfig } from '../../api/test-support.ts';
import { manualClock } from '../../services/clock.ts';
import { createDb, type Db } from '../../store/db.ts';
import { dashboardPlugin } from './dashboard.plugin.ts';

// A PostgreSQL address nobody listens on (port 9): every query is refused, as during a restart.
let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  db = createDb({ databaseUrl: 'postgres://postgres@127.0.0.1:9/away' });
  app = await buildApp({
    config: testConfig(),
    db,
    clock: manualClock('2026-11-25T09:00:00.000Z'),
    logger: createLogger('silent'),
  });
  await app.register(dashboardPlugin, { prefix: '/app' });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await db.destroy();
});

it('a dashboard page while the database is away: 503 page with Retry-After, in the chosen language', async () => {
  const res = await app.inject({
    method: 'GET',
    url: '/app',
    headers: { cookie: '__Host-needlecare_session=abc', 'accept-language': 'es' },
  });
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.headers['content-type']).toContain('text/html');
  expect(res.body).toContain('La base de datos no responde');
});

it('the API while the database is away: 503 problem+json with Retry-After', async () => {
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  expect(res.statusCode).toBe(503);
  const signIn = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email: 'a@example.test', password: 'correct horse battery staple' },
  });
  expect(signIn.statusCode).toBe(503);
  expect(signIn.headers['retry-after']).toBe('5');
  expect(signIn.json()).toMatchObject({ code: 'unavailable', status: 503 });
});
