import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../../../test/cli-harness.ts';

/** A free local port (PUBLIC_URL is derived from PORT, so the printed link must be real). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface Started {
  readonly output: string;
  readonly link: string;
  readonly url: string;
  stop(): Promise<number | null>;
}

async function start(dbPath: string, port: number): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: { PATH: process.env.PATH, NEEDLECARE_DB: dbPath, PORT: String(port), LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const link = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output += `${line}\n`;
      const found = /A patient's page\s+(\S+)/.exec(line);
      if (found?.[1] !== undefined) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`start exited early (${code}): ${output}`)));
  });
  return {
    get output() {
      return output;
    },
    link,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

describe('npm start (needlecare start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nc-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the database, seeds the demo clinic once, prints where to click, and every link works', async () => {
    const db = join(dir, 'data', 'needlecare.db');
    const port = await freePort();
    const first = await start(db, port);
    expect(first.output).toContain('demo clinic created');
    expect(first.output).toMatch(/sign in as practitioner@demo\.needlecare\.test \/ \S+/);
    const dashboard = await fetch(`${first.url}/app`, { redirect: 'manual' });
    expect(dashboard.status).toBe(303);
    const signIn = await fetch(`${first.url}/app/sign-in`);
    expect(signIn.status).toBe(200);
    const page = await fetch(first.link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Your care after dry needling');
    const docs = await fetch(`${first.url}/api/docs`, { redirect: 'follow' });
    expect(docs.status).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await start(db, port);
    expect(second.output).toContain('demo clinic already there');
    expect((await fetch(second.link)).status).toBe(200);
    // Each start issues a new link to the demo session; the earlier one stops working.
    expect((await fetch(first.link)).status).toBe(410);
    expect(await second.stop()).toBe(0);
  }, 60_000);
});
