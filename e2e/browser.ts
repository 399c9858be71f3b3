import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { describe, expect } from 'vitest';

/** Debian's Chromium (the browser people install). */
export const CHROMIUM_FULL = '/usr/bin/chromium';
/**
 * Debian's build of Chromium's headless shell: the same Blink and V8 without the browser's
 * windows and tab strip. Playwright's own headless default is this shell; here it took ~40%
 * less CPU than the full browser for the same walk (decision 1431). playwright-core cannot
 * download a browser here, so both come from Debian.
 */
export const CHROMIUM_SHELL = '/usr/bin/chromium-headless-shell';

/** The browser the tests drive: CHROMIUM_PATH, else the headless shell, else the full browser. */
export const CHROMIUM =
  process.env.CHROMIUM_PATH ?? (existsSync(CHROMIUM_SHELL) ? CHROMIUM_SHELL : CHROMIUM_FULL);

/**
 * Desktop notifications belong to the browser's own windows: the headless shell has none, so the
 * dashboard's live-alert test drives the full browser (decision 1431).
 */
export const CHROMIUM_WITH_NOTIFICATIONS =
  process.env.CHROMIUM_PATH ?? (existsSync(CHROMIUM_FULL) ? CHROMIUM_FULL : CHROMIUM);

/**
 * Browser tests run when Chromium is installed, and always in CI (`.ci/run` installs it; a
 * missing browser there is a failure, not a skip). Elsewhere they are skipped with the reason.
 */
export const CHROMIUM_MISSING = !existsSync(CHROMIUM);
const INSTALL = 'apt-get install -y chromium chromium-headless-shell';
if (process.env.CI !== undefined && process.env.CI !== '') {
  // CI drives the shell and checks the full browser too (e2e/axe-harness.test.ts): both.
  for (const path of process.env.CHROMIUM_PATH === undefined
    ? [CHROMIUM_FULL, CHROMIUM_SHELL]
    : [CHROMIUM])
    if (!existsSync(path)) throw new Error(`browser tests need ${path} (${INSTALL})`);
}
if (CHROMIUM_MISSING) {
  console.info(`Browser tests skipped: no Chromium at ${CHROMIUM} (${INSTALL})`);
}
/** `describe` for browser tests: skipped (with the reason printed) when Chromium is missing. */
export const describeBrowser = CHROMIUM_MISSING ? describe.skip : describe;

export const ARTIFACTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));

export async function launchBrowser(executablePath: string = CHROMIUM): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

export const PHONE = { width: 360, height: 740 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

export async function newContext(
  browser: Browser,
  options: {
    javaScriptEnabled?: boolean;
    viewport?: { width: number; height: number };
    locale?: string;
  } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    // The pages' CSP forbids inline script; axe-core is injected by the test, so let it in.
    // The CSP header itself is asserted by the route tests.
    bypassCSP: true,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: options.viewport ?? PHONE,
    locale: options.locale ?? 'en-GB',
  });
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Run axe-core (WCAG 2.0/2.1 A and AA rules) in the page. The script is injected through a
 * fresh JS-enabled evaluation even when the page itself was loaded with JavaScript off, by
 * re-rendering the same HTML in a scratch context; see `axeOnHtml`.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  // A click on a link returns once the next page has begun to load: its document may not have
  // a <head> yet to take the script (a clean-clone run, forty-seventh round). Axe checks the
  // page as a person gets it, loaded.
  await page.waitForLoadState('load');
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

/** A JS-enabled page kept per browser and screen size, to run axe on HTML handed to it. */
interface AxePage {
  readonly page: Page;
  /** The document to serve for the next navigation, keyed by its URL without the fragment. */
  readonly documents: Map<string, string>;
  /** Calls on one page run one after another. */
  queue: Promise<unknown>;
}

const axePages = new WeakMap<Browser, Map<string, Promise<AxePage>>>();

async function openAxePage(
  browser: Browser,
  viewport: { readonly width: number; readonly height: number },
): Promise<AxePage> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  const page = await context.newPage();
  const documents = new Map<string, string>();
  // Only the document handed over is served from here; its style sheets, images and fonts come
  // from the server under test, as they would for the patient.
  await page.route('**/*', (route) => {
    const request = route.request();
    const body = request.resourceType() === 'document' ? documents.get(request.url()) : undefined;
    if (body === undefined) return route.continue();
    return route.fulfill({ status: 200, contentType: 'text/html', body });
  });
  return { page, documents, queue: Promise.resolve() };
}

/**
 * axe on a page that was loaded with JavaScript disabled: its HTML is served at its own URL
 * to a JS-enabled page, where axe is injected. That page (and its context) is kept for the
 * browser and screen size, so each call costs a navigation and a run rather than a new
 * context and a cold start of axe's script: ~0.45 s against ~2 s per call (decision 1430).
 */
export async function axeOnHtml(
  browser: Browser,
  url: string,
  htmlText: string,
  viewport: { readonly width: number; readonly height: number } = PHONE,
): Promise<AxeViolation[]> {
  let bySize = axePages.get(browser);
  if (bySize === undefined) {
    bySize = new Map();
    axePages.set(browser, bySize);
  }
  const key = `${viewport.width}x${viewport.height}`;
  let opened = bySize.get(key);
  if (opened === undefined) {
    opened = openAxePage(browser, viewport);
    bySize.set(key, opened);
  }
  const axePage = await opened;
  const target = new URL(url);
  target.hash = '';
  const run = axePage.queue.then(async () => {
    axePage.documents.set(target.href, htmlText);
    try {
      await axePage.page.goto(target.href);
      return await runAxe(axePage.page);
    } finally {
      axePage.documents.delete(target.href);
    }
  });
  axePage.queue = run.catch(() => undefined);
  return run;
}

/**
 * Where a page lands: the element's top is on the first screen once the page has loaded. A form
 * sent with JavaScript off comes back at its action's `#fragment`, and Chromium scrolls there
 * only when the page's stylesheet is in; a box read as soon as the element exists can still be
 * where the top of the page left it (the project's CI at the fifty-fifth round's stop).
 */
export async function expectLandsOnScreen(
  locator: Locator,
  height: number = PHONE.height,
): Promise<void> {
  await locator.page().waitForLoadState('load');
  const top = async () => (await locator.boundingBox())?.y ?? Number.NaN;
  await expect
    .poll(top, { timeout: 3_000, message: `top of ${locator} on a screen ${height} px high` })
    .toSatisfy((y: number) => y >= 0 && y < height);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
