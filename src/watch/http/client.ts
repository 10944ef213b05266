import type { Clock } from '../../platform/clock.js';
import { DEFAULT_HTTP_TIMEOUT_MS, type HttpClient } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import { ChannelError } from '../release.js';
import { retryDelay, type RetryPolicy } from '../retry.js';
import { classifyResponse, type AttemptOutcome, type ServiceHints } from './responses.js';
import { transportFailure } from './transport.js';

export interface JsonApiClientOptions {
  channel: string;
  /** Names the requests in log messages, e.g. "GitHub releases request". */
  requestName: string;
  /** Sent with every request. They may hold a token, so they are never logged or put in messages. */
  headers: Readonly<Record<string, string>>;
  hints: ServiceHints;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  /** Bound of each request, body included; the HTTP client's default when unset. */
  timeoutMs?: number;
  retryPolicy: RetryPolicy;
}

export interface JsonRequest {
  url: string;
  /** Default `GET`; a `POST` sends `body` as JSON. */
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Sent as `If-None-Match`, so an unchanged resource costs a 304 without a body. */
  etag?: string | null;
}

/** A successful request: the parsed body with its `ETag` and `Link` headers, or 304 Not Modified. */
export type JsonResponse = { status: 200; json: unknown; etag: string | null; link: string | null } | { status: 304 };

/**
 * Sends requests to a JSON API for one channel, retrying timeouts, network errors, 5xx and short
 * `retry-after` waits as the retry policy allows. Throws ChannelError for every other failure:
 * `rate-limited` with `retryAt`, `temporary` once retries are spent, `invalid-response` for
 * malformed JSON or an unexpected status, and `unauthorized` or `not-found` with the service's hints.
 */
export class JsonApiClient {
  constructor(private readonly options: JsonApiClientOptions) {}

  async request(request: JsonRequest): Promise<JsonResponse> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(request);

      if (outcome.kind === 'ok') return { status: 200, json: outcome.json, etag: outcome.etag, link: outcome.link };
      if (outcome.kind === 'not-modified') return { status: 304 };
      if (outcome.kind === 'fail') throw outcome.error;

      const delayMs = retryDelay(outcome.failure, attempt, this.options.retryPolicy);
      const fields = { channel: this.options.channel, url: request.url, attempt, status: outcome.status, reason: outcome.reason };
      if (delayMs === null) {
        this.options.logger.warn(fields, `giving up on ${this.options.requestName}`);
        throw this.giveUp(outcome, attempt);
      }

      this.options.logger.warn({ ...fields, delayMs }, `retrying ${this.options.requestName}`);
      await this.options.clock.sleep(delayMs);
    }
  }

  private async attempt(request: JsonRequest): Promise<AttemptOutcome> {
    const host = new URL(request.url).host;
    const method = request.method ?? 'GET';
    let response: Response;
    let body: string;

    try {
      const init = { method, headers: this.headers(request), timeoutMs: this.options.timeoutMs };
      response = await this.options.http.fetch(request.url, method === 'POST' ? { ...init, body: JSON.stringify(request.body ?? {}) } : init);
      body = response.status === 304 ? '' : await response.text();
    } catch (error) {
      return transportFailure(error, host, this.options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS, this.options.channel);
    }

    const context = { channel: this.options.channel, host, hints: this.options.hints, now: this.options.clock.now() };
    return classifyResponse({ status: response.status, headers: response.headers, body }, context);
  }

  private headers(request: JsonRequest): Record<string, string> {
    const headers = { ...this.options.headers };
    if (request.method === 'POST') headers['Content-Type'] = 'application/json';
    if (request.etag) headers['If-None-Match'] = request.etag;
    return headers;
  }

  private giveUp(outcome: Extract<AttemptOutcome, { kind: 'retry' }>, attempts: number): ChannelError {
    if (outcome.failure.kind === 'rate-limited') {
      return new ChannelError(this.options.channel, 'rate-limited', outcome.reason, { retryAt: outcome.retryAt });
    }
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    return new ChannelError(this.options.channel, 'temporary', `${outcome.reason}, gave up after ${tries}`);
  }
}
