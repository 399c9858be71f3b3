import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./http-server.ts', import.meta.url));

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

async function startServer(mode: 'app' | 'bare', env: NodeJS.ProcessEnv) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
      '--import',
      'tsx',
      SERVER,
      mode,
      '64',
    ],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
  const { url, tokens } = JSON.parse(line) as { url: string; tokens: string[] };
  return { url, tokens, stop: () => child.kill('SIGTERM') };
}

/** `total` check-ins from `concurrency` keep-alive clients; latency per request in ms. */
async function load(
  url: string,
  tokens: readonly string[],
  total: number,
  concurrency: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const body = JSON.stringify({ soreness: 3, symptoms: ['tenderness'] });
  const one = (token: string) =>
    new Promise<number>((resolve) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: `/api/v1/p/${token}/check-ins`,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const start = performance.now();
        const status = await one(tokens[i % tokens.length] ?? '');
        latencies.push(performance.now() - start);
        if (status !== 201) errors++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    requests: total,
    errors,
    seconds,
    perSecond: total / seconds,
    p50: pct(0.5),
    p99: pct(0.99),
  };
}

function row(name: string, r: LoadResult): string {
  return `${name.padEnd(34)} ${Math.round(r.perSecond).toString().padStart(6)} req/s   p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(6)} ms   errors ${r.errors}`;
}

/** Check-in ingestion over HTTP next to a bare Fastify route, measured in the same run. */
export async function benchHttp(
  options: { total?: number; concurrency?: number } = {},
): Promise<void> {
  const total = options.total ?? 3000;
  const concurrency = options.concurrency ?? 32;
  const { DATABASE_URL: pgUrl, ...withoutPg } = process.env;
  const bare = await startServer('bare', withoutPg);
  await load(bare.url, bare.tokens, 500, concurrency); // warm-up
  const bareResult = await load(bare.url, bare.tokens, total, concurrency);
  bare.stop();
  console.log(`HTTP check-in ingestion, ${total} requests, ${concurrency} concurrent clients:`);
  console.log(row('bare Fastify route (same schema)', bareResult));
  const dialects: [string, NodeJS.ProcessEnv][] = [['SQLite (WAL, synchronous=FULL)', withoutPg]];
  if (pgUrl !== undefined) dialects.push(['PostgreSQL', { ...withoutPg, DATABASE_URL: pgUrl }]);
  else console.log('PostgreSQL: skipped (DATABASE_URL is not set)');
  for (const [name, env] of dialects) {
    const server = await startServer('app', env);
    await load(server.url, server.tokens, 300, concurrency); // warm-up
    const r = await load(server.url, server.tokens, total, concurrency);
    server.stop();
    console.log(row(`check-in, ${name}`, r));
    console.log(
      `${''.padEnd(34)} ratio to the bare route: ${(r.perSecond / bareResult.perSecond).toFixed(3)}`,
    );
  }
}
