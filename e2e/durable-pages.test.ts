/**
 * The patient's pages as `needlecare serve` runs them: SQLite with the log's fsync off the
 * server's thread (decision 1419), every answer held until that fsync (decision 1484). Other
 * browser files build the app on a database that syncs on the thread, where nothing is held.
 * The fsync is the real one, held back behind a gate; JavaScript off, 360 px, Spanish, a red
 * flag without a soreness number.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import {
  createSession,
  type SeededClinic,
  seedClinic,
  signIn,
  THORACIC_SITE,
  testConfig,
} from '../src/api/test-support.ts';
import { systemClock } from '../src/services/clock.ts';
import { updateClinicSettings } from '../src/store/clinics.repository.ts';
import { createDb, type Db } from '../src/store/db.ts';
import { withKeys } from '../src/store/keyring.ts';
import { migrateToLatest } from '../src/store/migrations.ts';
import { TEST_KEYS } from '../src/store/test-keys.ts';
import { settledWithin, syncGate } from '../src/store/test-sync-gate.ts';
import { patientPagesPlugin } from '../src/web/patient/patient-pages.plugin.ts';
import {
  axeOnHtml,
  CHROMIUM_MISSING,
  describeBrowser,
  launchBrowser,
  newContext,
  screenshot,
} from './browser.ts';

const gate = syncGate();
let dir: string;
let db: Db;
let app: FastifyInstance;
let base: string;
let browser: Chromium;
let clinic: SeededClinic;

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  dir = mkdtempSync(join(tmpdir(), 'nc-e2e-durable-'));
  db = withKeys(
    createDb({ sqlitePath: join(dir, 'e2e.db'), syncOffThread: { sync: gate.sync } }),
    TEST_KEYS,
  );
  gate.open();
  await migrateToLatest(db);
  app = await buildApp({
    config: testConfig({ cookieSecure: false }),
    db,
    clock: systemClock(),
    logger: createLogger('silent'),
    plugins: [patientPagesPlugin],
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  clinic = await seedClinic(db, 'Clínica Luna');
  await updateClinicSettings(db, clinic.clinicId, { languages: ['en', 'es'] });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.destroy();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describeBrowser('patient pages with the log synced off the thread (decision 1484)', () => {
  it('JS off, 360 px, Spanish: chest pain without a number is answered once on disk, as an emergency', async () => {
    const staff = await signIn(app, clinic.practitionerEmail);
    const session = await createSession(app, staff, { sites: [THORACIC_SITE] });
    const context = await newContext(browser, { javaScriptEnabled: false, locale: 'es-ES' });
    const page = await context.newPage();
    await page.goto(`${base}/p/${session.token}/check-in?lang=es`);
    await page.locator('#s-chest_pain').check();
    gate.hold();
    const sent = page.locator('form[action$="/check-in"] button[type="submit"]').click();
    const answered = page.waitForURL(/\/answers\//);
    // Stored, and the answer held until the log's fsync.
    expect(await settledWithin(answered, 300)).toBe(false);
    const rows = await db.selectFrom('check_ins').select('id').execute();
    expect(rows).toHaveLength(1);
    gate.open();
    await sent;
    await answered;
    await expect(page.locator('h1').first().textContent()).resolves.toMatch(/Llame ahora al 112/);
    await screenshot(page, 'durable-pages-es-360-emergency');
    const violations = await axeOnHtml(browser, page.url(), await page.content());
    expect(violations.map((v) => v.id)).toEqual([]);
    await context.close();
  });
});
