import type { Clock } from '../../platform/clock.js';
import type { HttpClient } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import type { ChannelStateRepository } from '../../store/channel-state.js';
import { ChannelError, type Release, type ReleaseChannel } from '../release.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry.js';
import { GitHubApiClient } from './client.js';
import { nextPageUrl } from './link.js';
import { parseReleasePage } from './parse.js';
import { deserializeReleases, serializeReleases } from './stored.js';

export interface GitHubReleasesOptions {
  /** REST API root; default `https://api.github.com`. */
  baseUrl?: string;
  /** `owner/name`; default `juanfont/headscale`. */
  repository?: string;
  /** A token the caller read from the environment; never logged or put in messages. */
  token?: string;
  /** The origin of the token for hints; default "the environment variable named by channels.github.token_env". */
  tokenSource?: string;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  state: ChannelStateRepository;
  /** Bound of each request in milliseconds, body included. */
  timeoutMs?: number;
  /** Retries after a failed request; default 3. */
  maxRetries?: number;
  /** Releases per page, 1 to 100 (GitHub's maximum); default 100. */
  perPage?: number;
  /** Pages read before the list counts as invalid; default 50, i.e. 5,000 releases at 100 a page. */
  maxPages?: number;
  /** Backoff settings; `maxRetries` overrides its field. */
  retryPolicy?: RetryPolicy;
}

/**
 * Headscale releases from GitHub's "List releases" endpoint, newest first, all pages. The ETag of
 * the first page is stored with the list, so an unchanged list costs one 304 that does not count
 * against the rate limit.
 *
 * NOTE: only the first page is revalidated. An edit to an older release (say, its notes) that
 * leaves the first page unchanged is not seen until a newer release changes the first page.
 */
export class GitHubReleasesChannel implements ReleaseChannel {
  static readonly id = 'github-releases';
  readonly id = GitHubReleasesChannel.id;

  private readonly client: GitHubApiClient;
  private readonly firstPageUrl: string;
  private readonly origin: string;
  private readonly maxPages: number;

  constructor(private readonly options: GitHubReleasesOptions) {
    const baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    const repository = options.repository ?? 'juanfont/headscale';
    const perPage = Math.min(100, Math.max(1, options.perPage ?? 100));
    if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new Error(`GitHub repository must be "owner/name", got "${repository}"`);

    this.firstPageUrl = `${baseUrl}/repos/${repository}/releases?per_page=${perPage}`;
    this.origin = new URL(baseUrl).origin;
    this.maxPages = options.maxPages ?? 50;
    const retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.client = new GitHubApiClient({
      channel: this.id,
      repository,
      token: options.token,
      tokenSource: options.tokenSource ?? 'the environment variable named by channels.github.token_env',
      http: options.http,
      clock: options.clock,
      logger: options.logger,
      timeoutMs: options.timeoutMs,
      retryPolicy: { ...retryPolicy, maxRetries: options.maxRetries ?? retryPolicy.maxRetries },
    });
  }

  /**
   * Fetches every page and stores the list with the first page's ETag. Returns null when GitHub
   * reports the first page unchanged (HTTP 304). Records a failure and throws ChannelError when
   * the list cannot be read.
   */
  async fetchReleases(): Promise<Release[] | null> {
    try {
      return await this.fetchAllPages();
    } catch (error) {
      this.options.state.recordFailure(this.id, this.options.clock.now(), (error as Error).message);
      throw error;
    }
  }

  private async fetchAllPages(): Promise<Release[] | null> {
    const first = await this.client.get(this.firstPageUrl, this.storedEtag());
    if (first.status === 304) {
      this.options.state.recordSuccess(this.id, this.options.clock.now());
      return null;
    }

    const releases = new Map<string, Release>();
    let page = first;
    for (let pageNumber = 1; ; pageNumber++) {
      this.addPage(releases, page.json, pageNumber);

      const next = nextPageUrl(page.link, this.firstPageUrl);
      if (!next) break;
      this.checkNextPage(next, pageNumber);

      const response = await this.client.get(next);
      if (response.status === 304) throw this.invalid(`${next} returned 304 to a request without If-None-Match`);
      page = response;
    }

    const list = [...releases.values()];
    this.options.state.recordSuccess(this.id, this.options.clock.now(), { etag: first.etag, data: serializeReleases(list) });
    return list;
  }

  /** Adds a page's releases, keeping the first of duplicates that appear when a release is published between pages. */
  private addPage(releases: Map<string, Release>, json: unknown, pageNumber: number): void {
    const parsed = parseReleasePage(json);
    if (!parsed.ok) throw this.invalid(`page ${pageNumber} of the release list from ${new URL(this.origin).host} has an unexpected shape: ${parsed.error}`);

    for (const release of parsed.releases) {
      if (!releases.has(release.tag)) releases.set(release.tag, release);
    }
  }

  /** Stops runaway pagination, and keeps the token from being sent to another host by a forged link. */
  private checkNextPage(next: string, pageNumber: number): void {
    if (new URL(next).origin !== this.origin) throw this.invalid(`the next-page link leads away from ${this.origin}: ${next}`);
    if (pageNumber >= this.maxPages) throw this.invalid(`the release list has more than ${this.maxPages} pages`);
  }

  /** The stored ETag, but only while the stored list is readable: a 304 must have a list to fall back on. */
  private storedEtag(): string | null {
    const stored = this.options.state.get(this.id);
    if (!stored?.etag || !stored.data) return null;

    try {
      deserializeReleases(stored.data);
      return stored.etag;
    } catch (error) {
      this.options.logger.warn({ channel: this.id, err: error }, 'ignoring unreadable stored releases');
      return null;
    }
  }

  private invalid(message: string): ChannelError {
    return new ChannelError(this.id, 'invalid-response', message);
  }
}
