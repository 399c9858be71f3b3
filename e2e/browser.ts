import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { describe } from 'vitest';

/** Debian's Chromium; playwright-core cannot download its own browser here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Browser tests run when Chromium is installed, and always in CI (`.ci/run` installs it; a
 * missing browser there is a failure, not a skip). Elsewhere they are skipped with the reason.
 */
export const CHROMIUM_MISSING = !existsSync(CHROMIUM);
if (CHROMIUM_MISSING && process.env.CI !== undefined && process.env.CI !== '') {
  throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
}
if (CHROMIUM_MISSING) {
  console.info(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
}
/** `describe` for browser tests: skipped (with the reason printed) when Chromium is missing. */
export const describeBrowser = CHROMIUM_MISSING ? describe.skip : describe;

export const ARTIFACTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
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

/** axe on a page that was loaded with JavaScript disabled: copy its HTML into a JS-enabled page. */
export async function axeOnHtml(
  browser: Browser,
  url: string,
  htmlText: string,
  viewport: { readonly width: number; readonly height: number } = PHONE,
): Promise<AxeViolation[]> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  const page = await context.newPage();
  await page.route(url, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: htmlText }),
  );
  await page.goto(url);
  const violations = await runAxe(page);
  await context.close();
  return violations;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
