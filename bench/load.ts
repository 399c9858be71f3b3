import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/** One autocannon run's figures; latencies in milliseconds. */
export interface LoadResult {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  /** Non-2xx answers, socket errors and timeouts together: a correct run has none. */
  readonly failures: number;
}

export interface LoadOptions {
  readonly url: string;
  /** One check-in body is posted to each token in turn. */
  readonly tokens: readonly string[];
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second across all connections; absent = as fast as the server answers. */
  readonly rate?: number;
  /**
   * Post exactly this many check-ins, however long they take, instead of for `seconds` (the
   * instructions bench: a server under valgrind answers ~50× slower, so each may wait 2 min).
   */
  readonly amount?: number;
}

const BODY = JSON.stringify({ soreness: 3, symptoms: ['tenderness'] });
const BODY_BYTES = Buffer.byteLength(BODY);

/**
 * Post check-ins with autocannon, in this process (the server runs in a child). autocannon's
 * pipelined HTTP/1.1 client reaches tens of thousands of requests per second on one core, so
 * the bare route measures the server, not the client (issue 14).
 */
export async function postCheckIns(options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const tokens = options.tokens;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount === undefined
      ? { duration: options.seconds }
      : { amount: options.amount, timeout: 120 }),
    ...(options.rate === undefined ? {} : { overallRate: Math.max(1, Math.round(options.rate)) }),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
        setupRequest: (req) => {
          const token = tokens[next++ % tokens.length] ?? '';
          return { ...req, path: `/api/v1/p/${token}/check-ins` };
        },
      },
    ],
  });
  return {
    perSecond:
      result.requests.total / (options.amount === undefined ? options.seconds : result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** GET a path over and over (scale bench: pages and API reads). */
export async function getPath(options: {
  readonly url: string;
  readonly paths: readonly string[];
  readonly headers?: Record<string, string>;
  readonly connections: number;
  readonly seconds: number;
}): Promise<LoadResult> {
  let next = 0;
  const paths = options.paths;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'GET',
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] ?? '/' }),
      },
    ],
  });
  return {
    perSecond: result.requests.total / options.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Post check-ins at a steady `rate`, open loop: request i is due at start + i / rate whatever
 * the earlier answers do, and its latency counts from when it was due (so a server that falls
 * behind is charged for the wait: no coordinated omission). This is how the "p99 at half load"
 * target is measured (docs/decisions/1410): autocannon's `overallRate` lets each connection
 * send its whole quota for the second back to back at the top of every second, so "half load"
 * there is full load for half of each second. At a few hundred requests per second node:http
 * is far from its own limit; the bench runs the same pacer against the bare route to show the
 * generator's floor.
 */
export async function pacedCheckIns(options: {
  readonly url: string;
  readonly tokens: readonly string[];
  readonly rate: number;
  readonly seconds: number;
  /**
   * The keep-alive connections to send on, kept open afterwards: a run that follows another at
   * the same pace starts with the connections that one opened (decision 1450). Absent: a pool
   * of its own, closed at the end.
   */
  readonly agent?: http.Agent;
}): Promise<LoadResult> {
  const { rate, seconds, tokens } = options;
  const target = new URL(options.url);
  const agent = options.agent ?? pacedAgent();
  const one = (i: number) =>
    new Promise<boolean>((resolve) => {
      const token = tokens[i % tokens.length] ?? '';
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: `/api/v1/p/${token}/check-ins`,
          headers: { 'content-type': 'application/json', 'content-length': BODY_BYTES },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve((res.statusCode ?? 0) < 300));
        },
      );
      req.on('error', () => resolve(false));
      req.end(BODY);
    });
  const paced = await pacedOpenLoop(rate, seconds, one);
  if (options.agent === undefined) agent.destroy();
  return { perSecond: paced.requests / seconds, ...paced };
}

/** Keep-alive connections for `pacedCheckIns`, up to 256 at a time. */
export function pacedAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 256 });
}

export interface PacedResult {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Answers received (failed ones included); their latencies make the percentiles. */
  readonly requests: number;
  /** Answers that said it failed, and operations that threw (these have no latency). */
  readonly failures: number;
}

/**
 * The open-loop pacer behind every "at half load" figure: operation i is due at
 * start + i / rate whatever the earlier ones do, and its latency counts from when it was due.
 * `send` answers whether the operation succeeded.
 */
export async function pacedOpenLoop(
  rate: number,
  seconds: number,
  send: (i: number) => Promise<boolean>,
): Promise<PacedResult> {
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  let failures = 0;
  let sent = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  while (sent < total) {
    const now = performance.now();
    // Everything due by now goes out; then sleep until the next one is due.
    while (sent < total && start + (sent * 1000) / rate <= now) {
      const due = start + (sent * 1000) / rate;
      pending.push(
        send(sent).then(
          (ok) => {
            if (!ok) failures += 1;
            latencies.push(performance.now() - due);
          },
          () => {
            failures += 1;
          },
        ),
      );
      sent += 1;
    }
    const wait = start + (sent * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    p50: at(0.5),
    p99: at(0.99),
    max: latencies.at(-1) ?? 0,
    requests: latencies.length,
    failures,
  };
}
