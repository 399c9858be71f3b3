import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import { PASSWORD, testConfig } from '../src/api/test-support.ts';
import { systemClock } from '../src/services/clock.ts';
import { createDb, type Db } from '../src/store/db.ts';
import { withKeys } from '../src/store/keyring.ts';
import { migrateToLatest } from '../src/store/migrations.ts';
import { TEST_KEYS } from '../src/store/test-keys.ts';
import { dashboardPlugin } from '../src/web/dashboard/dashboard.plugin.ts';

/** A dashboard test's server: its own keyed SQLite file in a temporary folder, listening. */
export interface DashboardServer {
  readonly dir: string;
  readonly db: Db;
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** Close the app and the database, and remove the folder. */
  stop(): Promise<void>;
}

/**
 * The start-up every dashboard browser test shares: a migrated SQLite file carrying the test
 * keys, the app with the dashboard under `/app` (plain-http cookies for the browser), listening
 * on a free port. The caller seeds what it needs and calls `stop()` afterwards.
 */
export async function startDashboardServer(
  label: string,
  options: { readonly pollMs?: number } = {},
): Promise<DashboardServer> {
  const dir = mkdtempSync(join(tmpdir(), `nc-e2e-${label}-`));
  const db = withKeys(createDb({ sqlitePath: join(dir, 'e2e.db') }), TEST_KEYS);
  await migrateToLatest(db);
  const app = await buildApp({
    config: testConfig({ cookieSecure: false, publicUrl: 'http://127.0.0.1' }),
    db,
    clock: systemClock(),
    logger: createLogger('silent'),
  });
  await app.register(dashboardPlugin, {
    prefix: '/app',
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const stop = async () => {
    await app.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, db, app, base, stop };
}

/** Sign in through the dashboard's form (English labels) with the seeded staff password. */
export async function signInOnPage(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/app/sign-in`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/app`);
}
