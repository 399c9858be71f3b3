import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium } from 'playwright-core';
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
  describeBrowser,
  launchBrowser,
  newContext,
  screenshot,
} from './browser.ts';

/**
 * The patient's walk, as a person on a phone with JavaScript off would take it, in both
 * languages and at 320, 360 and 1280 px: the session page, the form, a chest-pain report
 * without a number, an urgent answer, a calm answer after it, the care page, the emergency
 * button, a dead link and the handout. Every page passes axe; every screenshot is kept under
 * test-results/screenshots/ as `<prefix>-walk-<lang>-<width>-<step>.png` (prefix `after`
 * unless SHOT_PREFIX says otherwise: the "before" set was taken with this file on the code
 * before issue 10).
 */
const PREFIX = process.env.SHOT_PREFIX ?? 'after';
const WIDTHS = [320, 360, 1280] as const;

let app: FastifyInstance;
let db: Db;
let browser: Chromium;
let base: string;
let clinic: SeededClinic;
const clock = manualClock(T0);

async function newLink(sites: object[] = [THORACIC_SITE]): Promise<string> {
  const prac = await signIn(app, clinic.practitionerEmail);
  const s = await createSession(app, prac, { sites, performedAt: '2026-11-25T08:30:00.000Z' });
  return `${base}/p/${s.token}`;
}

function describeViolations(violations: AxeViolation[]): string[] {
  return violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
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

describeBrowser('the patient walk, JavaScript off, both languages, three widths', () => {
  for (const lang of ['en', 'es'] as const) {
    for (const width of WIDTHS) {
      it(`${lang} at ${width} px`, async () => {
        const context = await newContext(browser, {
          javaScriptEnabled: false,
          viewport: { width, height: 800 },
          locale: lang === 'es' ? 'es-ES' : 'en-GB',
        });
        const page = await context.newPage();
        const problems: string[] = [];
        const shot = async (step: string): Promise<void> => {
          await screenshot(page, `${PREFIX}-walk-${lang}-${width}-${step}`);
          // axe once per page, at the phone width (the other widths are the same HTML; the
          // safety-patient and patient-pages tests run axe at 320 and 1280 px too).
          if (width !== 360) return;
          const v = await axeOnHtml(browser, page.url(), await page.content(), {
            width,
            height: 800,
          });
          problems.push(...describeViolations(v).map((d) => `${step}: ${d}`));
        };
        const send = async (): Promise<void> => {
          await page.locator('form[action$="/check-in"] button[type="submit"]').click();
        };

        // 1. A chest-area session: the care page, the form, chest pain without a number.
        const link = await newLink();
        await page.goto(`${link}?lang=${lang}`);
        await shot('1-care');
        await page.goto(`${link}/check-in?lang=${lang}`);
        await shot('2-form');
        await page.locator('#s-chest_pain').check();
        await send();
        await shot('3-red-flag-no-number');

        // 2. Another session: an urgent report, then a calm one, then the care page.
        const second = await newLink([{ muscle: 'gluteus-medius', side: 'left' }]);
        await page.goto(`${second}/check-in?lang=${lang}`);
        await page.locator('input[name="soreness"][value="4"]').check();
        await page.locator('#s-fever').check();
        await send();
        await shot('4-urgent');
        clock.advance(2 * 3_600_000);
        await page.goto(`${second}/check-in?lang=${lang}`);
        await page.locator('input[name="soreness"][value="2"]').check();
        await send();
        await shot('5-expected-after-urgent');
        await page.goto(`${second}?lang=${lang}`);
        await shot('6-care-after-urgent');
        clock.advance(-2 * 3_600_000);

        // 3. The emergency button, a dead link, the handout.
        const third = await newLink();
        await page.goto(`${third}?lang=${lang}`);
        await page.locator('form[action$="/emergency"] button').first().click();
        await shot('7-emergency');
        await page.goto(`${base}/p/made-up-link?lang=${lang}`);
        await shot('8-link-gone');
        await page.goto(`${third}/handout?lang=${lang}`);
        await shot('9-handout');
        await context.close();
        expect(problems).toEqual([]);
      }, 120_000);
    }
  }
});
