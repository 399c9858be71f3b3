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
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import {
  hostOf,
  isPublicAddress,
  NonPublicAddressError,
  publicLookup,
} from '../services/public-address.ts';
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

export const FHIR_JSON = 'application/fhir+json';

export interface WebhookDelivery {
  readonly url: string;
  readonly secret: string;
  readonly eventId: string;
  readonly body: string;
  readonly now: Date;
  /** `application/json` (the native event, the default) or `application/fhir+json`. */
  readonly contentType?: string;
}

export interface WebhookSender {
  deliver(delivery: WebhookDelivery): Promise<void>;
}

export interface HttpWebhookOptions {
  readonly timeoutMs?: number;
  /**
   * Hosts (names or addresses, as in the URL) that may be private or loopback: tests and a
   * named on-premises receiver (NEEDLECARE_WEBHOOK_ALLOW_HOSTS). Everything else must be public.
   */
  readonly allowHosts?: readonly string[];
}

/**
 * POST signed events; 2xx is delivered, anything else is a failure to retry. The request
 * connects only to a public address (public-address.ts): a literal address is checked before
 * connecting, a name through `publicLookup`, so the address checked is the one connected to.
 * Redirects are not followed.
 */
export function createWebhookSender(options: HttpWebhookOptions = {}): WebhookSender {
  const allowHosts = options.allowHosts ?? [];
  const lookup = publicLookup(allowHosts);
  return {
    async deliver(d) {
      const url = new URL(d.url);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new DeliveryError(`webhook URL must be http(s), not ${url.protocol}`);
      }
      const host = hostOf(url);
      if (isIP(host) !== 0 && !allowHosts.includes(host) && !isPublicAddress(host)) {
        throw new DeliveryError(new NonPublicAddressError(host, host).message);
      }
      const contentType = d.contentType ?? 'application/json';
      // The FHIR form holds patient data: https only, but for a host the operator named.
      if (contentType === FHIR_JSON && url.protocol === 'http:' && !allowHosts.includes(host)) {
        throw new DeliveryError(`a FHIR webhook needs an https URL (host ${host})`);
      }
      const timestamp = Math.floor(d.now.getTime() / 1000);
      const status = await post(url, {
        body: d.body,
        lookup,
        timeoutMs: options.timeoutMs ?? 10_000,
        headers: {
          'content-type': contentType,
          'user-agent': 'Needlecare-Webhooks/1',
          [EVENT_ID_HEADER]: d.eventId,
          'idempotency-key': d.eventId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(d.secret, timestamp, d.body),
        },
      });
      if (status < 200 || status >= 300) {
        throw new DeliveryError(`webhook answered ${status}`, status);
      }
    },
  };
}

function post(
  url: URL,
  o: {
    body: string;
    headers: Record<string, string>;
    lookup: ReturnType<typeof publicLookup>;
    timeoutMs: number;
  },
): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...o.headers, 'content-length': String(Buffer.byteLength(o.body)) },
        lookup: o.lookup as unknown as LookupFunction,
        timeout: o.timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new DeliveryError('webhook timed out')));
    req.on('error', (error) =>
      reject(error instanceof DeliveryError ? error : new DeliveryError(error.message)),
    );
    req.end(o.body);
  });
}
