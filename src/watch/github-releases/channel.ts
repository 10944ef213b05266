import {
  DEFAULT_TOKEN_SOURCE,
  readableStoredEtag,
  recordingFailure,
  requestSettings,
  type ChannelDependencies,
  type GitHubTokenOptions,
} from '../channel-options.js';
import { readLinkedPages } from '../http/link-pages.js';
import { ChannelError, type Release, type ReleaseChannel } from '../release.js';
import { GitHubApiClient } from './client.js';
import { parseReleasePage } from './parse.js';
import { deserializeReleases, serializeReleases } from './stored.js';

export interface GitHubReleasesOptions extends ChannelDependencies, GitHubTokenOptions {
  /** REST API root; default `https://api.github.com`. */
  baseUrl?: string;
  /** `owner/name`; default `juanfont/headscale`. */
  repository?: string;
  /** Releases per page, 1 to 100 (GitHub's maximum); default 100. */
  perPage?: number;
  /** Pages read before the list counts as invalid; default 50, i.e. 5,000 releases at 100 a page. */
  maxPages?: number;
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
    this.client = new GitHubApiClient({
      channel: this.id,
      repository,
      token: options.token,
      tokenSource: options.tokenSource ?? DEFAULT_TOKEN_SOURCE,
      ...requestSettings(options),
    });
  }

  /**
   * Fetches every page and stores the list with the first page's ETag. Returns null when GitHub
   * reports the first page unchanged (HTTP 304). Records a failure and throws ChannelError when
   * the list cannot be read.
   */
  async fetchReleases(): Promise<Release[] | null> {
    return recordingFailure(this.id, this.options, () => this.fetchAllPages());
  }

  private async fetchAllPages(): Promise<Release[] | null> {
    const releases = new Map<string, Release>();
    const read = await readLinkedPages({
      channel: this.id,
      firstPageUrl: this.firstPageUrl,
      etag: this.storedEtag(),
      maxPages: this.maxPages,
      listName: 'the release list',
      get: (url, etag) => this.client.get(url, etag),
      addPage: (json, pageNumber) => this.addPage(releases, json, pageNumber),
    });
    if (!read) {
      this.options.state.recordSuccess(this.id, this.options.clock.now());
      return null;
    }

    const list = [...releases.values()];
    this.options.state.recordSuccess(this.id, this.options.clock.now(), { etag: read.etag, data: serializeReleases(list) });
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

  private storedEtag(): string | null {
    return readableStoredEtag(this.id, this.options, deserializeReleases, 'ignoring unreadable stored releases');
  }

  private invalid(message: string): ChannelError {
    return new ChannelError(this.id, 'invalid-response', message);
  }
}
