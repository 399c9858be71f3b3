/**
 * Every staff page fits a small phone: at 320 and 360 px, JavaScript off, in English and in
 * Spanish, no page scrolls sideways (a table or chart may scroll inside its own region). It
 * caught three causes: the alert list's grid track grew to its widest form, the record form's
 * fieldsets kept their content's min-content width (a muscle with its sides in Spanish), and the
 * clinic page's visually hidden labels inside scrolled tables sat past the screen's edge.
 */

import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LEG_SITE, type SeededClinic, seedClinic, signIn } from '../src/api/test-support.ts';
import type { Db } from '../src/store/db.ts';
import {
  CHROMIUM_MISSING,
  describeBrowser,
  expectLandsOnScreen,
  launchBrowser,
  newContext,
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

const LONG_EMAIL = 'maria.fernanda.gonzalez.rodriguez@clinica-fisioterapia.example.test';

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  server = await startDashboardServer('small-phone');
  ({ db, app, base } = server);
  clinic = await seedClinic(db, 'Clínica de Fisioterapia del Barrio');
  const api = await signIn(app, clinic.adminEmail);
  const performedAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
  // Three patients, one alert each: emergency, same day, tell the practitioner.
  const reports = [
    { soreness: 4, symptoms: ['chest_pain'] },
    { soreness: 9, symptoms: [] },
    { soreness: 7, symptoms: [] },
  ];
  for (const [i, report] of reports.entries()) {
    const made = await app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: api.headers(),
      payload: {
        patient: { displayName: `María Fernanda ${i}`, email: `${i}.${LONG_EMAIL}` },
        performedAt,
        sites: [LEG_SITE],
      },
    });
    expect(made.statusCode).toBe(201);
    const body = made.json() as { session: { patientId: string }; link: { url: string } };
    patientId = body.session.patientId;
    const checkIn = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${body.link.url.split('/p/')[1]}/check-ins`,
      payload: report,
    });
    expect(checkIn.statusCode).toBe(201);
  }
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const signInAs = (page: Page, email: string) => signInOnPage(page, base, email);

/** The clinic's admin, signed in on a phone `width` px wide with JavaScript off. */
async function adminOnPhone(width: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, {
    viewport: { width, height: 740 },
    javaScriptEnabled: false,
  });
  const page = await context.newPage();
  await signInAs(page, clinic.adminEmail);
  return { context, page };
}

/**
 * What sticks out past the screen's right edge: boxes, and text that runs past its box (a long
 * word that cannot wrap is in no box's rectangle).
 */
function sideways(page: Page): Promise<{ scroll: number; width: number; out: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const inScroller = (el: Element | null) => el?.closest('.table-wrap, .chart-scroll') != null;
    const out = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .filter((el) => {
        // Inside a region that scrolls by itself, only what is placed against the page counts.
        const scroller = el.parentElement?.closest('.table-wrap, .chart-scroll');
        if (scroller == null) return true;
        const placed = (el as HTMLElement).offsetParent;
        return getComputedStyle(el).position !== 'static' && !scroller.contains(placed);
      })
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.className)}`);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      range.selectNodeContents(node);
      if (range.getBoundingClientRect().right > width + 0.5 && !inScroller(node.parentElement))
        out.push(
          `text in ${node.parentElement?.tagName.toLowerCase()}: ${node.textContent?.trim().slice(0, 40)}`,
        );
    }
    return { scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 5) };
  });
}

describeBrowser('staff pages on a small phone', () => {
  it('no staff page scrolls sideways at 320 or 360 px, JavaScript off, in English or Spanish', async () => {
    const pages = [
      '/app',
      '/app/sessions/new',
      '/app/patients',
      `/app/patients/${patientId}`,
      '/app/register',
      '/app/clinic',
      '/app/clinic/alert-burden',
      '/app/dead-letters',
      '/app/account',
    ];
    for (const width of [320, 360]) {
      const { context, page } = await adminOnPhone(width);
      for (const lang of ['en', 'es']) {
        await page.goto(`${base}/app?lang=${lang}`);
        for (const path of pages) {
          const res = await page.goto(`${base}${path}`);
          expect(res?.status(), path).toBe(200);
          await expect(page.locator('html').getAttribute('lang')).resolves.toBe(lang);
          const fit = await sideways(page);
          expect({ path, lang, ...fit }).toEqual({ path, lang, scroll: width, width, out: [] });
        }
      }
      // The alert queue, where the long e-mail buttons and the resolve forms are.
      await page.goto(`${base}/app`);
      await page.locator('li.alert-card').nth(1).scrollIntoViewIfNeeded();
      await screenshot(page, `after-small-phone-alerts-es-${width}`);
      await page.goto(`${base}/app/sessions/new`);
      await page.locator('.region').nth(2).scrollIntoViewIfNeeded();
      await screenshot(page, `after-small-phone-record-es-${width}`);
      await context.close();
    }
  }, 120_000);

  it("shows each of a patient's check-ins with its triage on screen at 360 px, before any sideways scroll", async () => {
    const { context, page } = await adminOnPhone(360);
    for (const lang of ['en', 'es']) {
      await page.goto(`${base}/app/patients/${patientId}?lang=${lang}`);
      const badge = page.locator('table.checkins tbody tr').first().locator('.badge');
      // Down to the table only: scrolling the badge itself into view would slide the table.
      await page.locator('table.checkins').evaluate((t) => t.scrollIntoView());
      const box = await badge.boundingBox();
      expect(box, lang).not.toBeNull();
      expect((box?.x ?? 0) + (box?.width ?? 0), lang).toBeLessThanOrEqual(360);
      // A row stays a few lines tall: the words have room, not a column of three-letter lines.
      const row = await page.locator('table.checkins tbody tr').first().boundingBox();
      expect(row?.height ?? 0, lang).toBeLessThan(200);
      await screenshot(page, `after-small-phone-patient-checkins-${lang}-360`);
    }
    await context.close();
  });

  it('takes an admin from the top of the long clinic page to any of its sections in one tap', async () => {
    const { context, page } = await adminOnPhone(360);
    await page.goto(`${base}/app/clinic?lang=es`);
    await screenshot(page, 'after-small-phone-clinic-top-es-360');
    for (const [link, heading] of [
      ['Tokens de API', '#tokens-title'],
      ['Escalado', '#escalation-title'],
    ] as const) {
      await page.goto(`${base}/app/clinic?lang=es`);
      await page.locator('nav.on-page').getByRole('link', { name: link }).click();
      await expectLandsOnScreen(page.locator(heading));
    }
    await context.close();
  });
});
