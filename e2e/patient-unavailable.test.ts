/**
 * The patient 503 page (issue 16) in a real browser: JavaScript off, 360 px, English and
 * Spanish, axe-core 0 violations. The app's database is a PostgreSQL address nobody listens
 * on, so every query fails as during a database restart.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import { testConfig } from '../src/api/test-support.ts';
import { manualClock } from '../src/services/clock.ts';
import { createDb, type Db } from '../src/store/db.ts';
import { patientPagesPlugin } from '../src/web/patient/patient-pages.plugin.ts';
import { unavailablePage } from '../src/web/patient/unavailable.ts';
import {
  type AxeViolation,
  axeOnHtml,
  CHROMIUM_MISSING,
  describeBrowser,
  launchBrowser,
  newContext,
  PHONE,
  screenshot,
} from './browser.ts';

let app: FastifyInstance;
let db: Db;
let browser: Chromium;
let base: string;

function expectNoViolations(violations: AxeViolation[]): void {
  expect(
    violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
  ).toEqual([]);
}

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  // Port 9 (discard): refused at once, like a PostgreSQL that is restarting.
  db = createDb({ databaseUrl: 'postgres://postgres@127.0.0.1:9/away' });
  app = await buildApp({
    config: testConfig({ cookieSecure: false }),
    db,
    clock: manualClock('2026-11-25T12:00:00.000Z'),
    logger: createLogger('silent'),
    plugins: [patientPagesPlugin],
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.destroy();
});

const CLINIC = {
  name: 'Clínica Sol',
  emergencyNumber: '112',
  contactPhone: '+34 600 000 000',
  languages: ['en', 'es'] as const,
  defaultLanguage: 'es' as const,
  loadedAt: 0,
};

describeBrowser('patient page while the database is away', () => {
  it('with JavaScript off at 360 px: 503, the advice to call, no horizontal scroll, no axe violations', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false, viewport: PHONE });
    const page = await context.newPage();
    const res = await page.goto(`${base}/p/${'t'.repeat(43)}`);
    expect(res?.status()).toBe(503);
    await expect(page.locator('h1').textContent()).resolves.toBe(
      'We can’t open your page right now',
    );
    await expect(page.locator('.emergency').textContent()).resolves.toContain(
      'Call your local emergency number now.',
    );
    const { scroll, width } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      width: window.innerWidth,
    }));
    expect(scroll).toBeLessThanOrEqual(width);
    await screenshot(page, 'patient-unavailable-360');
    expectNoViolations(await axeOnHtml(browser, page.url(), await page.content()));
    await context.close();
  });

  it.each(['en', 'es'] as const)(
    'with a known clinic (%s): the call button and the clinic phone pass axe',
    async (locale) => {
      const body = unavailablePage(locale, CLINIC, [], '/p/known');
      expect(body).toContain('href="tel:112"');
      expect(body).toContain('+34 600 000 000');
      expectNoViolations(await axeOnHtml(browser, `${base}/p/known-${locale}`, body));
    },
  );
});
