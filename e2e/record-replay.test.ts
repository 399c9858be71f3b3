/**
 * The pages a record form sent again answers (issue 12, finding 4; decision 1120) pass axe-core
 * at 1280 and 390 px: the result shown again with its notice, the "already saved" page, and
 * the form refused because its key saved another patient.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import { type Browser, seedClinic, signIn, testConfig } from '../src/api/test-support.ts';
import { systemClock } from '../src/services/clock.ts';
import { createDb, type Db } from '../src/store/db.ts';
import { withKeys } from '../src/store/keyring.ts';
import { migrateToLatest } from '../src/store/migrations.ts';
import { TEST_KEYS } from '../src/store/test-keys.ts';
import { dashboardPlugin } from '../src/web/dashboard/dashboard.plugin.ts';
import { axeOnHtml, DESKTOP, describeBrowser, launchBrowser } from './browser.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;
let base: string;
let browser: Chromium;
let prac: Browser;

describeBrowser('record form sent again: pages pass axe', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nc-replay-'));
    db = withKeys(createDb({ sqlitePath: join(dir, 'e2e.db') }), TEST_KEYS);
    await migrateToLatest(db);
    app = await buildApp({
      config: testConfig(),
      db,
      clock: systemClock(),
      logger: createLogger('silent'),
    });
    await app.register(dashboardPlugin, { prefix: '/app' });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const clinic = await seedClinic(db, 'Replay Axe Clinic');
    prac = await signIn(app, clinic.practitionerEmail);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (url: string, fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: prac.cookie },
      payload: new URLSearchParams({ ...fields, _csrf: prac.csrf }).toString(),
    });

  it('the result shown again, the "already saved" page and the refused form', async () => {
    const now = new Date(Date.now() - 3_600_000);
    const local = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Madrid',
      dateStyle: 'short',
      timeStyle: 'short',
    })
      .format(now)
      .replace(' ', 'T');
    const form = {
      patientId: 'new',
      displayName: 'Axe Replay',
      phone: '+34 600 000 555',
      performedAt: local,
      site: 'deltoid:left',
      recordKey: 'axe-replay-key-1',
    };
    const first = await post('/app/sessions', form);
    expect(first.statusCode).toBe(200);
    const shownAgain = await post('/app/sessions', form);
    expect(shownAgain.body).toContain('nothing new was recorded');
    const refused = await post('/app/sessions', { ...form, displayName: 'Someone Else' });
    expect(refused.statusCode).toBe(409);
    const sessionId = /\/app\/sessions\/([0-9a-f-]{36})\/handover/.exec(first.body)?.[1];
    await post(`/app/sessions/${sessionId}/link`, {});
    const alreadySaved = await post('/app/sessions', form);
    expect(alreadySaved.body).toContain('This session is already saved');
    for (const [name, html] of [
      ['shown-again', shownAgain.body],
      ['refused', refused.body],
      ['already-saved', alreadySaved.body],
    ] as const) {
      for (const viewport of [DESKTOP, { width: 390, height: 844 }]) {
        const violations = await axeOnHtml(browser, `${base}/app/sessions`, html, viewport);
        expect(violations.map((v) => `${name} ${viewport.width}: ${v.id}: ${v.help}`)).toEqual([]);
      }
    }
  }, 120_000);
});
