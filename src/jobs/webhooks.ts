/**
 * Signed webhooks (docs/webhooks.md). Each delivery is a POST of a JSON event with
 *
 * - `Needlecare-Event-Id`: the event id (also `Idempotency-Key`), the same on every retry;
 * - `Needlecare-Timestamp`: Unix seconds when this attempt was signed;
 * - `Needlecare-Signature`: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
 *
 * A receiver recomputes the HMAC over the raw body, compares in constant time, and rejects
 * timestamps outside its replay window (5 minutes by default).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DeliveryError } from './sms-gateway.ts';

export const SIGNATURE_HEADER = 'Needlecare-Signature';
export const TIMESTAMP_HEADER = 'Needlecare-Timestamp';
export const EVENT_ID_HEADER = 'Needlecare-Event-Id';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

export interface VerifyInput {
  readonly secret: string;
  /** The raw request body, exactly as received. */
  readonly body: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  /** Receiver's "now". */
  readonly now: Date;
  readonly toleranceSeconds?: number;
}

export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' | 'stale' | 'mismatch' };

/**
 * Check a delivery's signature and freshness. Accepts several `v1=` values separated by
 * commas (a sender rotating secrets); one match is enough.
 */
export function verifyWebhookSignature(input: VerifyInput): VerifyResult {
  if (!input.timestamp || !input.signature || !/^\d{1,12}$/.test(input.timestamp)) {
    return { ok: false, reason: 'missing' };
  }
  const ts = Number(input.timestamp);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(Math.floor(input.now.getTime() / 1000) - ts) > tolerance) {
    return { ok: false, reason: 'stale' };
  }
  const expected = Buffer.from(signWebhook(input.secret, ts, input.body), 'utf8');
  for (const candidate of input.signature.split(',').map((s) => s.trim())) {
    const given = Buffer.from(candidate, 'utf8');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'mismatch' };
}

export interface WebhookDelivery {
  readonly url: string;
  readonly secret: string;
  readonly eventId: string;
  readonly body: string;
  readonly now: Date;
}

export interface WebhookSender {
  deliver(delivery: WebhookDelivery): Promise<void>;
}

export interface HttpWebhookOptions {
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** POST signed events; 2xx is delivered, anything else is a failure to retry. */
export function createWebhookSender(options: HttpWebhookOptions = {}): WebhookSender {
  const doFetch = options.fetch ?? fetch;
  return {
    async deliver(d) {
      const timestamp = Math.floor(d.now.getTime() / 1000);
      const response = await doFetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Needlecare-Webhooks/1',
          [EVENT_ID_HEADER]: d.eventId,
          'idempotency-key': d.eventId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(d.secret, timestamp, d.body),
        },
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) {
        throw new DeliveryError(`webhook answered ${response.status}`, response.status);
      }
    },
  };
}
