import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TEST_KEY_ENV } from '../src/store/test-keys.ts';
import { nodeCommand } from './affinity.ts';
import { BENCH_LIMIT } from './limits.ts';

const SERVER = fileURLToPath(new URL('./http-server.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/needlecare.js', import.meta.url));

export interface BenchServer {
  readonly url: string;
  readonly tokens: readonly string[];
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** What an `app` server counted since the last call (bench/http-server.ts). */
export interface ServerCounts {
  /** Full garbage collections: how many, and their pauses in all (ms). */
  readonly count: number;
  readonly ms: number;
  /** Check-in groups written, and the check-ins in them. */
  readonly groups: number;
  readonly items: number;
  /** Groups that took their sessions' state from what was kept instead of reading it. */
  readonly kept?: number;
  /**
   * Linux only: the server's main thread's time on a CPU, its time ready to run but waiting for
   * a CPU (ms), and how often the kernel took the CPU from it (involuntary context switches).
   */
  readonly ranMs?: number;
  readonly waitedMs?: number;
  readonly preempted?: number;
}

/**
 * What an `app` server counted since the last call: full collections, check-in groups, and its
 * main thread's waits for a CPU.
 */
export async function serverCounts(server: BenchServer): Promise<ServerCounts> {
  const answer = firstLine(server.child, 'bench server (counts)');
  server.child.kill('SIGUSR2');
  return JSON.parse(await answer) as ServerCounts;
}

/** Wait for the child's first stdout line (JSON), or fail when it exits first. */
export async function firstLine(child: ChildProcess, what: string): Promise<string> {
  if (child.stdout === null) throw new Error(`${what}: no stdout`);
  return new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.once('line', (line) => {
      rl.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/**
 * A server in a child process, so the load generator never shares its event loop: `bare` is a
 * bare Fastify route with the same body schema; `app` is the real app on a fresh database
 * (SQLite FULL, or PostgreSQL when `env.DATABASE_URL` is set) with `links` patient links.
 */
export async function startServer(
  mode: 'app' | 'bare',
  env: NodeJS.ProcessEnv,
  links = 64,
): Promise<BenchServer> {
  const [command, args] = nodeCommand([
    ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
    '--import',
    'tsx',
    SERVER,
    mode,
    String(links),
  ]);
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const { url, tokens } = JSON.parse(await firstLine(child, `bench server (${mode})`)) as {
    url: string;
    tokens: string[];
  };
  return { url, tokens, child, stop: () => stopChild(child) };
}

/**
 * `needlecare serve --processes N` (the production entry, node:cluster) on a fresh database
 * with `links` patient links (SQLite FULL, or PostgreSQL when `env.DATABASE_URL` is set).
 */
export async function startServe(
  processes: number,
  env: NodeJS.ProcessEnv,
  links = 64,
): Promise<BenchServer> {
  const [prepCommand, prepArgs] = nodeCommand([
    '--import',
    'tsx',
    SERVER,
    'prepare',
    String(links),
  ]);
  const prep = spawn(prepCommand, prepArgs, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const prepared = JSON.parse(await firstLine(prep, 'bench database')) as {
    tokens: string[];
    sqlitePath: string;
    databaseUrl?: string;
  };
  const [command, args] = nodeCommand([BIN, 'serve', '--processes', String(processes)]);
  const child = spawn(command, args, {
    env: {
      ...env,
      ...TEST_KEY_ENV,
      // A burst from one address: the patient-link limits are not what this measures.
      PATIENT_LINK_MAX: String(BENCH_LIMIT),
      PATIENT_IP_MAX: String(BENCH_LIMIT),
      HOST: '127.0.0.1',
      PORT: '0',
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'silent',
      ...(prepared.databaseUrl === undefined
        ? { NEEDLECARE_DB: prepared.sqlitePath }
        : { DATABASE_URL: prepared.databaseUrl }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await firstLine(child, `serve --processes ${processes}`);
  const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`serve said: ${line}`);
  return {
    url,
    tokens: prepared.tokens,
    child,
    stop: async () => {
      await stopChild(child);
      // The folder `prepare` made for the SQLite file (empty on PostgreSQL).
      const folder = dirname(prepared.sqlitePath);
      if (basename(folder).startsWith('nc-bench-'))
        rmSync(folder, { recursive: true, force: true });
      if (prepared.databaseUrl !== undefined && env.DATABASE_URL !== undefined) {
        const admin = new pg.Client({ connectionString: env.DATABASE_URL });
        await admin.connect();
        await admin.query(
          `DROP DATABASE IF EXISTS ${new URL(prepared.databaseUrl).pathname.slice(1)}`,
        );
        await admin.end();
      }
    },
  };
}
