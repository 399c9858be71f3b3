/**
 * The webhooks section of the clinic page in Debian's Chromium (decision 0910): an admin adds a
 * webhook in FHIR form and switches it to the native form with the keyboard-reachable row form;
 * axe-core clean at 1280 px and on a 390 px phone, in English and Spanish. One app on a temp
 * SQLite database; no worker (nothing is sent).
 */
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PASSWORD, type SeededClinic, seedClinic } from '../src/api/test-support.ts';
import { readJobSettings } from '../src/services/job-settings.ts';
import { findClinic } from '../src/store/clinics.repository.ts';
import type { Db } from '../src/store/db.ts';
import {
  CHROMIUM_MISSING,
  DESKTOP,
  describeBrowser,
  launchBrowser,
  newContext,
  runAxe,
  screenshot,
} from './browser.ts';
import { type DashboardServer, startDashboardServer } from './dashboard-server.ts';

let server: DashboardServer | undefined;
let db: Db;
let base: string;
let browser: Chromium;
let clinic: SeededClinic;

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  server = await startDashboardServer('hooks');
  ({ db, base } = server);
  clinic = await seedClinic(db, 'Clínica Este');
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function expectAxeClean(page: Page): Promise<void> {
  const violations = await runAxe(page);
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

describeBrowser('clinic page: webhooks in a real browser', () => {
  it('adds a FHIR webhook, switches its form, and passes axe at 1280 and 390 px in both languages', async () => {
    const context = await newContext(browser, { viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${base}/app/sign-in`);
    await page.getByLabel('E-mail').fill(clinic.adminEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/app`);

    await page.goto(`${base}/app/clinic`);
    await page.locator('#wh-id').fill('ehr');
    await page.locator('#wh-url').fill('https://ehr.example.com/hooks/needlecare');
    await page.locator('#wh-secret').fill('browser-webhook-secret-0123');
    await page.locator('#wh-format').selectOption('fhir');
    await page.getByRole('button', { name: 'Save webhook' }).click();
    await page.waitForURL(/\/app\/clinic\?done=webhook/);
    await expect(page.locator('.flash').textContent()).resolves.toContain('Webhook ehr saved.');
    await expect(page.locator('#wh-format-ehr').inputValue()).resolves.toBe('fhir');

    await page.locator('#wh-format-ehr').selectOption('native');
    await page.getByRole('button', { name: 'Change form of ehr' }).click();
    await page.waitForURL(/\/app\/clinic\?done=webhook/);
    const hooks = readJobSettings((await findClinic(db, clinic.clinicId))?.escalation ?? {});
    expect(hooks.webhooks.map((w) => [w.id, w.format])).toEqual([['ehr', 'native']]);
    await page.locator('#wh-format-ehr').selectOption('fhir');
    await page.getByRole('button', { name: 'Change form of ehr' }).click();
    await page.waitForURL(/\/app\/clinic\?done=webhook/);

    for (const width of [1280, 390]) {
      for (const lang of ['en', 'es']) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
        await page.goto(`${base}/app/clinic?lang=${lang}`);
        await page.locator('#webhooks-title').scrollIntoViewIfNeeded();
        await expectAxeClean(page);
        await screenshot(page, `clinic-webhooks-${lang}-${width}`);
      }
    }
    await context.close();
  }, 120_000);
});
