/**
 * The clinic page's people parts in Debian's Chromium: an admin makes a practitioner an admin
 * and back, is refused demoting themself as the last admin, makes an API token with an expiry
 * and sees its maker; the sign-in form asks for the clinic when one address and password open
 * two. axe-core clean at 1280 and 390 px; screenshots for a person to look at.
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
  TEST_ARGON2,
} from '../src/api/test-support.ts';
import { createPasswordHasher } from '../src/services/passwords.ts';
import { findAlert } from '../src/store/alerts.repository.ts';
import { insertApiToken, listApiTokens } from '../src/store/api-tokens.repository.ts';
import { findClinic } from '../src/store/clinics.repository.ts';
import type { Db } from '../src/store/db.ts';
import { findStaffById, insertStaffUser } from '../src/store/staff.repository.ts';
import {
  axeOnHtml,
  CHROMIUM_MISSING,
  DESKTOP,
  describeBrowser,
  expectLandsOnScreen,
  launchBrowser,
  newContext,
  PHONE,
  runAxe,
  screenshot,
} from './browser.ts';
import { type DashboardServer, signInOnPage, startDashboardServer } from './dashboard-server.ts';

const NARROW = { width: 390, height: 844 } as const;

let server: DashboardServer | undefined;
let db: Db;
let app: FastifyInstance;
let base: string;
let browser: Chromium;
let clinic: SeededClinic;
let other: SeededClinic;

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  server = await startDashboardServer('staff');
  ({ db, app, base } = server);
  clinic = await seedClinic(db, 'Clínica Norte');
  other = await seedClinic(db, 'Clínica Sur');
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

describeBrowser('staff page in a real browser', () => {
  it('prints a patient’s whole record: axe clean at 1280 and 390 px, chrome gone in print', async () => {
    const api = await signIn(app, clinic.practitionerEmail);
    const performedAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const s = await createSession(app, api, { sites: [LEG_SITE], performedAt });
    const checkIn = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${s.token}/check-ins`,
      payload: { soreness: 5, symptoms: ['chest_pain'], note: 'tight when breathing in' },
    });
    expect(checkIn.statusCode).toBe(201);
    for (const [viewport, width] of [
      [DESKTOP, 1280],
      [NARROW, 390],
    ] as const) {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      await signInAs(page, clinic.practitionerEmail);
      await page.goto(`${base}/app/patients/${s.patientId}`);
      await page.getByRole('link', { name: 'Printable record' }).click();
      await expect(page.locator('h1').textContent()).resolves.toContain('Record of Test Patient');
      await expect(page.locator('body').textContent()).resolves.toContain(
        'tight when breathing in',
      );
      await expectAxeClean(page);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, `dashboard-patient-print-${width}`);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.print-controls').isVisible()).toBe(false);
      await context.close();
    }
  }, 120_000);

  it('changes roles, keeps the last admin, makes a token with an expiry; axe clean at 1280 and 390 px', async () => {
    for (const [viewport, width] of [
      [DESKTOP, 1280],
      [NARROW, 390],
    ] as const) {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      await signInAs(page, clinic.adminEmail);
      await page.goto(`${base}/app/clinic`);
      await expectAxeClean(page);
      await screenshot(page, `dashboard-staff-${width}`);

      await page.getByLabel('Role of Pia Practitioner').selectOption('admin');
      await page.getByRole('button', { name: 'Change role (Pia Practitioner)' }).click();
      await expect(page.getByRole('status').first().textContent()).resolves.toContain(
        'Pia Practitioner is now admin',
      );
      expect((await findStaffById(db, clinic.practitionerId))?.role).toBe('admin');
      await page.getByLabel('Role of Pia Practitioner').selectOption('practitioner');
      await page.getByRole('button', { name: 'Change role (Pia Practitioner)' }).click();
      expect((await findStaffById(db, clinic.practitionerId))?.role).toBe('practitioner');

      // The last admin cannot step down: the page says so and nothing changes.
      await page.getByLabel('Role of Ada Admin').selectOption('practitioner');
      await page.getByRole('button', { name: 'Change role (Ada Admin)' }).click();
      await expect(page.locator('body').textContent()).resolves.toContain(
        'Ada Admin is the clinic’s last active admin',
      );
      expect((await findStaffById(db, clinic.adminId))?.role).toBe('admin');
      await expectAxeClean(page);
      await screenshot(page, `dashboard-staff-last-admin-${width}`);

      await page.getByLabel('Token name').fill(`Records bridge ${width}`);
      await page.getByLabel('Days until it expires').fill('30');
      await page.getByRole('button', { name: 'Make token' }).click();
      await expect(page.locator('#new-token').textContent()).resolves.toMatch(/^nck_/);
      await expect(page.locator('body').textContent()).resolves.toContain(
        `Records bridge ${width}`,
      );
      await expect(page.locator('body').textContent()).resolves.toContain('Ada Admin');
      await expectAxeClean(page);
      await screenshot(page, `dashboard-staff-token-${width}`);
      await context.close();
    }
  }, 120_000);

  it('a refused settings form comes back at its errors, in Spanish words, with JavaScript off at 360 px (decision 0401)', async () => {
    const context = await newContext(browser, { viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await signInAs(page, clinic.adminEmail);
    await page.goto(`${base}/app/clinic?lang=es`);
    await page.getByLabel('Número de emergencias').fill('1-1-2');
    await page.getByRole('button', { name: 'Guardar ajustes' }).click();
    const errors = page.locator('#errors');
    await expect(errors.textContent()).resolves.toContain(
      'Número de emergencias: escriba el número tal como se marca',
    );
    await expect(page.locator('body').textContent()).resolves.not.toContain('must match');
    // The error box is on the screen, not several screens below the staff list.
    await expectLandsOnScreen(errors);
    const violations = await axeOnHtml(browser, page.url(), await page.content());
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await screenshot(page, 'dashboard-settings-refused-es-360');

    await page.getByLabel('Número de emergencias').fill('999');
    await page.getByRole('button', { name: 'Guardar ajustes' }).click();
    const saved = page.locator('p.flash[role=status]');
    await expect(saved.textContent()).resolves.toBe('Ajustes guardados.');
    expect((await findClinic(db, clinic.clinicId))?.emergencyNumber).toBe('999');
    await expectLandsOnScreen(saved);
    await context.close();
  }, 60_000);

  it('a refused new token comes back at its errors, and a made one at its secret, with JavaScript off at 360 px in Spanish', async () => {
    const context = await newContext(browser, { viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await signInAs(page, clinic.adminEmail);
    await page.goto(`${base}/app/clinic?lang=es`);
    // A clinic with a screenful of tokens: the table stands between the section's title and
    // the form, so landing at the title would leave the errors out of sight.
    for (let i = 0; i < 8; i++)
      await insertApiToken(db, {
        clinicId: clinic.clinicId,
        name: `Integración ${i + 1}`,
        tokenHash: `e2e-token-hash-${i}`,
        createdBy: clinic.adminId,
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 30 * 86_400_000),
      });
    await page.goto(`${base}/app/clinic?lang=es`);
    const before = (await listApiTokens(db, clinic.clinicId)).length;
    // The browser's own checks pass a name of spaces; the service refuses it.
    await page.getByLabel('Nombre del token').fill('   ');
    await page.getByLabel('Días hasta que caduque').fill('30');
    await page.getByRole('button', { name: 'Crear token' }).click();
    const errors = page.locator('#errors');
    await expect(errors.textContent()).resolves.toContain('dé un nombre al token');
    await expectLandsOnScreen(errors);
    expect(await listApiTokens(db, clinic.clinicId)).toHaveLength(before);
    const violations = await axeOnHtml(browser, page.url(), await page.content());
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await screenshot(page, 'dashboard-token-refused-es-360');

    await page.getByLabel('Nombre del token').fill('Puente de historias');
    await page.getByRole('button', { name: 'Crear token' }).click();
    const secret = page.locator('#new-token');
    await expect(secret.textContent()).resolves.toMatch(/^nck_/);
    await expectLandsOnScreen(secret);
    expect(await listApiTokens(db, clinic.clinicId)).toHaveLength(before + 1);
    await screenshot(page, 'dashboard-token-made-es-360');
    await context.close();
  }, 60_000);

  it('a refused resolve comes back at its card with what was typed, with JavaScript off at 360 px in Spanish (decision 0403)', async () => {
    // Two alerts: the refused card is the second, below the first one's forms.
    const api = await signIn(app, clinic.adminEmail);
    const alertIds: string[] = [];
    for (const soreness of [3, 4]) {
      const s = await createSession(app, api, {
        sites: [LEG_SITE],
        performedAt: new Date(Date.now() - 30 * 3_600_000).toISOString(),
      });
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/p/${s.token}/check-ins`,
        payload: { soreness, symptoms: ['fever'] },
      });
      alertIds.push((res.json() as { openAlert: { id: string } }).openAlert.id);
    }
    const context = await newContext(browser, { viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await signInAs(page, clinic.adminEmail);
    await page.goto(`${base}/app?lang=es`);
    const card = page.locator(`#alert-${alertIds[1]}`);
    const note = 'Visto en urgencias: fiebre por una infección del punto de punción';
    await card.getByLabel('Qué se hizo').fill(note);
    // A confirmed adverse event without its severity: the browser lets it through.
    await card.getByLabel('Efecto adverso confirmado').check();
    await card.getByRole('button', { name: 'Resolver' }).click();
    const errors = page.locator('#errors');
    await expect(errors.textContent()).resolves.toContain(
      'Indique el resultado (y, si es un efecto adverso confirmado, su gravedad) antes de resolver.',
    );
    await expectLandsOnScreen(errors);
    // The same card, with what was typed and chosen still there.
    const again = page.locator(`#alert-${alertIds[1]}`);
    await expect(again.locator('#errors').count()).resolves.toBe(1);
    await expect(again.getByLabel('Qué se hizo').inputValue()).resolves.toBe(note);
    await expect(again.getByLabel('Efecto adverso confirmado').isChecked()).resolves.toBe(true);
    const violations = await axeOnHtml(browser, page.url(), await page.content());
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await screenshot(page, 'dashboard-resolve-refused-es-360');

    await again.getByLabel('Grave').check();
    await again.getByRole('button', { name: 'Resolver' }).click();
    await expect(page.locator('#errors').count()).resolves.toBe(0);
    // Back at the card, now resolved, saying how it turned out.
    const done = page.locator(`#alert-${alertIds[1]}`);
    await expect(done.getAttribute('data-status')).resolves.toBe('resolved');
    await expectLandsOnScreen(done);
    const resolved = await findAlert(db, clinic.clinicId, alertIds[1] ?? '');
    expect(resolved).toMatchObject({
      status: 'resolved',
      outcome: 'confirmed',
      outcomeClass: 'serious',
    });
    expect(resolved?.resolutionNote).toBe(note);
    await context.close();
  }, 60_000);

  it('asks for the clinic when one address and password open accounts in two', async () => {
    const email = 'bea.both@example.test';
    const hash = await createPasswordHasher(TEST_ARGON2).hash(PASSWORD);
    for (const c of [clinic, other])
      await insertStaffUser(db, {
        clinicId: c.clinicId,
        email,
        displayName: 'Bea Both',
        role: 'practitioner',
        passwordHash: hash,
        createdAt: new Date(),
      });
    const context = await newContext(browser, { viewport: NARROW });
    const page = await context.newPage();
    await page.goto(`${base}/app/sign-in`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Choose the clinic');
    await expectAxeClean(page);
    await screenshot(page, 'dashboard-sign-in-choose-clinic-390');
    await page.getByLabel('Clínica Sur').check();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/app`);
    await expect(page.locator('body').textContent()).resolves.toContain('Clínica Sur');
    await context.close();
  }, 60_000);
});
