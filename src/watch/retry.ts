/**
 * Retry policy for channel requests, kept pure so that it can be table-tested: it maps a failure
 * and the number of the attempt that failed to a delay, or to null when the caller should give up.
 */

/** A failure that a later attempt may not repeat. */
export type RetryableFailure =
  | { kind: 'timeout' }
  | { kind: 'network' }
  | { kind: 'server-error'; status: number }
  /** A rate limit; `retryAfterMs` comes from a `retry-after` header and is null without one. */
  | { kind: 'rate-limited'; retryAfterMs: number | null };

export interface RetryPolicy {
  /** Retries after the first attempt; 3 means at most 4 requests. */
  maxRetries: number;
  /** Delay before the first retry, doubled for each further retry. */
  baseDelayMs: number;
  /** Upper bound of the exponential backoff. */
  maxDelayMs: number;
  /** The longest `retry-after` worth waiting for; a longer one gives up so the caller can report when to try again. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Computes the delay in milliseconds before retrying after `attempt` (1 for the first request)
 * failed, or returns null to give up. Gives up once `policy.maxRetries` retries are spent, on a
 * rate limit without `retry-after` (the limit lasts until its reset time), and on a `retry-after`
 * longer than `policy.maxRetryAfterMs`.
 *
 * NOTE: the backoff has no jitter. One headsup process polls one channel at a time, so there is
 * no crowd of clients to spread out.
 */
export function retryDelay(failure: RetryableFailure, attempt: number, policy: RetryPolicy): number | null {
  if (attempt > policy.maxRetries) return null;

  if (failure.kind === 'rate-limited') {
    if (failure.retryAfterMs === null) return null;
    if (failure.retryAfterMs > policy.maxRetryAfterMs) return null;
    return Math.max(0, failure.retryAfterMs);
  }

  const backoff = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(backoff, policy.maxDelayMs);
}
