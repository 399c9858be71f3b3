import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./http-server.ts', import.meta.url));

export interface BenchServer {
  readonly url: string;
  readonly tokens: readonly string[];
  readonly child: ChildProcess;
  stop(): Promise<void>;
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
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
      '--import',
      'tsx',
      SERVER,
      mode,
      String(links),
    ],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const { url, tokens } = JSON.parse(await firstLine(child, `bench server (${mode})`)) as {
    url: string;
    tokens: string[];
  };
  return { url, tokens, child, stop: () => stopChild(child) };
}
