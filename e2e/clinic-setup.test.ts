/**
 * First run and people in Debian's Chromium, from an empty SQLite database and only the command
 * and the pages: `needlecare clinic create` prints the admin's link; the admin chooses a password
 * (a common one first, refused), lands on the dashboard and invites a practitioner, whose
 * e-mail (the outbox row the worker would send) carries a link where they choose theirs.
 * axe-core clean and screenshots at 360 and 1280 px; the set-password page works with
 * JavaScript off. The whole walk through the setup URL `serve` prints, to the acknowledged
 * chest-pain alert, is e2e/clinic-walk.test.ts.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import { testConfig } from '../src/api/test-support.ts';
import { clinicCommand } from '../src/cli/commands/clinic.ts';
import { outboxEvents } from '../src/cli/commands/serve.ts';
import { systemClock } from '../src/services/clock.ts';
import { createDb, type Db } from '../src/store/db.ts';
import { withKeys } from '../src/store/keyring.ts';
import { migrateToLatest } from '../src/store/migrations.ts';
import { TEST_KEY_ENV, TEST_KEYS } from '../src/store/test-keys.ts';
import { registerDashboard } from '../src/web/dashboard/dashboard.plugin.ts';
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

let dir: string;
let db: Db;
let app: FastifyInstance;
let base: string;
let browser: Chromium;
let adminLink: string;

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  dir = mkdtempSync(join(tmpdir(), 'nc-e2e-setup-'));
  const sqlitePath = join(dir, 'e2e.db');
  db = withKeys(createDb({ sqlitePath }), TEST_KEYS);
  await migrateToLatest(db);
  const config = testConfig({ cookieSecure: false, publicUrl: 'http://127.0.0.1' });
  app = await buildApp({
    config,
    db,
    clock: systemClock(),
    logger: createLogger('silent'),
    events: outboxEvents(config),
    plugins: [registerDashboard],
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const io = {
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough(),
    env: { ...TEST_KEY_ENV, NEEDLECARE_DB: sqlitePath, PUBLIC_URL: base },
  };
  const code = await clinicCommand(
    [
      'create',
      ...['--name', 'Fisio Levante', '--time-zone', 'Europe/Madrid', '--country', 'ES'],
      ...['--admin-email', 'alba@levante.test', '--admin-name', 'Alba'],
    ],
    io,
  );
  expect(code).toBe(0);
  adminLink = /(http\S+\/set-password\/\S+)/.exec(out)?.[1] ?? '';
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function expectAxeClean(page: Page): Promise<void> {
  const violations = await runAxe(page);
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

async function fitsPhone(page: Page): Promise<void> {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}

describeBrowser('first run and people in a real browser', () => {
  it('the set-password page reads well at 360 px in Spanish, without JavaScript', async () => {
    const context = await newContext(browser, { viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${adminLink}?lang=es`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Elija su contraseña');
    await page.getByLabel('Contraseña nueva').fill('Fisioterapia2024');
    await page.getByLabel('Repita la contraseña').fill('Fisioterapia2025');
    await page.getByRole('button', { name: 'Guardar contraseña y entrar' }).click();
    await expect(page.locator('#errors').textContent()).resolves.toContain('demasiado habitual');
    await fitsPhone(page);
    await screenshot(page, 'set-password-errors-es-360');
    await context.close();
    // axe needs script in the page; the same page with JavaScript on.
    const checked = await newContext(browser, { viewport: PHONE });
    const again = await checked.newPage();
    await again.goto(`${adminLink}?lang=es`);
    await expectAxeClean(again);
    await screenshot(again, 'set-password-es-360');
    await checked.close();
  });

  it('the admin sets a password, invites a practitioner, who sets theirs', async () => {
    const context = await newContext(browser, { viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(adminLink);
    await expectAxeClean(page);
    await screenshot(page, 'set-password-1280');
    await page.getByLabel('New password').fill('olive trees above the bay');
    await page.getByLabel('The same password again').fill('olive trees above the bay');
    await page.getByRole('button', { name: 'Save password and sign in' }).click();
    await page.waitForURL(`${base}/app`);
    // The link is spent.
    expect((await page.request.get(adminLink)).status()).toBe(410);

    await page.goto(`${base}/app/clinic`);
    await page.getByLabel('Name').first().fill('Pablo');
    await page.locator('#ns-email').fill('pablo@levante.test');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.waitForURL(/\/app\/clinic\?done=added/);
    await expect(page.locator('body').textContent()).resolves.toContain('Invited, no password yet');
    await expectAxeClean(page);
    await screenshot(page, 'clinic-invitations-1280');
    await context.close();

    const row = await db
      .selectFrom('outbox')
      .select('payload_json')
      .where('kind', '=', 'invite.email')
      .executeTakeFirstOrThrow();
    const sent = (JSON.parse(row.payload_json) as { url: string }).url;
    expect(sent).toMatch(/^http:\/\/127\.0\.0\.1\/set-password\//);
    // The app's public URL was fixed before it listened on a random port: same path, real port.
    const invite = new URL(new URL(sent).pathname, base).href;

    const phone = await newContext(browser, { viewport: PHONE });
    const p = await phone.newPage();
    await p.goto(invite);
    await expect(p.locator('body').textContent()).resolves.toContain('pablo@levante.test');
    await p.getByLabel('New password').fill('a red kite over the marsh');
    await p.getByLabel('The same password again').fill('a red kite over the marsh');
    await p.getByRole('button', { name: 'Save password and sign in' }).click();
    await p.waitForURL(`${base}/app`);
    await fitsPhone(p);
    await screenshot(p, 'practitioner-first-sign-in-360');
    await p.goto(invite);
    await expect(p.locator('h1').textContent()).resolves.toBe('This link no longer works');
    await expectAxeClean(p);
    await screenshot(p, 'set-password-gone-360');
    await phone.close();
  });
});
