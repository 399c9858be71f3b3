/**
 * The practitioner's safety screens of issue 10 in Debian's Chromium: the body map on the
 * record-session form (keyboard, no JavaScript, midline only where it means something, Save never
 * covered), the emergency card with the patient's phone as a `tel:` link, and the adverse-event
 * register on a 390 px phone. axe-core at 1280 and 390 px; screenshots in
 * test-results/screenshots/after-dashboard-*.png.
 */
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SeededClinic, seedClinic, signIn } from '../src/api/test-support.ts';
import type { Db } from '../src/store/db.ts';
import {
  type AxeViolation,
  axeOnHtml,
  CHROMIUM_MISSING,
  DESKTOP,
  describeBrowser,
  launchBrowser,
  newContext,
  runAxe,
  screenshot,
} from './browser.ts';
import { type DashboardServer, signInOnPage, startDashboardServer } from './dashboard-server.ts';

const PHONE_390 = { width: 390, height: 844 } as const;

let server: DashboardServer | undefined;
let db: Db;
let app: FastifyInstance;
let base: string;
let browser: Chromium;
let clinic: SeededClinic;
let practitioner: BrowserContext;
let page: Page;

async function expectAxeClean(p: Page): Promise<void> {
  const violations: AxeViolation[] = await runAxe(p);
  expect(
    violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
  ).toEqual([]);
}

async function shot(p: Page, name: string): Promise<void> {
  await p.evaluate(() => window.scrollTo(0, 0));
  await screenshot(p, name);
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

const signInAs = (page: Page, email: string) => signInOnPage(page, base, email);

/** A session of the clinic's, recorded through the API three hours ago: its patient's token. */
async function sessionThreeHoursAgo(patient: Record<string, string>): Promise<string> {
  const api = await signIn(app, clinic.adminEmail);
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    headers: api.headers(),
    payload: {
      patient,
      performedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      sites: [{ muscle: 'upper-trapezius', side: 'left' }],
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  return (created.json() as { link: { url: string } }).link.url.split('/p/')[1] ?? '';
}

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  server = await startDashboardServer('safety', { pollMs: 300 });
  ({ db, app, base } = server);
  clinic = await seedClinic(db, 'Clínica Sur');
  browser = await launchBrowser();
  practitioner = await newContext(browser, { viewport: DESKTOP });
  page = await practitioner.newPage();
  await signInAs(page, clinic.practitionerEmail);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describeBrowser('practitioner safety screens (issue 10)', () => {
  it('records a session from the body map with the keyboard: a region, then a muscle; Save never covered', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${base}/app/sessions/new`);
    await expect.poll(() => saveUncovered(page), { timeout: 3000 }).toBe(true);
    // Front and back figures; thoracic regions say so in their names, not by colour alone.
    await expect(page.locator('.figure-front .map-region').count()).resolves.toBe(6);
    await expect(page.locator('.figure-back .map-region').count()).resolves.toBe(7);
    const chest = page.locator('.figure-front .map-region[data-region="chest"]');
    await expect(chest.getAttribute('aria-label')).resolves.toBe(
      'Chest and ribs, front: 5 muscles, 5 thoracic',
    );
    await expect(chest.getAttribute('class')).resolves.toContain('is-thoracic');
    await expect(
      page.locator('.figure-front .map-region[data-region="thigh"]').getAttribute('class'),
    ).resolves.not.toContain('is-thoracic');
    await expect(page.locator('.map-legend').textContent()).resolves.toContain('thoracic');
    // Midline only where it means something.
    await expect(page.locator('input[value="deltoid:midline"]').count()).resolves.toBe(0);
    await expect(page.locator('input[value="lumbar-paraspinals:midline"]').count()).resolves.toBe(
      1,
    );
    await expectAxeClean(page);
    await shot(page, 'after-dashboard-record-bodymap-1280');

    await page.getByLabel('Name', { exact: true }).fill('Berta Map');
    await page.getByLabel(/^Phone/).fill('+34 600 111 222');
    // Keyboard: Space on the back figure's lower back narrows the list and moves focus there.
    await page.locator('.figure-back .map-region[data-region="lower_back"]').focus();
    await page.keyboard.press('Space');
    await expect(page.locator('#region-lower_back').isVisible()).resolves.toBe(true);
    await expect(page.locator('#region-thigh').isHidden()).resolves.toBe(true);
    await expect(page.locator('#region-chest').isHidden()).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe(
      'region-lower_back',
    );
    await expect(page.locator('#map-status').textContent()).resolves.toBe('Showing: Lower back.');
    // The next Tab is the first side of the region's first muscle; Space ticks it.
    await page.keyboard.press('Tab');
    await expect(
      page.evaluate(() => (document.activeElement as HTMLInputElement).value),
    ).resolves.toBe('quadratus-lumborum:left');
    await page.keyboard.press('Space');
    await expect(page.locator('input[value="quadratus-lumborum:left"]').isChecked()).resolves.toBe(
      true,
    );
    // Enter on another region (a link) does the same; the map marks the chosen one.
    await page.locator('.figure-front .map-region[data-region="thigh"]').focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('#region-thigh').isVisible()).resolves.toBe(true);
    await expect(page.locator('#region-lower_back').isHidden()).resolves.toBe(true);
    await expect(
      page.locator('.figure-front .map-region[data-region="thigh"]').getAttribute('aria-current'),
    ).resolves.toBe('true');
    await page.locator('.muscle[data-muscle="hamstrings"]').getByLabel('Right').check();
    await expect.poll(() => saveUncovered(page), { timeout: 3000 }).toBe(true);
    await expectAxeClean(page);
    await shot(page, 'after-dashboard-record-bodymap-region-1280');
    await page.setViewportSize(PHONE_390);
    await expect.poll(() => saveUncovered(page), { timeout: 3000 }).toBe(true);
    await expectAxeClean(page);
    await shot(page, 'after-dashboard-record-bodymap-region-390');
    // "Show all" brings the whole list back.
    await page.getByRole('button', { name: 'Show all regions' }).click();
    await expect(page.locator('#region-chest').isVisible()).resolves.toBe(true);
    await page.setViewportSize(DESKTOP);

    await page.getByRole('button', { name: 'Save and get the patient link' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Session saved');
    // Quadratus lumborum is thoracic: the plan says so.
    await expect(page.locator('h2 .badge.thoracic').count()).resolves.toBe(1);
    const latest = await db
      .selectFrom('needling_sessions')
      .select('id')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const sites = await db
      .selectFrom('session_sites')
      .select(['muscle', 'side'])
      .where('session_id', '=', latest.id)
      .orderBy('position')
      .execute();
    expect(sites).toEqual([
      { muscle: 'quadratus-lumborum', side: 'left' },
      { muscle: 'hamstrings', side: 'right' },
    ]);
  }, 120_000);

  it('without JavaScript a body-map region is a link to its muscles (390 px)', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false, viewport: PHONE_390 });
    const p = await context.newPage();
    await signInAs(p, clinic.practitionerEmail);
    const res = await p.goto(`${base}/app/sessions/new`);
    const htmlText = (await res?.text()) ?? '';
    expect(await axeOnHtml(browser, `${base}/app/sessions/new`, htmlText, PHONE_390)).toEqual([]);
    await p.locator('.figure-front .map-region[data-region="chest"]').click();
    expect(new URL(p.url()).hash).toBe('#region-chest');
    // The region's heading is in view, not under the sticky bars.
    const legendTop = await p.evaluate(
      () => document.querySelector('#region-chest legend')?.getBoundingClientRect().top ?? -1,
    );
    expect(legendTop).toBeGreaterThanOrEqual(0);
    expect(legendTop).toBeLessThan(300);
    await shot(p, 'after-dashboard-record-bodymap-nojs-390');
    await p.getByLabel('Name', { exact: true }).fill('Nico NoScript');
    await p.getByLabel(/gave no phone or e-mail/).check();
    await p.locator('.muscle[data-muscle="pectoralis-major"]').getByLabel('Left').check();
    await p.getByRole('button', { name: 'Save and get the patient link' }).click();
    await expect(p.locator('h1').textContent()).resolves.toBe('Session saved');
    await context.close();
  }, 60_000);

  it('an emergency card shows how to reach the patient, at 1280 and 390 px', async () => {
    const token = await sessionThreeHoursAgo({
      displayName: 'Carla Contact',
      phone: '+34 600 123 456',
      email: 'carla@example.test',
    });
    const check = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${token}/check-ins`,
      payload: { soreness: 5, symptoms: ['chest_pain'] },
    });
    expect(check.statusCode).toBe(201);
    for (const viewport of [DESKTOP, PHONE_390]) {
      await page.setViewportSize(viewport);
      await page.goto(`${base}/app`);
      const card = page.locator('.alert-card.sev-emergency', { hasText: 'Carla Contact' }).first();
      await expect(card.locator('.contact a[href^="tel:"]').getAttribute('href')).resolves.toBe(
        'tel:+34600123456',
      );
      await expect(card.locator('.contact a[href^="mailto:"]').textContent()).resolves.toContain(
        'carla@example.test',
      );
      // The banner at the top names the patient with the number to call.
      await expect(
        page
          .locator('.emergency-banner .banner-call', { hasText: '600 123 456' })
          .first()
          .getAttribute('href'),
      ).resolves.toBe('tel:+34600123456');
      // The phone is in view and wide enough to tap.
      const box = await card.locator('.contact a[href^="tel:"]').boundingBox();
      expect((box?.x ?? -1) + (box?.width ?? 0)).toBeLessThanOrEqual(viewport.width);
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(24);
      await expectAxeClean(page);
      await shot(page, `after-dashboard-alert-contact-${viewport.width}`);
    }
    await page.setViewportSize(DESKTOP);
  }, 60_000);

  it('an infection reported after a chest pain is on the emergency card, at 1280 and 390 px (decision 1225)', async () => {
    const token = await sessionThreeHoursAgo({
      displayName: 'Rita Later',
      phone: '+34 600 765 432',
    });
    await page.setViewportSize(DESKTOP);
    await page.goto(`${base}/app`);
    const post = (payload: object) =>
      app.inject({ method: 'POST', url: `/api/v1/p/${token}/check-ins`, payload });
    expect((await post({ soreness: null, symptoms: ['chest_pain'] })).statusCode).toBe(201);
    const card = page.locator('.alert-card.sev-emergency', { hasText: 'Rita Later' });
    await card.waitFor();
    // The open page redraws by itself when the later report arrives.
    expect((await post({ soreness: 2, symptoms: ['fever', 'discharge'] })).statusCode).toBe(201);
    const also = card.locator('.also-reported');
    await also.waitFor({ timeout: 10_000 });
    for (const viewport of [DESKTOP, PHONE_390]) {
      await page.setViewportSize(viewport);
      await expect(also.textContent()).resolves.toMatch(/Also reported while this alert was open/);
      await expect(also.textContent()).resolves.toMatch(/Fever/);
      const box = await also.boundingBox();
      expect((box?.x ?? -1) + (box?.width ?? 0)).toBeLessThanOrEqual(viewport.width);
      await also.scrollIntoViewIfNeeded();
      await expectAxeClean(page);
      await screenshot(page, `after-dashboard-also-reported-${viewport.width}`);
    }
    await page.setViewportSize(DESKTOP);
  }, 60_000);

  it('an admin sees e-mail that is failing before it gives up, at 1280 and 390 px (decision 1226)', async () => {
    const id = crypto.randomUUID();
    await db
      .insertInto('outbox')
      .values({
        id,
        clinic_id: clinic.clinicId,
        kind: 'alert.email',
        dedupe_key: `e2e-failing:${id}`,
        payload_json: '{}',
        due_at: new Date(Date.now() + 60_000).toISOString(),
        status: 'pending',
        attempts: 3,
        claimed_by: null,
        claimed_until: null,
        last_error: 'connect ECONNREFUSED 127.0.0.1:2525',
        created_at: new Date().toISOString(),
        sent_at: null,
      })
      .execute();
    const admin = await newContext(browser, { viewport: DESKTOP });
    const adminPage = await admin.newPage();
    await signInAs(adminPage, clinic.adminEmail);
    for (const viewport of [DESKTOP, PHONE_390]) {
      await adminPage.setViewportSize(viewport);
      await adminPage.goto(`${base}/app/dead-letters`);
      await expect(adminPage.locator('#failing-title').textContent()).resolves.toBe(
        'Failing now, still being tried (1)',
      );
      await expect(adminPage.locator('nav').first().textContent()).resolves.toContain(
        'Undelivered (1)',
      );
      await expect(adminPage.locator('main').textContent()).resolves.toContain(
        'connect ECONNREFUSED 127.0.0.1:2525',
      );
      const wide = await adminPage.evaluate(
        () => document.documentElement.scrollWidth > window.innerWidth,
      );
      expect(wide).toBe(false);
      await expectAxeClean(adminPage);
      await shot(adminPage, `after-dashboard-failing-mail-${viewport.width}`);
    }
    await admin.close();
  }, 60_000);

  it('the register fits a 390 px phone: table titles in view, tables and chart scroll from the keyboard', async () => {
    for (const viewport of [PHONE_390, DESKTOP]) {
      await page.setViewportSize(viewport);
      await page.goto(`${base}/app/register`);
      await expect(page.locator('h1').textContent()).resolves.toBe('Adverse-event register');
      const layout = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const titles = [...document.querySelectorAll('.table-title, caption')]
          .filter((el) => {
            const s = getComputedStyle(el);
            return s.position !== 'absolute' && s.clip !== 'rect(0px, 0px, 0px, 0px)';
          })
          .map((el) => {
            const r = el.getBoundingClientRect();
            return { text: el.textContent ?? '', right: Math.round(r.right), left: r.left };
          });
        const scrollers = [...document.querySelectorAll('.table-wrap, .chart-scroll')].map(
          (el) => ({
            overflows: el.scrollWidth > el.clientWidth,
            focusable: el.getAttribute('tabindex') === '0',
            named:
              (el.getAttribute('aria-label') ?? el.getAttribute('aria-labelledby') ?? '') !== '',
            region: el.getAttribute('role') === 'region',
          }),
        );
        return {
          width,
          titles,
          scrollers,
          pageOverflow: document.documentElement.scrollWidth > width,
        };
      });
      expect(layout.pageOverflow).toBe(false);
      expect(layout.titles.length).toBeGreaterThanOrEqual(2);
      for (const t of layout.titles) expect(t.right, t.text).toBeLessThanOrEqual(layout.width);
      for (const s of layout.scrollers)
        if (s.overflows)
          expect(s).toEqual({ overflows: true, focusable: true, named: true, region: true });
      await expectAxeClean(page);
      await shot(page, `after-dashboard-register-contained-${viewport.width}`);
    }
    await page.setViewportSize(DESKTOP);
  }, 60_000);
});
