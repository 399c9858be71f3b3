import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhooks.ts';

const SECRET = 'whsec_test_0123456789';
const BODY = '{"id":"evt_1","type":"alert.created"}';
const NOW = new Date('2026-11-25T10:00:00.000Z');
const TS = Math.floor(NOW.getTime() / 1000);

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, prefixed v1=', () => {
    const expected = createHmac('sha256', SECRET).update(`${TS}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, TS, BODY)).toBe(`v1=${expected}`);
  });

  const good = {
    secret: SECRET,
    body: BODY,
    timestamp: String(TS),
    signature: signWebhook(SECRET, TS, BODY),
    now: NOW,
  };
  const cases: Array<
    [string, Partial<typeof good> & { toleranceSeconds?: number }, string | true]
  > = [
    ['valid', {}, true],
    ['4 min 59 s late', { now: new Date(NOW.getTime() + 299_000) }, true],
    ['past the 5 min replay window', { now: new Date(NOW.getTime() + 301_000) }, 'stale'],
    ['from the future beyond the window', { now: new Date(NOW.getTime() - 301_000) }, 'stale'],
    ['custom window', { now: new Date(NOW.getTime() + 61_000), toleranceSeconds: 60 }, 'stale'],
    ['body changed', { body: `${BODY} ` }, 'mismatch'],
    [
      'timestamp changed',
      { timestamp: String(TS + 1), now: new Date((TS + 1) * 1000) },
      'mismatch',
    ],
    ['wrong secret', { secret: 'whsec_other_0123456789' }, 'mismatch'],
    ['missing signature', { signature: undefined as unknown as string }, 'missing'],
    ['non-numeric timestamp', { timestamp: '12abc' }, 'missing'],
    [
      'one of several signatures (rotation)',
      { signature: `v1=deadbeef, ${signWebhook(SECRET, TS, BODY)}` },
      true,
    ],
  ];
  it.each(cases)('%s', (_name, change, expected) => {
    const result = verifyWebhookSignature({ ...good, ...change });
    expect(result.ok ? true : result.reason).toBe(expected);
  });
});
