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
}

const BODY = JSON.stringify({ soreness: 3, symptoms: ['tenderness'] });

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
    duration: options.seconds,
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
    perSecond: result.requests.total / options.seconds,
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
