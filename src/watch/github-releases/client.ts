import type { Clock } from '../../platform/clock.js';
import type { HttpClient } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import { JsonApiClient, type JsonResponse } from '../http/client.js';
import { gitHubHeaders } from '../http/github.js';
import type { RetryPolicy } from '../retry.js';
import { releaseHints } from './responses.js';

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
export type ApiResponse = JsonResponse;

/**
 * GETs GitHub REST API URLs of the release list with the headers GitHub recommends, retrying as
 * JsonApiClient does. Throws ChannelError with hints that name the repository.
 */
export class GitHubApiClient {
  private readonly client: JsonApiClient;

  constructor(options: GitHubApiClientOptions) {
    this.client = new JsonApiClient({
      channel: options.channel,
      requestName: 'GitHub releases request',
      headers: gitHubHeaders(options.token),
      hints: releaseHints({ repository: options.repository, hasToken: Boolean(options.token), tokenSource: options.tokenSource }),
      http: options.http,
      clock: options.clock,
      logger: options.logger,
      timeoutMs: options.timeoutMs,
      retryPolicy: options.retryPolicy,
    });
  }

  /** GETs `url`; with `etag`, sends `If-None-Match` so that an unchanged resource costs a free 304. */
  async get(url: string, etag: string | null = null): Promise<ApiResponse> {
    return this.client.request({ url, etag });
  }
}
