/**
 * The patients pages in Debian's Chromium: find "Lucía" by typing "lucia", correct her details,
 * revoke her link, and erase her as the admin with the typed confirmation. axe-core clean in
 * English and Spanish, at 1280 px and on a 360 px phone; screenshots for a person to look at.
 */

import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createSession,
  LEG_SITE,
  type SeededClinic,
  seedClinic,
  signIn,
} from '../src/api/test-support.ts';
import { verifyAuditChain } from '../src/store/audit.repository.ts';
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
import { type DashboardServer, signInOnPage, startDashboardServer } from './dashboard-server.ts';

let server: DashboardServer | undefined;
let db: Db;
let app: FastifyInstance;
let base: string;
let browser: Chromium;
let clinic: SeededClinic;
let patientId: string;

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  server = await startDashboardServer('patients');
  ({ db, app, base } = server);
  clinic = await seedClinic(db, 'Clínica Norte');
  await updateClinicSettings(db, clinic.clinicId, { languages: ['en', 'es'] });
  const api = await signIn(app, clinic.practitionerEmail);
  const performedAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
  for (const name of ['Marta Gil', 'Lucía Fernández Ortega']) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: api.headers(),
      payload: {
        patient: { displayName: name, email: 'someone@example.test', language: 'es' },
        performedAt,
        sites: [LEG_SITE],
      },
    });
    expect(res.statusCode).toBe(201);
    patientId = (res.json() as { session: { patientId: string } }).session.patientId;
  }
  await createSession(app, api, { sites: [LEG_SITE], performedAt });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const signInAs = (page: Page, email: string) => signInOnPage(page, base, email);

async function expectAxeClean(page: Page): Promise<void> {
  const violations = await runAxe(page);
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

async function noSideways(page: Page): Promise<void> {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}

describeBrowser('patients pages in a real browser', () => {
  it('finds, corrects and revokes at 1280 px and on a 360 px phone, in both languages', async () => {
    for (const [viewport, width] of [
      [DESKTOP, 1280],
      [PHONE, 360],
    ] as const) {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      await signInAs(page, clinic.practitionerEmail);
      await page.getByRole('link', { name: 'Patients' }).click();
      await page.getByLabel(/Search by name/).fill('lucia');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.locator('table.patients tbody tr').count()).resolves.toBe(1);
      await expectAxeClean(page);
      await noSideways(page);
      await screenshot(page, `dashboard-patients-${width}`);
      await page.getByRole('link', { name: 'Details' }).click();
      await expectAxeClean(page);
      await noSideways(page);
      await screenshot(page, `dashboard-patient-details-${width}`);
      await page.goto(`${base}/app/patients/${patientId}/record?lang=es`);
      await expect(page.locator('h1').textContent()).resolves.toContain('Datos de');
      await expectAxeClean(page);
      await page.goto(`${base}/app/patients/${patientId}/record?lang=en`);
      await context.close();
    }
    const context = await newContext(browser, { viewport: DESKTOP });
    const page = await context.newPage();
    await signInAs(page, clinic.practitionerEmail);
    await page.goto(`${base}/app/patients/${patientId}/record`);
    await page.getByLabel('Mobile phone (optional)').fill('+34 600 111 222');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Changes saved.');
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect(page.locator('body').textContent()).resolves.toContain('Revoked');
    await context.close();
  }, 120_000);

  it('the admin erases only after typing the name', async () => {
    const context = await newContext(browser, { viewport: PHONE });
    const page = await context.newPage();
    await signInAs(page, clinic.adminEmail);
    await page.goto(`${base}/app/patients/${patientId}/record`);
    await page.getByLabel(/Type the patient’s name/).fill('Lucia');
    await page.getByRole('button', { name: 'Erase for good' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('does not match');
    await expectAxeClean(page);
    await screenshot(page, 'dashboard-patient-erase-mismatch-360');
    await page.getByLabel(/Type the patient’s name/).fill('lucía fernández ortega');
    await page.getByRole('button', { name: 'Erase for good' }).click();
    await page.waitForURL(`${base}/app/patients?done=erased`);
    await expect(page.locator('body').textContent()).resolves.not.toContain('Lucía');
    await expectAxeClean(page);
    await screenshot(page, 'dashboard-patients-after-erase-360');
    expect((await verifyAuditChain(db)).ok).toBe(true);
    await context.close();
  }, 60_000);
});
