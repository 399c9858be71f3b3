/**
 * A burst of patient check-ins over real HTTP for the fault tests (issue 16), with a fault
 * injected part-way. Every check-in carries its own Idempotency-Key, is sent once, and its
 * answer is classified: 2xx, 503 (with Retry-After), or other (anything else, including a
 * dropped connection or a timeout — which a crashed server would produce).
 */
import { randomUUID } from 'node:crypto';

export interface SentCheckIn {
  readonly key: string;
  readonly token: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** HTTP status, or 0 when no answer came (connection refused or reset, timeout). */
  readonly status: number;
  readonly retryAfter: string | null;
  readonly checkInId: string | null;
  readonly error: string | null;
}

export interface BurstOptions {
  readonly baseUrl: string;
  readonly tokens: readonly string[];
  readonly total: number;
  readonly concurrency: number;
  /** Runs once, when `faultAfter` check-ins have been started; the burst goes on meanwhile. */
  readonly fault?: { readonly after: number; run(): Promise<void> };
  /** Per-request timeout (ms). */
  readonly timeoutMs?: number;
}

export interface BurstResult {
  readonly sent: readonly SentCheckIn[];
  /** When the fault started and ended (ms since epoch), if there was one. */
  readonly faultStartedAt: number | null;
  readonly faultEndedAt: number | null;
}

export async function checkInOnce(
  baseUrl: string,
  token: string,
  timeoutMs = 15_000,
): Promise<SentCheckIn> {
  const key = randomUUID();
  const startedAt = Date.now();
  try {
    const res = await fetch(`${baseUrl}/api/v1/p/${token}/check-ins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ soreness: 1 + Math.floor(Math.random() * 4), symptoms: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let checkInId: string | null = null;
    if (res.ok) {
      const body = JSON.parse(text) as { checkIn?: { id?: string } };
      checkInId = body.checkIn?.id ?? null;
    }
    return {
      key,
      token,
      startedAt,
      endedAt: Date.now(),
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      checkInId,
      error: res.ok ? null : text.slice(0, 200),
    };
  } catch (error) {
    return {
      key,
      token,
      startedAt,
      endedAt: Date.now(),
      status: 0,
      retryAfter: null,
      checkInId: null,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const sent: SentCheckIn[] = [];
  let next = 0;
  let faultStartedAt: number | null = null;
  let faultEndedAt: number | null = null;
  let faultRun: Promise<void> | undefined;
  const worker = async () => {
    for (;;) {
      const i = next;
      next += 1;
      if (i >= options.total) return;
      if (options.fault !== undefined && i === options.fault.after) {
        faultStartedAt = Date.now();
        faultRun = options.fault.run().finally(() => {
          faultEndedAt = Date.now();
        });
      }
      const token = options.tokens[i % options.tokens.length] ?? '';
      sent.push(await checkInOnce(options.baseUrl, token, options.timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  await faultRun;
  return { sent, faultStartedAt, faultEndedAt };
}

export interface BurstCounts {
  readonly sent: number;
  readonly ok: number;
  readonly unavailable: number;
  readonly other: number;
}

export function countAnswers(sent: readonly SentCheckIn[]): BurstCounts {
  const ok = sent.filter((s) => s.status >= 200 && s.status < 300).length;
  const unavailable = sent.filter((s) => s.status === 503).length;
  return { sent: sent.length, ok, unavailable, other: sent.length - ok - unavailable };
}

/**
 * Keep checking in (one at a time, `everyMs` apart, at most `maxMs`) until one is answered
 * 2xx; the time from `since` to that answer is the recovery time.
 */
export async function timeToRecover(
  baseUrl: string,
  token: string,
  since: number,
  maxMs = 30_000,
  everyMs = 100,
): Promise<{ ms: number; probe: SentCheckIn } | undefined> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const probe = await checkInOnce(baseUrl, token, 5_000);
    if (probe.status >= 200 && probe.status < 300) return { ms: probe.endedAt - since, probe };
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return undefined;
}

/**
 * How long check-ins failed: from the fault's start to the answer of the first check-in that
 * was sent after the last failed one ended and succeeded. 0 when nothing failed.
 */
export function recoveryMs(result: BurstResult): number | null {
  if (result.faultStartedAt === null) return null;
  const failed = result.sent.filter((s) => s.status < 200 || s.status >= 300);
  if (failed.length === 0) return 0;
  const lastFailure = Math.max(...failed.map((s) => s.endedAt));
  const firstOk = result.sent
    .filter((s) => s.status >= 200 && s.status < 300 && s.startedAt >= lastFailure)
    .sort((a, b) => a.endedAt - b.endedAt)[0];
  return firstOk === undefined ? null : firstOk.endedAt - result.faultStartedAt;
}
