/**
 * Outgoing SMS through a configurable HTTP gateway (docs/sms-gateway.md):
 * `POST <url>` with `Authorization: Bearer <token>`, `Idempotency-Key: <key>` and the JSON body
 * `{ "to": "+34…", "body": "…", "idempotencyKey": "…" }`. Any 2xx is success; anything else
 * (or no answer within the timeout) is a failure the worker retries.
 */
export interface SmsMessage {
  readonly to: string;
  readonly body: string;
  /** Stable across retries: the gateway should send once per key. */
  readonly idempotencyKey: string;
}

export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}

export interface HttpSmsGatewayOptions {
  readonly url: string;
  readonly token: string;
  readonly timeoutMs?: number;
  /** Injected for tests; default the global fetch. */
  readonly fetch?: typeof fetch;
}

export class DeliveryError extends Error {
  /** HTTP status when the receiver answered, else undefined (network error or timeout). */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'DeliveryError';
    this.status = status;
  }
}

export function createHttpSmsGateway(options: HttpSmsGatewayOptions): SmsSender {
  const doFetch = options.fetch ?? fetch;
  return {
    async send(message) {
      const response = await doFetch(options.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': 'application/json',
          'idempotency-key': message.idempotencyKey,
          'user-agent': 'Needlecare-SMS/1',
        },
        body: JSON.stringify({
          to: message.to,
          body: message.body,
          idempotencyKey: message.idempotencyKey,
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) {
        throw new DeliveryError(`SMS gateway answered ${response.status}`, response.status);
      }
    },
  };
}

/** An `SmsSender` for when no gateway is configured: every send fails, visibly. */
export function unconfiguredSms(): SmsSender {
  return {
    send: () => Promise.reject(new DeliveryError('no SMS gateway configured (SMS_GATEWAY_URL)')),
  };
}
