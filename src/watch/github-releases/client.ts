import type { Clock } from '../../platform/clock.js';
import { DEFAULT_HTTP_TIMEOUT_MS, isTimeoutError, type HttpClient } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import { ChannelError } from '../release.js';
import { retryDelay, type RetryPolicy } from '../retry.js';
import { classifyResponse, type AttemptOutcome, type ResponseContext } from './responses.js';

export interface GitHubApiClientOptions {
  channel: string;
  repository: string;
  /** A GitHub token; sent only as the `Authorization` header, never logged or put in messages. */
  token?: string;
  /** The origin of the token for hints, e.g. "the environment variable GITHUB_TOKEN". */
  tokenSource: string;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  /** Bound of each request, body included; the HTTP client's default when unset. */
  timeoutMs?: number;
  retryPolicy: RetryPolicy;
}

/** A successful GET: the parsed body with its `ETag` and `Link` headers, or 304 Not Modified. */
export type ApiResponse = { status: 200; json: unknown; etag: string | null; link: string | null } | { status: 304 };

/**
 * GETs GitHub REST API URLs with the headers GitHub recommends, retrying timeouts, network errors,
 * 5xx and short `retry-after` waits as the retry policy allows. Throws ChannelError otherwise.
 */
export class GitHubApiClient {
  constructor(private readonly options: GitHubApiClientOptions) {}

  /** GETs `url`; with `etag`, sends `If-None-Match` so that an unchanged resource costs a free 304. */
  async get(url: string, etag: string | null = null): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(url, etag);

      if (outcome.kind === 'ok') return { status: 200, json: outcome.json, etag: outcome.etag, link: outcome.link };
      if (outcome.kind === 'not-modified') return { status: 304 };
      if (outcome.kind === 'fail') throw outcome.error;

      const delayMs = retryDelay(outcome.failure, attempt, this.options.retryPolicy);
      const fields = { channel: this.options.channel, url, attempt, status: outcome.status, reason: outcome.reason };
      if (delayMs === null) {
        this.options.logger.warn(fields, 'giving up on GitHub releases request');
        throw this.giveUp(outcome, attempt);
      }

      this.options.logger.warn({ ...fields, delayMs }, 'retrying GitHub releases request');
      await this.options.clock.sleep(delayMs);
    }
  }

  private async attempt(url: string, etag: string | null): Promise<AttemptOutcome> {
    const context = this.context(url);
    let response: Response;
    let body: string;

    try {
      response = await this.options.http.fetch(url, { headers: this.headers(etag), timeoutMs: this.options.timeoutMs });
      body = response.status === 304 ? '' : await response.text();
    } catch (error) {
      return transportFailure(error, context.host, this.options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS, context.channel);
    }

    return classifyResponse({ status: response.status, headers: response.headers, body }, context);
  }

  private headers(etag: string | null): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'headsup',
    };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    if (etag) headers['If-None-Match'] = etag;
    return headers;
  }

  private context(url: string): ResponseContext {
    return {
      channel: this.options.channel,
      host: new URL(url).host,
      repository: this.options.repository,
      hasToken: Boolean(this.options.token),
      tokenSource: this.options.tokenSource,
      now: this.options.clock.now(),
    };
  }

  private giveUp(outcome: Extract<AttemptOutcome, { kind: 'retry' }>, attempts: number): ChannelError {
    if (outcome.failure.kind === 'rate-limited') {
      return new ChannelError(this.options.channel, 'rate-limited', outcome.reason, { retryAt: outcome.retryAt });
    }
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    return new ChannelError(this.options.channel, 'temporary', `${outcome.reason}, gave up after ${tries}`);
  }
}

/**
 * Sorts an error thrown while sending a request or reading its body. Node's fetch reports network
 * failures as a TypeError ("fetch failed", "terminated") with the socket error as `cause`; any
 * other error is a bug and propagates.
 */
function transportFailure(error: unknown, host: string, timeoutMs: number, channel: string): AttemptOutcome {
  if (isTimeoutError(error)) {
    return { kind: 'retry', failure: { kind: 'timeout' }, status: null, reason: `${host} timed out after ${timeoutMs} ms`, retryAt: null };
  }
  if (error instanceof TypeError) {
    const reason = `${host} unreachable: ${describeNetworkError(error)}`;
    // A name that DNS does not know (ENOTFOUND) stays unknown seconds later, typically on a host
    // without internet access. Retrying would only delay the fallback to stored data.
    if (networkErrorCode(error) === 'ENOTFOUND') return { kind: 'fail', error: new ChannelError(channel, 'temporary', reason) };
    return { kind: 'retry', failure: { kind: 'network' }, status: null, reason, retryAt: null };
  }
  throw error;
}

function networkErrorCode(error: TypeError): string | undefined {
  return (error.cause as { code?: string } | undefined)?.code;
}

/** Extracts the socket error behind a fetch TypeError; an AggregateError (one per address tried) may have only a `code`. */
function describeNetworkError(error: TypeError): string {
  const cause = error.cause as (Error & { code?: string }) | undefined;
  if (!(cause instanceof Error)) return error.message;
  return cause.message || cause.code || error.message;
}
