/**
 * Issue 11, "Done when": from an EMPTY database, with only the command and the pages (no demo
 * seed), in Debian's Chromium, on SQLite and on PostgreSQL. `needlecare serve --worker` runs
 * as a child process with a real local SMTP server behind `SMTP_URL`; it prints the one-time
 * setup URL; the setup page creates the clinic and its admin (a common password refused
 * first); the admin invites a practitioner, whose invitation arrives over SMTP; they choose a
 * password, sign out and sign in; record a session; the patient opens the link with
 * JavaScript off at 360 px and checks in with chest pain and no soreness number; the emergency
 * reaches the practitioner on the dashboard queue and as an e-mail; they acknowledge it.
 * axe-core on the staff pages at 1280 and 390 px and on the patient pages; screenshots in
 * test-results/screenshots/walk-<dialect>-*.png.
 *
 * PostgreSQL: a fresh database through DATABASE_URL; without it the PostgreSQL walk is skipped
 * with the reason printed, and with CI set it fails (test/dialects.ts's rule).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Browser as Chromium, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHeader, parseMail } from '../src/jobs/test-support.ts';
import { TEST_KEY_ENV } from '../src/store/test-keys.ts';
import { BIN } from '../test/cli-harness.ts';
import { PG_SKIP_REASON } from '../test/dialects.ts';
import {
  axeOnHtml,
  CHROMIUM_MISSING,
  DESKTOP,
  launchBrowser,
  newContext,
  PHONE,
  runAxe,
  screenshot,
} from './browser.ts';

const NARROW = { width: 390, height: 844 } as const;
const ADMIN_PASSWORD = 'olive groves above the bay';
const PRACTITIONER_PASSWORD = 'a red kite over the marsh';

interface Mail {
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
}

const mails: Mail[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
let browser: Chromium;

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const m = parseMail(Buffer.concat(chunks).toString('utf8'));
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: decodeHeader(m.headers.get('subject') ?? ''),
          text: m.text,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  browser = await launchBrowser();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** A port nobody listens on now (PUBLIC_URL must be known before the server starts). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

interface Served {
  readonly child: ChildProcess;
  /** The walk's steps reached so far, for the failure message. */
  readonly steps: string[];
  readonly base: string;
  readonly setupUrl: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** `needlecare serve --worker` on the given database; resolves once it printed the setup URL. */
async function serve(dbEnv: Record<string, string>): Promise<Served> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [BIN, 'serve', '--worker'], {
    env: {
      PATH: process.env.PATH ?? '',
      ...TEST_KEY_ENV,
      ...dbEnv,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: base,
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'error',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      WORKER_POLL_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const setupUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no setup URL printed:\n${out}`)), 40_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /create the first one at (http\S+\/setup\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}):\n${out}`)));
  });
  return {
    child,
    steps: [],
    base,
    setupUrl,
    output: () => out,
    // SIGTERM, then at most 20 s for every process of the cluster to finish; a server that
    // does not stop is killed and the test fails with what it printed (never a silent hang).
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), 20_000);
      });
      const code = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (code !== 'late') return code;
      child.kill('SIGKILL');
      await exited;
      throw new Error(
        `serve did not stop within 20 s of SIGTERM; it printed:\n${out.slice(-4000)}`,
      );
    },
  };
}

async function waitForMail(to: string, subject: RegExp): Promise<Mail> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = mails.find((x) => x.to.includes(to) && subject.test(x.subject));
    if (m !== undefined) return m;
    if (Date.now() > deadline)
      throw new Error(`no mail to ${to} matching ${subject}; got ${JSON.stringify(mails)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function expectAxeClean(p: Page): Promise<void> {
  const violations = await runAxe(p);
  expect(
    violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
  ).toEqual([]);
}

/** axe at 1280 px, then at 390 px (and nothing wider than the screen there). */
async function axeBothWidths(p: Page, shot: string): Promise<void> {
  await expectAxeClean(p);
  await screenshot(p, `${shot}-1280`);
  await p.setViewportSize(NARROW);
  await expectAxeClean(p);
  const overflow = await p.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(p, `${shot}-390`);
  await p.setViewportSize(DESKTOP);
}

/** The whole walk against one running server. */
async function walk(served: Served, dialect: string): Promise<void> {
  const tag = `walk-${dialect}`;
  const adminEmail = `alba.${dialect}@levante.test`;
  const practitionerEmail = `pablo.${dialect}@levante.test`;
  const patientEmail = `lucia.${dialect}@example.test`;
  const { base } = served;
  const t0 = Date.now();
  const step = (name: string) => {
    const line = `${tag}: ${name} at ${Date.now() - t0} ms`;
    served.steps.push(line);
    console.info(line);
  };

  // 1. The admin opens the setup URL serve printed, with JavaScript off.
  const adminContext = await newContext(browser, { viewport: DESKTOP, javaScriptEnabled: false });
  const admin = await adminContext.newPage();
  await admin.goto(served.setupUrl);
  await expect(admin.locator('h1').textContent()).resolves.toBe('Set up your clinic');
  const setupHtml = await admin.content();
  for (const viewport of [DESKTOP, NARROW])
    expect(
      (await axeOnHtml(browser, served.setupUrl, setupHtml, viewport)).map((v) => v.id),
    ).toEqual([]);
  await admin.setViewportSize(NARROW);
  await screenshot(admin, `${tag}-setup-390`);
  await admin.setViewportSize(DESKTOP);
  await admin.getByLabel('Clinic name').fill('Fisio Levante');
  await admin.getByLabel('Time zone').selectOption('Europe/Madrid');
  await admin.getByLabel('Country code').fill('ES');
  await admin.getByLabel('Clinic phone for patients').fill('+34 965 000 000');
  await admin.getByLabel('Your name').fill('Alba');
  await admin.getByLabel('Your e-mail address').fill(adminEmail);
  await admin.getByLabel('New password').fill('password12345');
  await admin.getByLabel('The same password again').fill('password12345');
  await admin.getByRole('button', { name: 'Create the clinic and sign in' }).click();
  await expect(admin.locator('#errors').textContent()).resolves.toContain('too common');
  // What was typed is kept (but the passwords).
  await expect(admin.getByLabel('Clinic name').inputValue()).resolves.toBe('Fisio Levante');
  await screenshot(admin, `${tag}-setup-refused-1280`);
  await admin.getByLabel('New password').fill(ADMIN_PASSWORD);
  await admin.getByLabel('The same password again').fill(ADMIN_PASSWORD);
  await admin.getByRole('button', { name: 'Create the clinic and sign in' }).click();
  await admin.waitForURL(`${base}/app`);
  await expect(admin.locator('.brand').textContent()).resolves.toContain('Fisio Levante');
  expect((await admin.request.get(served.setupUrl)).status()).toBe(410);
  await adminContext.close();

  step('setup done');
  // 2. The admin (now with script, as most browsers) invites a practitioner.
  const adminJs = await newContext(browser, { viewport: DESKTOP });
  const a = await adminJs.newPage();
  await a.goto(`${base}/app/sign-in`);
  await a.getByLabel('E-mail').fill(adminEmail);
  await a.getByLabel('Password').fill(ADMIN_PASSWORD);
  await a.getByRole('button', { name: 'Sign in' }).click();
  await a.waitForURL(`${base}/app`);
  await a.goto(`${base}/app/clinic`);
  await a.locator('#ns-name').fill('Pablo');
  await a.locator('#ns-email').fill(practitionerEmail);
  await a.getByRole('button', { name: 'Send invitation' }).click();
  await a.waitForURL(/\/app\/clinic\?done=added/);
  await screenshot(a, `${tag}-invited-1280`);
  await a.goto(`${base}/app/account`);
  await axeBothWidths(a, `${tag}-account`);
  await adminJs.close();

  step('invited');
  // 3. The invitation arrives over SMTP; the practitioner chooses a password, then signs in.
  const invite = await waitForMail(practitionerEmail, /invites you to Needlecare/);
  const inviteUrl = /http\S+\/set-password\/\S+/.exec(invite.text)?.[0] ?? '';
  expect(inviteUrl.startsWith(`${base}/set-password/`)).toBe(true);
  const pracContext = await newContext(browser, { viewport: DESKTOP });
  const p = await pracContext.newPage();
  await p.goto(inviteUrl);
  await p.getByLabel('New password').fill(PRACTITIONER_PASSWORD);
  await p.getByLabel('The same password again').fill(PRACTITIONER_PASSWORD);
  await p.getByRole('button', { name: 'Save password and sign in' }).click();
  await p.waitForURL(`${base}/app`);
  await p.getByRole('button', { name: 'Sign out' }).click();
  await p.waitForURL(/\/app\/sign-in/);
  // The sign-in page offers "Forgot your password?" (its own tests: test/system/forgot-password.int.test.ts).
  await p.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(p.locator('h1').textContent()).resolves.toBe('Forgot your password?');
  await axeBothWidths(p, `${tag}-forgot-password`);
  await p.getByRole('link', { name: 'Back to sign in' }).click();
  await p.getByLabel('E-mail').fill(practitionerEmail);
  await p.getByLabel('Password').fill(PRACTITIONER_PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(`${base}/app`);

  step('practitioner signed in');
  // 4. They record a session for a new patient and get the link.
  await p.getByRole('link', { name: 'Record session' }).click();
  await p.getByLabel('Name', { exact: true }).fill('Lucía Gómez');
  await p.getByLabel(/^E-mail/).fill(patientEmail);
  const muscle = p.locator('.muscle[data-muscle="upper-trapezius"]');
  await muscle.getByLabel('Left').check();
  await p.getByRole('button', { name: 'Save and get the patient link' }).click();
  await expect(p.locator('h1').textContent()).resolves.toBe('Session saved');
  const link = await p.getByLabel('Patient link', { exact: true }).inputValue();
  expect(link.startsWith(`${base}/p/`)).toBe(true);
  await screenshot(p, `${tag}-session-saved-1280`);

  step('session recorded');
  // 5. The patient, on a phone with JavaScript off: chest pain, no soreness number.
  const phone = await newContext(browser, { viewport: PHONE, javaScriptEnabled: false });
  const patient = await phone.newPage();
  await patient.goto(`${link}/check-in`);
  const checkInHtml = await patient.content();
  expect((await axeOnHtml(browser, `${link}/check-in`, checkInHtml)).map((v) => v.id)).toEqual([]);
  await patient.locator('#s-chest_pain').check();
  await patient.getByRole('button', { name: 'Send' }).click();
  await expect(patient.locator('h1').textContent()).resolves.toBe('Call 112 now');
  const answerHtml = await patient.content();
  expect((await axeOnHtml(browser, patient.url(), answerHtml)).map((v) => v.id)).toEqual([]);
  await screenshot(patient, `${tag}-patient-emergency-360`);
  await phone.close();

  step('checked in');
  // 6. The alert reaches the practitioner: the queue, and an e-mail over SMTP.
  await p.goto(`${base}/app`);
  const card = p.locator('.alert-card.sev-emergency').first();
  await card.waitFor({ timeout: 10_000 });
  await expect(card.textContent()).resolves.toContain('Lucía Gómez');
  await expectAxeClean(p);
  await screenshot(p, `${tag}-queue-emergency-1280`);
  const alertMail = await waitForMail(practitionerEmail, /emergency/i);
  expect(alertMail.text).toContain(`${base}/app#alert-`);

  step('alert seen');
  // 7. They acknowledge it.
  await card.getByLabel(/^What happened/).fill('called her: going to A&E');
  await Promise.all([
    p.waitForURL(/\/app#alert-/),
    card.getByRole('button', { name: 'Acknowledge' }).click(),
  ]);
  await expect(p.locator('.alert-card.status-acknowledged').count()).resolves.toBe(1);
  await expect(p.locator('.emergency-banner').count()).resolves.toBe(0);
  await screenshot(p, `${tag}-acknowledged-1280`);
  step('acknowledged');
  await pracContext.close();
}

/**
 * The walk, failing by itself after `limitMs` (before the test's own timeout) with the steps it
 * reached and what the server printed, so a stuck walk says where it stuck.
 */
async function walkOrExplain(served: Served, dialect: string, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the walk did not finish in ${limitMs} ms`)),
      limitMs,
    );
  });
  try {
    await Promise.race([walk(served, dialect), stuck]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${message}\nsteps reached:\n${served.steps.join('\n') || '(none)'}\nserve printed:\n${served.output().slice(-4000)}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

const describeBrowser = CHROMIUM_MISSING ? describe.skip : describe;

describeBrowser('the whole walk from an empty database [sqlite]', () => {
  let dir: string;
  let served: Served | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nc-walk-'));
  });
  afterAll(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('setup URL → clinic → invitation → session → chest pain → alert → acknowledged', async () => {
    const started = Date.now();
    served = await serve({ NEEDLECARE_DB: join(dir, 'walk.db') });
    console.info(`walk-sqlite: serve printed the setup URL after ${Date.now() - started} ms`);
    await walkOrExplain(served, 'sqlite', 170_000);
    expect(await served.stop()).toBe(0);
  }, 240_000);
});

const PG_URL = process.env.DATABASE_URL;
if (PG_URL === undefined && process.env.CI !== undefined && process.env.CI !== '')
  throw new Error('the PostgreSQL walk needs DATABASE_URL in CI');
if (PG_URL === undefined && !CHROMIUM_MISSING) console.info(`Walk: ${PG_SKIP_REASON}`);
const describePg = CHROMIUM_MISSING || PG_URL === undefined ? describe.skip : describe;

describePg('the whole walk from an empty database [postgres]', () => {
  const database = `nc_walk_${randomBytes(6).toString('hex')}`;
  let served: Served | undefined;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  beforeAll(async () => {
    await admin(`create database ${database}`);
  });
  afterAll(async () => {
    await served?.stop();
    await admin(`drop database if exists ${database} with (force)`);
  });

  it('setup URL → clinic → invitation → session → chest pain → alert → acknowledged', async () => {
    const url = new URL(PG_URL ?? '');
    url.pathname = `/${database}`;
    served = await serve({ DATABASE_URL: url.toString() });
    await walkOrExplain(served, 'postgres', 170_000);
    expect(await served.stop()).toBe(0);
  }, 240_000);
});
