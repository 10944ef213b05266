import type { Clock } from '../../platform/clock.js';
import { DEFAULT_HTTP_TIMEOUT_MS, isTimeoutError, type HttpClient } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import { ChannelError, type ChannelFailureKind } from '../release.js';
import { retryDelay, type RetryableFailure, type RetryPolicy } from '../retry.js';

export interface FeedClientOptions {
  channel: string;
  repository: string;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  /** Bound of each request, body included; the HTTP client's default when unset. */
  timeoutMs?: number;
  retryPolicy: RetryPolicy;
}

/** A successful GET of the feed, or 304 Not Modified. */
export type FeedResponse = { status: 200; body: string; etag: string | null } | { status: 304 };

type Outcome =
  | { kind: 'ok'; body: string; etag: string | null }
  | { kind: 'not-modified' }
  | { kind: 'retry'; failure: RetryableFailure; reason: string }
  | { kind: 'fail'; error: ChannelError };

/**
 * GETs the feed from GitHub's web host, retrying timeouts, network errors, 5xx and short
 * `retry-after` waits as the retry policy allows. Throws ChannelError otherwise. Sends no token:
 * github.com serves the feed of a public repository without one.
 */
export class FeedClient {
  constructor(private readonly options: FeedClientOptions) {}

  /** GETs `url`; with `etag`, sends `If-None-Match` so that an unchanged feed comes back as 304. */
  async get(url: string, etag: string | null): Promise<FeedResponse> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(url, etag);

      if (outcome.kind === 'ok') return { status: 200, body: outcome.body, etag: outcome.etag };
      if (outcome.kind === 'not-modified') return { status: 304 };
      if (outcome.kind === 'fail') throw outcome.error;

      const delayMs = retryDelay(outcome.failure, attempt, this.options.retryPolicy);
      const fields = { channel: this.options.channel, url, attempt, reason: outcome.reason };
      if (delayMs === null) {
        this.options.logger.warn(fields, 'giving up on GitHub releases feed request');
        throw this.giveUp(outcome, attempt);
      }

      this.options.logger.warn({ ...fields, delayMs }, 'retrying GitHub releases feed request');
      await this.options.clock.sleep(delayMs);
    }
  }

  private async attempt(url: string, etag: string | null): Promise<Outcome> {
    const host = new URL(url).host;
    const headers: Record<string, string> = { Accept: 'application/atom+xml', 'User-Agent': 'headsup' };
    if (etag) headers['If-None-Match'] = etag;

    let response: Response;
    let body: string;
    try {
      response = await this.options.http.fetch(url, { headers, timeoutMs: this.options.timeoutMs });
      body = response.status === 304 ? '' : await response.text();
    } catch (error) {
      return this.transportFailure(error, host);
    }

    return this.classify(response, body, host);
  }

  private classify(response: Response, body: string, host: string): Outcome {
    const { status } = response;
    if (status === 200) return { kind: 'ok', body, etag: response.headers.get('etag') };
    if (status === 304) return { kind: 'not-modified' };
    if (status >= 500) return { kind: 'retry', failure: { kind: 'server-error', status }, reason: `${host} returned HTTP ${status}` };

    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.options.clock.now());
    if (status === 429 || (status === 403 && retryAfterMs !== null)) {
      return { kind: 'retry', failure: { kind: 'rate-limited', retryAfterMs }, reason: `${host} rate limited the feed (HTTP ${status})` };
    }

    const feed = `the releases feed of ${this.options.repository}`;
    if (status === 404) return this.fail('not-found', `${feed} was not found at ${host} (HTTP 404); check the repository name in channels.github.repository`);
    if (status === 401 || status === 403) return this.fail('unauthorized', `${host} denied access to ${feed} (HTTP ${status}); the feed works only for public repositories`);
    return this.fail('invalid-response', `${host} returned unexpected HTTP ${status} for ${feed}`);
  }

  /**
   * Sorts an error thrown while sending the request or reading the body. Node's fetch reports
   * network failures as a TypeError with the socket error as `cause`; anything else is a bug.
   */
  private transportFailure(error: unknown, host: string): Outcome {
    if (isTimeoutError(error)) {
      return { kind: 'retry', failure: { kind: 'timeout' }, reason: `${host} timed out after ${this.options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS} ms` };
    }
    if (!(error instanceof TypeError)) throw error;

    const cause = error.cause as (Error & { code?: string }) | undefined;
    const reason = `${host} unreachable: ${cause instanceof Error ? cause.message || cause.code || error.message : error.message}`;
    // A name that DNS does not know stays unknown seconds later, so retrying only delays the fallback.
    if (cause?.code === 'ENOTFOUND') return this.fail('temporary', reason);
    return { kind: 'retry', failure: { kind: 'network' }, reason };
  }

  private giveUp(outcome: Extract<Outcome, { kind: 'retry' }>, attempts: number): ChannelError {
    if (outcome.failure.kind === 'rate-limited') {
      const { retryAfterMs } = outcome.failure;
      const retryAt = retryAfterMs === null ? null : new Date(this.options.clock.now().getTime() + retryAfterMs);
      const until = retryAt ? ` until ${retryAt.toISOString()}` : '';
      return new ChannelError(this.options.channel, 'rate-limited', `${outcome.reason}${until}`, { retryAt });
    }
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    return new ChannelError(this.options.channel, 'temporary', `${outcome.reason}, gave up after ${tries}`);
  }

  private fail(kind: ChannelFailureKind, message: string): Outcome {
    return { kind: 'fail', error: new ChannelError(this.options.channel, kind, message) };
  }
}

/** Parses `retry-after` as delay seconds or as an HTTP-date (RFC 9110, section 10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;

  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}
