/**
 * GitHub's rate-limit signals on a response, as documented for the REST API version 2022-11-28:
 * `x-ratelimit-remaining` and `x-ratelimit-reset` (UTC epoch seconds) for the primary limit, and
 * `retry-after` (seconds) for secondary limits.
 */
export interface RateLimitSignals {
  /** True when `x-ratelimit-remaining` is 0, so no request succeeds before `resetAt`. */
  exhausted: boolean;
  resetAt: Date | null;
  /** The wait that `retry-after` requests, in milliseconds; null without that header. */
  retryAfterMs: number | null;
}

/** Reads the rate-limit headers of a response; `now` converts an HTTP-date `retry-after` to a wait. */
export function readRateLimit(headers: Headers, now: Date): RateLimitSignals {
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);

  return {
    exhausted: remaining !== null && remaining.trim() === '0',
    resetAt: Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : null,
    retryAfterMs: parseRetryAfter(headers.get('retry-after'), now),
  };
}

/** Parses `retry-after` as delay seconds or as an HTTP-date (RFC 9110, section 10.2.3). */
function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null || value.trim() === '') return null;

  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;

  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now.getTime());
}

/**
 * Tells whether a 403 body is GitHub's secondary-rate-limit message ("You have exceeded a
 * secondary rate limit…"), which can come without any rate-limit header.
 */
export function mentionsRateLimit(body: string): boolean {
  return /rate limit/i.test(body);
}
