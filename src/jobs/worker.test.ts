import { describe, expect, it } from 'vitest';
import { retryDelayMs, scrubError } from './worker.ts';

describe('retryDelayMs', () => {
  const cases: Array<[number, number, number]> = [
    // attempts, random, expected ms (base 30 s, cap 1 h; half fixed, half jitter)
    [1, 0, 15_000],
    [1, 0.999999, 30_000],
    [2, 0.5, 45_000],
    [3, 0, 60_000],
    [7, 0, 960_000],
    [8, 0, 1_800_000],
    [9, 1, 3_600_000],
    [30, 0, 1_800_000],
  ];
  it.each(cases)('attempt %i, random %f → %i ms', (attempts, random, expected) => {
    expect(retryDelayMs(attempts, 30_000, 3_600_000, () => random)).toBe(Math.round(expected));
  });
});

describe('scrubError', () => {
  it('keeps the reason, drops addresses and phone numbers, adds the cause code', () => {
    const error = Object.assign(
      new Error('550 mailbox <rosa@example.test> unknown, call +34 600 111 222'),
      {
        cause: { code: 'EENVELOPE' },
      },
    );
    expect(scrubError(error)).toBe('550 mailbox <[address]> unknown, call [number] (EENVELOPE)');
  });
  it('handles non-errors', () => {
    expect(scrubError('boom')).toBe('boom');
  });
  it('keeps the failing host and port', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), {
      code: 'ESOCKET',
    });
    expect(scrubError(refused)).toBe('connect ECONNREFUSED 127.0.0.1:2525 (ESOCKET)');
    expect(scrubError(new Error('timeout talking to 10.0.0.12, call 0034 600 111 222'))).toBe(
      'timeout talking to 10.0.0.12, call [number]',
    );
    expect(scrubError(new Error('getaddrinfo ENOTFOUND smtp.example.test:587'))).toBe(
      'getaddrinfo ENOTFOUND smtp.example.test:587',
    );
  });
});
