/**
 * The harness the page tests trust: `axeOnHtml` must run axe on the HTML it is handed, at its
 * URL (so the page's own style sheet applies), at the size asked, and keep doing so on the
 * page it reuses (decision 1430). A harness that answered "no violations" for anything would
 * make every axe assertion in e2e/ pass vacuously; these cases would then fail. They run in each
 * Chromium installed, the headless shell most tests drive and the full browser (decision 1431),
 * so the two are held to the same answers.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  axeOnHtml,
  CHROMIUM,
  CHROMIUM_FULL,
  CHROMIUM_MISSING,
  CHROMIUM_SHELL,
  describeBrowser,
  launchBrowser,
  PHONE,
} from './browser.ts';

let server: Server;
let base: string;

/** What the server itself answers: a clean page, and a style sheet that greys out `.faint`. */
const LIVE_PAGE =
  '<!doctype html><html lang="en"><head><title>Live</title><link rel="stylesheet" href="/s.css"></head><body><main><h1>Live</h1><p class="faint">Quiet words</p></main></body></html>';
const STYLE = '.faint { color: #bbbbbb; background: #ffffff; }';

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><title>Handed</title><link rel="stylesheet" href="/s.css"></head><body><main><h1>Handed</h1>${body}</main></body></html>`;
}

beforeAll(async () => {
  if (CHROMIUM_MISSING) return;
  server = createServer((req, res) => {
    if (req.url === '/s.css') {
      res.writeHead(200, { 'content-type': 'text/css' });
      res.end(STYLE);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(LIVE_PAGE.replace('class="faint"', ''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ids = (violations: { id: string }[]) => violations.map((v) => v.id).sort();

const BROWSERS = [...new Set([CHROMIUM, CHROMIUM_SHELL, CHROMIUM_FULL])].filter((path) =>
  existsSync(path),
);

for (const executable of BROWSERS)
  describeBrowser(`axeOnHtml in ${executable}`, () => {
    let browser: Chromium;
    beforeAll(async () => {
      browser = await launchBrowser(executable);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('finds the faults of the HTML handed to it, not of the live page, on every call', async () => {
      const faulty = page(
        '<img src="/x.png"><form><input type="text" name="q"></form><p class="faint">Quiet words</p>',
      );
      const clean = page('<p>Plain words</p>');
      // Faulty, clean, faulty again on the same reused page, then a second URL.
      expect(ids(await axeOnHtml(browser, `${base}/p/one`, faulty))).toEqual([
        'color-contrast',
        'image-alt',
        'label',
      ]);
      expect(ids(await axeOnHtml(browser, `${base}/p/one`, clean))).toEqual([]);
      expect(ids(await axeOnHtml(browser, `${base}/p/one#part`, faulty))).toEqual([
        'color-contrast',
        'image-alt',
        'label',
      ]);
      expect(ids(await axeOnHtml(browser, `${base}/p/two?lang=es`, faulty))).toContain('label');
    });

    it('applies the page’s own style sheet from the server: contrast depends on it', async () => {
      // Without /s.css, .faint is black on white and passes; with it, it fails.
      const html = page('<p class="faint">Quiet words</p>');
      expect(ids(await axeOnHtml(browser, `${base}/p/three`, html))).toEqual(['color-contrast']);
      const unstyled = html.replace('<link rel="stylesheet" href="/s.css">', '');
      expect(ids(await axeOnHtml(browser, `${base}/p/three`, unstyled))).toEqual([]);
    });

    it('runs at the size asked, calls at two sizes at once included', async () => {
      // Grey on white only on screens up to 400 px wide: a fault at 360 px, none at 1280 px.
      const html = page(
        '<style>@media (max-width: 400px) { .narrow { color: #bbbbbb; } }</style><p class="narrow">Small screens</p>',
      );
      const [phone, desktop] = await Promise.all([
        axeOnHtml(browser, `${base}/p/four`, html, PHONE),
        axeOnHtml(browser, `${base}/p/four`, html, { width: 1280, height: 800 }),
      ]);
      expect(ids(phone)).toEqual(['color-contrast']);
      expect(ids(desktop)).toEqual([]);
      // Two calls at once on one size are served one after the other, each its own HTML.
      const [a, b] = await Promise.all([
        axeOnHtml(browser, `${base}/p/five`, page('<img src="/x.png">')),
        axeOnHtml(browser, `${base}/p/five`, page('<p>Fine</p>')),
      ]);
      expect(ids(a)).toEqual(['image-alt']);
      expect(ids(b)).toEqual([]);
    });
  });
