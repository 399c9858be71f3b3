import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import type { SeededClinic } from '../src/api/test-support.ts';
import {
  createSession,
  seedClinic,
  signIn,
  T0,
  THORACIC_SITE,
  testConfig,
} from '../src/api/test-support.ts';
import { manualClock } from '../src/services/clock.ts';
import { updateClinicSettings } from '../src/store/clinics.repository.ts';
import type { Db } from '../src/store/db.ts';
import { createDb } from '../src/store/db.ts';
import { withKeys } from '../src/store/keyring.ts';
import { migrateToLatest } from '../src/store/migrations.ts';
import { TEST_KEYS } from '../src/store/test-keys.ts';
import { patientPagesPlugin } from '../src/web/patient/patient-pages.plugin.ts';
import type { AxeViolation } from './browser.ts';
import {
  axeOnHtml,
  CHROMIUM_MISSING,
  DESKTOP,
  describeBrowser,
  launchBrowser,
  newContext,
  PHONE,
  screenshot,
} from './browser.ts';

/** Issue 10, the patient's side, in a real browser with JavaScript off where it matters. */
let app: FastifyInstance;
let db: Db;
let browser: Chromium;
let base: string;
let clinic: SeededClinic;
const clock = manualClock(T0);

async function newLink(
  options: { sites?: object[]; language?: 'en' | 'es' } = {},
): Promise<{ url: string; sessionId: string }> {
  const prac = await signIn(app, clinic.practitionerEmail);
  let patientId: string | undefined;
  if (options.language !== undefined) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: prac.headers(),
      payload: { displayName: 'Walk Patient', language: options.language },
    });
    patientId = (res.json() as { id: string }).id;
  }
  const s = await createSession(app, prac, {
    sites: options.sites ?? [THORACIC_SITE],
    performedAt: '2026-11-25T08:30:00.000Z',
    ...(patientId === undefined ? {} : { patientId }),
  });
  return { url: `${base}/p/${s.token}`, sessionId: s.sessionId };
}

async function expectAxeClean(
  page: Page,
  viewport: { readonly width: number; readonly height: number } = PHONE,
): Promise<void> {
  const violations: AxeViolation[] = await axeOnHtml(
    browser,
    page.url(),
    await page.content(),
    viewport,
  );
  expect(
    violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
  ).toEqual([]);
}

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  db = withKeys(createDb({ sqlitePath: ':memory:' }), TEST_KEYS);
  await migrateToLatest(db);
  app = await buildApp({
    config: testConfig({ cookieSecure: false }),
    db,
    clock,
    logger: createLogger('silent'),
    plugins: [patientPagesPlugin],
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  clinic = await seedClinic(db, 'Clínica Sol');
  await updateClinicSettings(db, clinic.clinicId, { languages: ['en', 'es'] });
  clock.set('2026-11-25T12:00:00.000Z');
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.destroy();
});

describeBrowser('the safety path as a patient lives it (issue 10)', () => {
  it('JS off: chest pain ticked, no number chosen, Send → stored, emergency, the clinic alerted', async () => {
    const { url, sessionId } = await newLink();
    const context = await newContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${url}/check-in`);
    await page.locator('#s-chest_pain').check();
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Call 112 now');
    await expect(page.locator('main').textContent()).resolves.not.toMatch(/Next check-in/);
    await screenshot(page, 'after-red-flag-no-number-360');
    await expectAxeClean(page);
    const rows = await db
      .selectFrom('check_ins as c')
      .innerJoin('alerts as a', 'a.session_id', 'c.session_id')
      .select(['c.soreness', 'a.severity'])
      .where('c.session_id', '=', sessionId)
      .execute();
    expect(rows).toEqual([{ soreness: null, severity: 'emergency' }]);
    // Without a red flag, the server asks for the number, in plain words, storing nothing.
    await page.goto(`${url}/check-in`);
    await page.locator('#s-bruising').check();
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('.errors').textContent()).resolves.toMatch(
      /You can leave it out only if you tick one of the serious symptoms/,
    );
    await expectAxeClean(page);
    await context.close();
  });

  it('the chart reads on a 360 px phone: labels at least 12 px, a legend, the report without a number marked', async () => {
    const { url } = await newLink();
    const context = await newContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${url}/check-in`);
    await page.locator('input[name="soreness"][value="5"]').check();
    await page.getByRole('button', { name: 'Send' }).click();
    clock.advance(3_600_000);
    await page.goto(`${url}/check-in`);
    await page.locator('#s-chest_pain').check();
    await page.getByRole('button', { name: 'Send' }).click();
    clock.advance(-3_600_000);
    await page.goto(url);
    const sizes = await page.evaluate(() => {
      const svg = document.querySelector('svg.chart') as SVGSVGElement;
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      return [...svg.querySelectorAll('text')].map(
        (t) => Number(t.getAttribute('font-size')) * scale,
      );
    });
    expect(sizes.length).toBeGreaterThan(5);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    await expect(page.locator('ul.legend li').count()).resolves.toBe(4);
    await expect(page.locator('svg.chart line.no-number').count()).resolves.toBe(1);
    await page.locator('svg.chart').scrollIntoViewIfNeeded();
    await screenshot(page, 'after-chart-360');
    await expectAxeClean(page);
    await context.close();
  });

  it('Spanish tiles and labels fit a 320 px screen', async () => {
    const { url } = await newLink({ language: 'es' });
    const context = await newContext(browser, {
      javaScriptEnabled: false,
      viewport: { width: 320, height: 700 },
    });
    const page = await context.newPage();
    for (const path of ['', '/check-in', '/handout']) {
      await page.goto(`${url}${path}`);
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
      const overflowing = await page.evaluate(() =>
        [...document.querySelectorAll('main *')]
          .filter((el): el is HTMLElement => el instanceof HTMLElement)
          .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.right > window.innerWidth + 0.5 || el.scrollWidth > el.clientWidth + 1;
          })
          .filter((el) => getComputedStyle(el).overflowX !== 'auto')
          .map(
            (el) => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent?.slice(0, 30)}"`,
          )
          .slice(0, 5),
      );
      expect(overflowing, `overflow on ${path || '/'}`).toEqual([]);
    }
    await page.goto(`${url}/check-in`);
    await screenshot(page, 'after-form-es-320');
    await expectAxeClean(page, { width: 320, height: 700 });
    await context.close();
  });

  it('a dead link shows the clinic phone or the emergency number as links to call', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false, locale: 'en-GB' });
    const page = await context.newPage();
    const res = await page.goto(`${base}/p/made-up-link`);
    expect(res?.status()).toBe(404);
    // No clinic known: the number for the phone's country (en-GB → 999), never a generic phrase.
    await expect(page.locator('a[href="tel:999"]').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('main').textContent()).resolves.not.toMatch(/local emergency/);
    await screenshot(page, 'after-link-unknown-360');
    await expectAxeClean(page);
    const { url, sessionId } = await newLink();
    const prac = await signIn(app, clinic.practitionerEmail);
    await app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/link/revoke`,
      headers: prac.headers(),
    });
    clock.advance(25 * 3_600_000); // past the emergency grace too
    const gone = await page.goto(url);
    clock.advance(-25 * 3_600_000);
    expect(gone?.status()).toBe(410);
    await expect(page.locator('a[href="tel:112"]').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('main a[href^="tel:+34"]').count()).resolves.toBe(1);
    await screenshot(page, 'after-link-gone-360');
    await expectAxeClean(page);
    await context.close();
  });

  it("the handout fits one A4 page, lists the check-in times, and speaks the patient's language in the clinic's browser", async () => {
    const { url } = await newLink({ language: 'es' });
    const context = await newContext(browser, { viewport: DESKTOP, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${url}/handout`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
    const times = page.locator('ol.check-in-times li');
    await expect(times.count()).resolves.toBe(6); // thoracic plan: 2, 6, 24, 48, 72, 168 h
    await expect(times.first().textContent()).resolves.toMatch(
      /^el miércoles 25 de noviembre a las 11:30/,
    );
    await expect(page.locator('a[href^="tel:"]').count()).resolves.toBeGreaterThan(1);
    await expectAxeClean(page, DESKTOP);
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'after-handout-print');
    const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
    const pages = pdf.match(/\/Type\s*\/Page[^s]/g) ?? [];
    expect(pages).toHaveLength(1);
    await context.close();
  });
});
