/**
 * The alert-burden admin page in Debian's Chromium: reached from the clinic page, axe-core
 * clean in English and Spanish, at desktop width and on a 360 px phone. One app on a temp
 * SQLite database.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createSession,
  LEG_SITE,
  PASSWORD,
  type SeededClinic,
  seedClinic,
  signIn,
  THORACIC_SITE,
} from '../src/api/test-support.ts';
import { updateClinicSettings } from '../src/store/clinics.repository.ts';
import type { Db } from '../src/store/db.ts';
import {
  CHROMIUM_MISSING,
  DESKTOP,
  describeBrowser,
  launchBrowser,
  newContext,
  PHONE,
  runAxe,
  screenshot,
} from './browser.ts';
import { type DashboardServer, startDashboardServer } from './dashboard-server.ts';

let server: DashboardServer | undefined;
let db: Db;
let app: FastifyInstance;
let base: string;
let browser: Chromium;
let clinic: SeededClinic;

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  server = await startDashboardServer('burden');
  ({ db, app, base } = server);
  clinic = await seedClinic(db, 'Clínica Sur');
  await updateClinicSettings(db, clinic.clinicId, { languages: ['en', 'es'] });
  const api = await signIn(app, clinic.practitionerEmail);
  const performedAt = new Date(Date.now() - 30 * 3_600_000).toISOString();
  const chest = await createSession(app, api, { sites: [THORACIC_SITE], performedAt });
  await createSession(app, api, { sites: [LEG_SITE], performedAt });
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/p/${chest.token}/check-ins`,
    payload: { soreness: 2, symptoms: ['dry_cough'] },
  });
  expect(res.statusCode).toBe(201);
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signInAdmin(page: Page): Promise<void> {
  await page.goto(`${base}/app/sign-in`);
  await page.getByLabel('E-mail').fill(clinic.adminEmail);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/app`);
}

async function expectAxeClean(page: Page): Promise<void> {
  const violations = await runAxe(page);
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

describeBrowser('alert burden page in a real browser', () => {
  it('is reached from the clinic page and passes axe in English and Spanish', async () => {
    const context = await newContext(browser, { viewport: DESKTOP });
    const page = await context.newPage();
    await signInAdmin(page);
    await page.goto(`${base}/app/clinic`);
    await page.getByRole('link', { name: /Alert burden/ }).click();
    await page.waitForURL(`${base}/app/clinic/alert-burden`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Alert burden');
    await expect(page.locator('body').textContent()).resolves.toContain(
      '2 sessions, 1 of them near the chest.',
    );
    await expect(page.getByRole('row', { name: /thoracic_cough/ }).textContent()).resolves.toMatch(
      /500\.0 \(1\)/,
    );
    await expectAxeClean(page);
    await screenshot(page, 'dashboard-alert-burden-1280');
    await page.goto(`${base}/app/clinic/alert-burden?lang=es`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Carga de avisos');
    await expectAxeClean(page);
    await context.close();
  });

  it('fits a 360 px phone without horizontal scrolling of the page', async () => {
    const context = await newContext(browser, { viewport: PHONE });
    const page = await context.newPage();
    await signInAdmin(page);
    await page.goto(`${base}/app/clinic/alert-burden`);
    await expectAxeClean(page);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'dashboard-alert-burden-360');
    await context.close();
  });
});
