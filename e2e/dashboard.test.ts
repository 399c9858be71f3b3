/**
 * The practitioner's whole flow in Debian's Chromium (issue 5): sign in; a patient checks in
 * with chest pain in another browser context and the emergency appears live, without a
 * reload; acknowledge it; record a session with thoracic muscles on both sides and see the
 * warning; open the patient's curve. axe-core on every page; screenshots at 1280×800 and on a
 * 1024×768 tablet. One browser for the file, one app on a temp SQLite database.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import {
  createSession,
  PASSWORD,
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
import { dashboardPlugin } from '../src/web/dashboard/dashboard.plugin.ts';
import {
  type AxeViolation,
  CHROMIUM_MISSING,
  CHROMIUM_WITH_NOTIFICATIONS,
  DESKTOP,
  describeBrowser,
  launchBrowser,
  newContext,
  runAxe,
  screenshot,
} from './browser.ts';

const TABLET = { width: 1024, height: 768 } as const;

let dir: string;
let db: Db;
let app: FastifyInstance;
let base: string;
let browser: Chromium;
let clinic: SeededClinic;
let practitioner: BrowserContext;
let page: Page;
const shots: string[] = [];

async function expectAxeClean(p: Page): Promise<void> {
  const violations: AxeViolation[] = await runAxe(p);
  expect(
    violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
  ).toEqual([]);
}

async function shot(p: Page, name: string): Promise<void> {
  // Full-page shots from the top, so sticky bars sit where a person first sees them.
  await p.evaluate(() => window.scrollTo(0, 0));
  shots.push(await screenshot(p, name));
}

/** True when the Save button's centre is the button itself, not something stuck over it. */
async function saveUncovered(p: Page): Promise<boolean> {
  return p.evaluate(() => {
    const button = document.querySelector<HTMLButtonElement>('#record-form .submit-bar button');
    if (!button) return false;
    const r = button.getBoundingClientRect();
    const inView = r.top >= 0 && r.bottom <= window.innerHeight;
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return inView && top !== null && button.contains(top);
  });
}

async function signInAs(p: Page, email: string): Promise<void> {
  await p.goto(`${base}/app`);
  await expect(p.locator('h1').textContent()).resolves.toBe('Sign in');
  await p.getByLabel('E-mail').fill(email);
  await p.getByLabel('Password').fill(PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(`${base}/app`);
}

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  dir = mkdtempSync(join(tmpdir(), 'nc-e2e-dash-'));
  db = withKeys(createDb({ sqlitePath: join(dir, 'e2e.db') }), TEST_KEYS);
  await migrateToLatest(db);
  // The port is only known after listen; links shown in the test carry the configured URL, and
  // the test reaches the app at `base`, so the placeholder does not matter.
  app = await buildApp({
    config: testConfig({ cookieSecure: false, publicUrl: 'http://127.0.0.1' }),
    db,
    clock: systemClock(),
    logger: createLogger('silent'),
  });
  await app.register(dashboardPlugin, { prefix: '/app', pollMs: 300 });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  clinic = await seedClinic(db, 'Clínica Norte');
  await updateClinicSettings(db, clinic.clinicId, { languages: ['en', 'es'] });
  browser = await launchBrowser(CHROMIUM_WITH_NOTIFICATIONS);
  practitioner = await newContext(browser, { viewport: DESKTOP });
  // Desktop notifications allowed, as a person would after clicking the page's button.
  await practitioner.grantPermissions(['notifications'], { origin: base });
  page = await practitioner.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describeBrowser('practitioner dashboard in a real browser', () => {
  let patientId = '';

  it('signs in (sign-in page passes axe)', async () => {
    await page.goto(`${base}/app`);
    expect(page.url()).toContain('/app/sign-in');
    await expectAxeClean(page);
    await shot(page, 'dashboard-sign-in-1280');
    await page.getByLabel('E-mail').fill(clinic.practitionerEmail);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('wrong');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/app`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Alerts');
    await expectAxeClean(page);
    await shot(page, 'dashboard-alerts-empty-1280');
  });

  it('shows a new emergency live, without a reload, after a patient checks in elsewhere', async () => {
    // A session recorded through the API; the patient checks in from their own browser context.
    const api = await signIn(app, clinic.adminEmail);
    const session = await createSession(app, api, {
      sites: [THORACIC_SITE],
      performedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
    });
    patientId = session.patientId;
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    // Let the page's EventSource connect before the check-in.
    await page.waitForTimeout(500);
    const patient = await newContext(browser);
    const res = await patient.request.post(`${base}/api/v1/p/${session.token}/check-ins`, {
      data: { soreness: 4, symptoms: ['chest_pain'] },
    });
    expect(res.status()).toBe(201);
    await patient.close();

    await page.locator('.emergency-banner').waitFor({ timeout: 10_000 });
    // Live, the page says the list updates itself (as served it asks for a reload).
    await expect(page.locator('#live-status').textContent()).resolves.toBe(
      'This list updates by itself.',
    );
    await expect(
      page.locator('.alert-card.sev-emergency .why').first().textContent(),
    ).resolves.toMatch(/· 3 h after the session ·/);
    await expect(page.locator('#live-announce').textContent()).resolves.toContain(
      'New emergency alert: Test Patient',
    );
    await expect(
      page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    ).resolves.toBe(true);
    await expect(page.title()).resolves.toMatch(/^\(1\) Alerts/);
    // The emergency was signalled: a short tone and a desktop notification (allowed above).
    await expect(
      page.evaluate(
        () => (window as unknown as { __needlecareSignals?: number }).__needlecareSignals,
      ),
    ).resolves.toBeGreaterThanOrEqual(1);
    await expect(
      page.evaluate(
        () => (window as unknown as { __needlecareNotified?: number }).__needlecareNotified,
      ),
    ).resolves.toBeGreaterThanOrEqual(1);
    // The card says how to reach the patient.
    await expect(
      page
        .locator('.alert-card.sev-emergency .contact a[href^="mailto:"]')
        .first()
        .getAttribute('href'),
    ).resolves.toBe('mailto:p@example.test');
    await expect(page.locator('.emergency-banner h2').textContent()).resolves.toContain(
      '1 emergency alert not yet acknowledged',
    );
    await expectAxeClean(page);
    await shot(page, 'dashboard-alerts-emergency-1280');
    await page.setViewportSize(TABLET);
    await shot(page, 'dashboard-alerts-emergency-1024');
    await page.setViewportSize(DESKTOP);
  });

  it('acknowledges the emergency with the keyboard', async () => {
    const card = page.locator('.alert-card.sev-emergency').first();
    await card.getByLabel(/^What happened/).fill('called, no answer');
    await card.getByRole('button', { name: 'Acknowledge' }).focus();
    await Promise.all([page.waitForURL(/\/app#alert-/), page.keyboard.press('Enter')]);
    await expect(page.locator('.emergency-banner').count()).resolves.toBe(0);
    await expect(
      page.locator('.alert-card.status-acknowledged .history').first().textContent(),
    ).resolves.toContain('Acknowledged by Pia Practitioner');
    await expect(page.title()).resolves.toMatch(/^Alerts/);
    await expectAxeClean(page);
    await shot(page, 'dashboard-alerts-acknowledged-1280');
  });

  it('records a second attempt on the same alert, then resolves it with a classification', async () => {
    const card = page.locator('.alert-card.status-acknowledged').first();
    await expect(card.locator('.attempts').textContent()).resolves.toContain('called, no answer');
    await card
      .getByLabel('Another attempt: what happened')
      .fill('called again, reached her: going to A&E');
    await Promise.all([
      page.waitForURL(/\/app#alert-/),
      card.getByRole('button', { name: 'Record attempt' }).click(),
    ]);
    const again = page.locator('.alert-card.status-acknowledged').first();
    await expect(again.locator('.attempts li').count()).resolves.toBe(2);
    await expectAxeClean(page);
    await shot(page, 'after-dashboard-alert-attempts-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAxeClean(page);
    await shot(page, 'after-dashboard-alert-attempts-390');
    await page.setViewportSize(DESKTOP);
    await again.getByLabel('What was done').fill('Seen in A&E: small pneumothorax, observed');
    await again.getByLabel('Confirmed adverse event').check();
    // With the script, the browser asks for the severity of a confirmed event before sending.
    const at = page.url();
    await again.getByRole('button', { name: 'Resolve' }).click();
    await expect(
      again.getByLabel('Mild').evaluate((r) => (r as HTMLInputElement).validity.valueMissing),
    ).resolves.toBe(true);
    expect(page.url()).toBe(at);
    await again.getByLabel('False alarm').check();
    await expect(
      again.getByLabel('Mild').evaluate((r) => (r as HTMLInputElement).required),
    ).resolves.toBe(false);
    await again.getByLabel('Confirmed adverse event').check();
    await again.getByLabel('Serious').check();
    await Promise.all([
      page.waitForURL(/\/app#alert-/),
      again.getByRole('button', { name: 'Resolve' }).click(),
    ]);
    const resolved = page.locator('.alert-card.status-resolved').first();
    await expect(resolved.locator('.history').textContent()).resolves.toContain(
      'Outcome: Confirmed adverse event (serious)',
    );
    await expectAxeClean(page);
    await shot(page, 'after-dashboard-alert-resolved-1280');
  });

  it('records a session with thoracic muscles on both sides and shows the warning, then the link', async () => {
    await page.getByRole('link', { name: 'Record session' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Record a session');
    // The Save button is visible at load, not covered by the sticky filter.
    await page.waitForLoadState('load');
    await expect.poll(() => saveUncovered(page), { timeout: 3000 }).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('Marta Quick');
    await page.getByLabel(/^E-mail/).fill('marta@example.test');
    // Filter the picker by an everyday name, then tick both sides of the upper trapezius.
    await page.getByLabel('Filter muscles').fill('shoulder');
    await expect(page.locator('.muscle[data-muscle="tibialis-anterior"]').isHidden()).resolves.toBe(
      true,
    );
    await expect(page.locator('.muscle[data-muscle="upper-trapezius"]').isVisible()).resolves.toBe(
      true,
    );
    const trapezius = page.locator('.muscle[data-muscle="upper-trapezius"]');
    await expect(trapezius.locator('.badge.thoracic').textContent()).resolves.toContain('Thoracic');
    await expect(page.locator('#bilateral-warning').isHidden()).resolves.toBe(true);
    await trapezius.getByLabel('Left').check();
    await trapezius.getByLabel('Right').check();
    await trapezius.getByLabel('Needles per side').fill('2');
    await expect(page.locator('#bilateral-warning').isVisible()).resolves.toBe(true);
    await expect(page.locator('#bilateral-warning').textContent()).resolves.toContain(
      'both the left and the right',
    );
    await expectAxeClean(page);
    await shot(page, 'dashboard-record-bilateral-1280');
    await page.setViewportSize(TABLET);
    await shot(page, 'dashboard-record-bilateral-1024');
    await page.setViewportSize(DESKTOP);
    await page.getByLabel('Filter muscles').fill('');

    await page.getByRole('button', { name: 'Save and get the patient link' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Session saved');
    await expect(page.locator('#bilateral-warning').isVisible()).resolves.toBe(true);
    await expect(page.locator('.qr svg').count()).resolves.toBe(1);
    const link = await page.getByLabel('Patient link', { exact: true }).inputValue();
    expect(link).toMatch(/\/p\/[A-Za-z0-9_-]{43}$/);
    await expect(
      page.getByRole('link', { name: 'Open the printable handout' }).getAttribute('href'),
    ).resolves.toBe(`${link}/handout`);
    await expect(
      page.getByRole('link', { name: 'Send by e-mail' }).getAttribute('href'),
    ).resolves.toMatch(/^mailto:marta%40example\.test\?subject=/);
    await expect(page.getByRole('button', { name: 'Copy link' }).isVisible()).resolves.toBe(true);
    await expectAxeClean(page);
    await shot(page, 'dashboard-session-result-1280');
    // Switching language keeps the page and its one-time link.
    await page.getByRole('button', { name: 'Español' }).click();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
    await expect(page.locator('h1').textContent()).resolves.not.toBe('Session saved');
    await expect(page.locator('input#patient-link').inputValue()).resolves.toBe(link);
    await expectAxeClean(page);
    await shot(page, 'after-dashboard-session-result-es-1280');
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Session saved');
    // The record page (44 muscles and the body map) is axe's biggest: room on a loaded machine.
  }, 60_000);

  it("opens a patient's curve against the expected band", async () => {
    await page.goto(`${base}/app/patients/${patientId}`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Patient: Test Patient');
    await expect(page.locator('svg.chart').count()).resolves.toBe(1);
    await expect(page.locator('table.checkins').textContent()).resolves.toContain('Emergency');
    await expect(page.locator('.alert-history').textContent()).resolves.toContain(
      'Acknowledged by Pia Practitioner',
    );
    await expectAxeClean(page);
    await shot(page, 'dashboard-patient-1280');
    await page.setViewportSize(TABLET);
    await shot(page, 'dashboard-patient-1024');
    await page.setViewportSize(DESKTOP);
  });

  it('shows the adverse-event register, in English and Spanish', async () => {
    await page.getByRole('link', { name: 'Register' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Adverse-event register');
    await expect(page.locator('svg.bar-chart').count()).resolves.toBe(1);
    await expectAxeClean(page);
    await shot(page, 'dashboard-register-1280');
    await page.getByRole('link', { name: 'Español' }).click();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
    await expect(page.locator('h1').textContent()).resolves.toBe('Registro de efectos adversos');
    await expectAxeClean(page);
    await shot(page, 'dashboard-register-es-1280');
    await page.getByRole('link', { name: 'English' }).click();
  });

  it('lets an admin open the clinic page; a practitioner gets 403', async () => {
    const res = await page.goto(`${base}/app/clinic`);
    expect(res?.status()).toBe(403);
    await expectAxeClean(page);
    const admin = await newContext(browser, { viewport: TABLET });
    const adminPage = await admin.newPage();
    await signInAs(adminPage, clinic.adminEmail);
    await adminPage.getByRole('link', { name: 'Clinic' }).click();
    await expect(adminPage.locator('h1').textContent()).resolves.toBe('Clinic');
    await expectAxeClean(adminPage);
    await shot(adminPage, 'dashboard-clinic-1024');
    await adminPage.getByLabel('Emergency number').fill('999');
    await adminPage.getByRole('button', { name: 'Save settings' }).click();
    await expect(adminPage.locator('.flash').textContent()).resolves.toBe('Settings saved.');
    await admin.close();
  });

  it('works with JavaScript off: record a session, warning after submit, link without the copy button', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false, viewport: TABLET });
    const p = await context.newPage();
    await signInAs(p, clinic.practitionerEmail);
    // Without the script nothing updates the list, and the page says so.
    await expect(p.locator('#live-status').textContent()).resolves.toBe(
      'Reload this page to see new alerts.',
    );
    await p.getByRole('link', { name: 'Record session' }).click();
    await expect(p.locator('#muscle-filter').isHidden()).resolves.toBe(true);
    await p.getByLabel('Name', { exact: true }).fill('Nora NoScript');
    await p.getByLabel(/gave no phone or e-mail/).check();
    const scalenes = p.locator('.muscle[data-muscle="scalenes"]');
    await scalenes.getByLabel('Left').check();
    await scalenes.getByLabel('Right').check();
    await expect(p.locator('#bilateral-warning').isHidden()).resolves.toBe(true);
    await p.getByRole('button', { name: 'Save and get the patient link' }).click();
    await expect(p.locator('h1').textContent()).resolves.toBe('Session saved');
    await expect(p.locator('#bilateral-warning').isVisible()).resolves.toBe(true);
    await expect(p.getByRole('button', { name: 'Copy link' }).isHidden()).resolves.toBe(true);
    await expect(p.getByRole('link', { name: 'Send by e-mail' }).isVisible()).resolves.toBe(true);
    await shot(p, 'dashboard-session-result-nojs-1024');
    await context.close();
  });

  it('every dashboard page passes axe at 390 px and at 1280 px, and the Save button is never covered', async () => {
    const admin = await newContext(browser, { viewport: DESKTOP });
    const adminPage = await admin.newPage();
    await signInAs(adminPage, clinic.adminEmail);
    const pages: [Page, string, string][] = [
      [page, 'alerts', '/app'],
      [page, 'record', '/app/sessions/new'],
      [page, 'patient', `/app/patients/${patientId}`],
      [page, 'register', '/app/register'],
      [page, 'register-print', '/app/register/print'],
      [page, 'record-es', '/app/sessions/new?lang=es'],
      [adminPage, 'clinic', '/app/clinic'],
      [adminPage, 'clinic-es', '/app/clinic?lang=es'],
      [adminPage, 'alert-burden', '/app/clinic/alert-burden'],
    ];
    for (const width of [390, 1280]) {
      for (const [p, name, path] of pages) {
        await p.setViewportSize({ width, height: width === 390 ? 844 : 800 });
        const res = await p.goto(`${base}${path}`);
        expect(res?.status(), path).toBe(200);
        await expectAxeClean(p);
        if (name.startsWith('record'))
          await expect.poll(() => saveUncovered(p), { timeout: 3000 }).toBe(true);
        // Every field one types into is a full-size tap target (the webhook address was 21 px).
        const small = await p.$$eval('input, select, textarea', (fields) =>
          fields
            .filter(
              (f) =>
                !['hidden', 'checkbox', 'radio', 'submit', 'button'].includes(
                  (f as HTMLInputElement).type,
                ),
            )
            .filter((f) => f.getClientRects().length > 0 && f.getBoundingClientRect().height < 40)
            .map((f) => `${f.tagName.toLowerCase()}#${f.id}[type=${(f as HTMLInputElement).type}]`),
        );
        expect(small, `${name} at ${width} px`).toEqual([]);
        await shot(p, `after-dashboard-${name}-${width}`);
      }
    }
    await page.goto(`${base}/app?lang=en`);
    await page.setViewportSize(DESKTOP);
    await admin.close();
  }, 240_000);

  it("keeps what is typed, the chosen outcome and a refused form's message when the list redraws itself", async () => {
    // A clinic of its own, so the alerts here leave the other tests' queue as it was.
    const other = await seedClinic(db, 'Clínica Sur');
    const api = await signIn(app, other.adminEmail);
    const at = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const first = await createSession(app, api, { sites: [THORACIC_SITE], performedAt: at });
    const second = await createSession(app, api, { sites: [THORACIC_SITE], performedAt: at });
    const patients = await newContext(browser);
    const checkIn = async (token: string) => {
      const res = await patients.request.post(`${base}/api/v1/p/${token}/check-ins`, {
        data: { soreness: 4, symptoms: ['chest_pain'] },
      });
      expect(res.status()).toBe(201);
    };
    await checkIn(first.token);
    const context = await newContext(browser, { viewport: DESKTOP });
    const p = await context.newPage();
    await signInAs(p, other.practitionerEmail);
    const firstId = await p.locator('.alert-card').first().getAttribute('id');
    const card = p.locator(`#${firstId}`);
    // A note of spaces passes the browser's check; the server refuses it (decision 0403).
    await card.getByLabel('What was done').fill('   ');
    await card.getByLabel('False alarm').check();
    await card.getByRole('button', { name: 'Resolve' }).click();
    await expect(card.locator('.errors').textContent()).resolves.toContain(
      'Write what was done before resolving.',
    );
    // The person goes on filling the card; the live list is running on this answer too.
    await card.getByLabel('What was done').fill('Seen in clinic, settled');
    await card.getByLabel('Confirmed adverse event').check();
    await card.getByLabel(/^What happened/).fill('Rang twice');
    await p.waitForTimeout(500);

    await checkIn(second.token);
    await expect.poll(() => p.locator('.alert-card').count(), { timeout: 10_000 }).toBe(2);
    await expect(card.getByLabel(/^What happened/).inputValue()).resolves.toBe('Rang twice');
    await expect(
      card.getByLabel(/^What happened/).evaluate((el) => el === document.activeElement),
    ).resolves.toBe(true);
    await expect(card.getByLabel('What was done').inputValue()).resolves.toBe(
      'Seen in clinic, settled',
    );
    await expect(card.getByLabel('Confirmed adverse event').isChecked()).resolves.toBe(true);
    await expect(
      card.getByLabel('Mild').evaluate((r) => (r as HTMLInputElement).required),
    ).resolves.toBe(true);
    // The message stays above the form it is about, and is not read out a second time.
    await expect(
      card.locator('.errors + form.resolve').count(),
      'error box right above the resolve form',
    ).resolves.toBe(1);
    await expect(card.locator('.errors').getAttribute('role')).resolves.toBeNull();
    // The new card starts empty.
    const fresh = p.locator(`.alert-card:not(#${firstId})`);
    await expect(fresh.getByLabel(/^What happened/).inputValue()).resolves.toBe('');
    await expect(fresh.locator('input[type="radio"]:checked').count()).resolves.toBe(0);
    await expectAxeClean(p);
    await shot(p, 'after-dashboard-redraw-keeps-draft-1280');
    // And what was kept is what gets sent.
    await card.getByLabel('Serious').check();
    await Promise.all([
      p.waitForURL(/\/app#alert-/),
      card.getByRole('button', { name: 'Resolve' }).click(),
    ]);
    await expect(p.locator(`#${firstId} .history`).textContent()).resolves.toContain(
      'Outcome: Confirmed adverse event (serious)',
    );
    await patients.close();
    await context.close();
  }, 60_000);

  it('signs out, and says so even when the live queue notices the ended session first', async () => {
    await page.goto(`${base}/app`);
    // The sign-out's answer (303 to the sign-in page that says so) is held back for longer than
    // the queue's stream takes to notice the ended session (every 5 polls of 300 ms here), as a
    // slow network or server would. The page must still land on the answer, not on the plain
    // sign-in page the stream's notice sends other tabs to.
    await page.route(`${base}/app/sign-out`, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      await new Promise((r) => setTimeout(r, 2_500));
      await route.fulfill({ response });
    });
    try {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/app\/sign-in/);
      await expect(page.locator('.flash').textContent({ timeout: 5_000 })).resolves.toBe(
        'You are signed out.',
      );
    } finally {
      await page.unroute(`${base}/app/sign-out`);
    }
    await page.goto(`${base}/app`);
    expect(page.url()).toContain('/app/sign-in');
    expect(shots.length).toBeGreaterThanOrEqual(10);
  });
});
