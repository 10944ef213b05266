import { describe, expect, it } from 'vitest';
import { retryDelay, type RetryableFailure, type RetryPolicy } from './retry.js';

const policy: RetryPolicy = { maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 3_000, maxRetryAfterMs: 60_000 };

describe('retryDelay', () => {
  const cases: { name: string; failure: RetryableFailure; attempt: number; expected: number | null }[] = [
    { name: 'timeout, first retry', failure: { kind: 'timeout' }, attempt: 1, expected: 1_000 },
    { name: 'network, second retry doubles', failure: { kind: 'network' }, attempt: 2, expected: 2_000 },
    { name: '5xx, third retry capped', failure: { kind: 'server-error', status: 502 }, attempt: 3, expected: 3_000 },
    { name: '5xx after the last retry', failure: { kind: 'server-error', status: 503 }, attempt: 4, expected: null },
    { name: 'timeout far past the cap', failure: { kind: 'timeout' }, attempt: 10, expected: null },
    { name: 'short retry-after is waited', failure: { kind: 'rate-limited', retryAfterMs: 5_000 }, attempt: 1, expected: 5_000 },
    { name: 'retry-after at the limit', failure: { kind: 'rate-limited', retryAfterMs: 60_000 }, attempt: 1, expected: 60_000 },
    { name: 'retry-after above the limit', failure: { kind: 'rate-limited', retryAfterMs: 60_001 }, attempt: 1, expected: null },
    { name: 'rate limit without retry-after', failure: { kind: 'rate-limited', retryAfterMs: null }, attempt: 1, expected: null },
    { name: 'retry-after after the last retry', failure: { kind: 'rate-limited', retryAfterMs: 1_000 }, attempt: 4, expected: null },
    { name: 'zero retry-after', failure: { kind: 'rate-limited', retryAfterMs: 0 }, attempt: 2, expected: 0 },
  ];

  it.each(cases)('$name', ({ failure, attempt, expected }) => {
    expect(retryDelay(failure, attempt, policy)).toBe(expected);
  });

  it('gives up at once without retries', () => {
    expect(retryDelay({ kind: 'timeout' }, 1, { ...policy, maxRetries: 0 })).toBeNull();
  });

  it('never exceeds the maximum delay', () => {
    const wide = { ...policy, maxRetries: 40 };

    for (let attempt = 1; attempt <= 40; attempt++) {
      expect(retryDelay({ kind: 'network' }, attempt, wide)).toBeLessThanOrEqual(wide.maxDelayMs);
    }
  });
});
