import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_KEY_ENV } from '../../src/store/test-keys.ts';
import { BENCH_LIMIT } from '../limits.ts';
import { getPath, postCheckIns } from '../load.ts';
import { stopChild } from '../servers.ts';
import type { Figures } from '../stats.ts';
import type { SeedIndex } from './seed.ts';

const BIN = fileURLToPath(new URL('../../bin/needlecare.js', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident memory of a process from /proc, in MB: total, anonymous (heaps), file-backed. */
export function rssOf(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}

/**
 * `needlecare serve` on the seeded file: time from spawn to `/readyz` answering 200, resident
 * memory idle, and the highest resident memory under load (check-ins and the API's patient,
 * alert and search reads at the same time).
 */
export async function measureServe(
  figures: Figures,
  options: {
    label: string;
    env: NodeJS.ProcessEnv;
    index: SeedIndex;
    seconds: number;
  },
): Promise<void> {
  // The first command after a change to the source compiles the bundle (bin/compiled.js,
  // decision 1021): ~1.2 s more here, once per install or upgrade. Compile it first, so what
  // is timed is the start of a server whose release is in place.
  spawnSync(process.execPath, [BIN, '--help'], { stdio: 'ignore' });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--processes', '1'], {
    env: {
      ...process.env,
      DATABASE_URL: undefined,
      ...TEST_KEY_ENV,
      ...options.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: url,
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'silent',
      // The load comes from one address: without these the patient-link limits (60 a window
      // per address, decision 1112) answer 429 from the 61st check-in on.
      PATIENT_LINK_MAX: String(BENCH_LIMIT),
      PATIENT_IP_MAX: String(BENCH_LIMIT),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    let ready = false;
    while (!ready) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`);
      ready = await fetch(`${url}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (!ready) await new Promise((r) => setTimeout(r, 10));
    }
    const startMs = performance.now() - t0;
    figures.add({
      name: `serve ${options.label}, seeded: start to /readyz`,
      value: startMs,
      unit: 'ms',
      target: '< 1000',
    });
    await new Promise((r) => setTimeout(r, 1000));
    const pid = child.pid as number;
    const idle = rssOf(pid);
    figures.add({ name: `serve ${options.label}, seeded: RSS idle`, value: idle.rss, unit: 'MB' });

    let peak = idle;
    const sampler = setInterval(() => {
      const now = rssOf(pid);
      if (now.rss > peak.rss) peak = now;
    }, 200);
    const clinics = options.index.clinics;
    const tokens = clinics.flatMap((c) => c.linkTokens.slice(-20));
    const reads = clinics.flatMap((c) =>
      c.patientIds
        .slice(0, 20)
        .flatMap((id) => [`/api/v1/patients/${id}`, `/api/v1/patients?q=mar&limit=20`]),
    );
    const first = clinics[0];
    try {
      const [writes, readsResult] = await Promise.all([
        postCheckIns({ url, tokens, connections: 16, seconds: options.seconds }),
        getPath({
          url,
          // One clinic's token: every read is clinic-scoped, so reads use clinic 0's patients.
          paths: reads.slice(0, 40),
          headers: { authorization: `Bearer ${first?.apiToken ?? ''}` },
          connections: 8,
          seconds: options.seconds,
        }),
      ]);
      figures.add({
        name: `serve ${options.label}, seeded: check-ins under mixed load`,
        value: writes.perSecond,
        unit: 'req/s',
      });
      figures.add({
        name: `serve ${options.label}, seeded: API reads under mixed load`,
        value: readsResult.perSecond,
        unit: 'req/s',
      });
      if (writes.failures + readsResult.failures > 0) {
        figures.note(`!! ${writes.failures} check-ins and ${readsResult.failures} reads failed`);
      }
    } finally {
      clearInterval(sampler);
    }
    figures.add({
      name: `serve ${options.label}, seeded: RSS peak under load`,
      value: peak.rss,
      unit: 'MB',
      target: '< 250',
    });
    figures.note(
      `serve RSS at peak: ${peak.anon.toFixed(0)} MB anonymous (JS heap, native heaps, SQLite page cache), ${peak.file.toFixed(0)} MB file-backed (code, mapped files)`,
    );
  } finally {
    await stopChild(child);
  }
}
