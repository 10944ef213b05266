import { readableStoredEtag, recordingFailure, requestSettings, type ChannelDependencies } from '../channel-options.js';
import { deserializeReleases, serializeReleases } from '../github-releases/stored.js';
import { ChannelError, type Release, type ReleaseChannel } from '../release.js';
import { FeedClient } from './client.js';
import { parseAtomFeed } from './feed.js';

export interface GitHubAtomOptions extends ChannelDependencies {
  /** GitHub's web root, which serves the feed; default `https://github.com`. */
  webUrl?: string;
  /** `owner/name`; default `juanfont/headscale`. */
  repository?: string;
}

/**
 * Headscale releases from GitHub's releases Atom feed, `<webUrl>/<owner>/<repo>/releases.atom`.
 * It is a second channel beside the REST API, served by the web host rather than the API host,
 * so it stays readable when the API fails or its request quota is spent. It lists only the
 * newest releases without assets or the prerelease flag, so it can show that a release exists
 * but cannot supply its files. The list is stored in channel_state in the format of
 * `serializeReleases`, with the feed's ETag.
 *
 * NOTE: GitHub does not document this feed. The entry count (about 10), its rate limits and its
 * ETag behaviour were not verified against github.com.
 */
export class GitHubAtomChannel implements ReleaseChannel {
  static readonly id = 'github-atom';
  readonly id = GitHubAtomChannel.id;

  private readonly client: FeedClient;
  private readonly feedUrl: string;

  constructor(private readonly options: GitHubAtomOptions) {
    const webUrl = (options.webUrl ?? 'https://github.com').replace(/\/+$/, '');
    const repository = options.repository ?? 'juanfont/headscale';
    if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) {
      throw new Error(`invalid GitHub repository "${repository}": expected "owner/name", e.g. juanfont/headscale in channels.github.repository`);
    }

    this.feedUrl = `${webUrl}/${repository}/releases.atom`;
    this.client = new FeedClient({ channel: this.id, repository, ...requestSettings(options) });
  }

  /**
   * Fetches and parses the feed and stores the list with its ETag. Returns null when the feed is
   * unchanged (HTTP 304). Records a failure and throws ChannelError when the feed cannot be read.
   */
  async fetchReleases(): Promise<Release[] | null> {
    return recordingFailure(this.id, this.options, () => this.fetchFeed(), (error) => error instanceof ChannelError);
  }

  private async fetchFeed(): Promise<Release[] | null> {
    const response = await this.client.get(this.feedUrl, this.storedEtag());
    if (response.status === 304) {
      this.options.state.recordSuccess(this.id, this.options.clock.now());
      return null;
    }

    const parsed = parseAtomFeed(response.body, this.feedUrl);
    if (!parsed.ok) {
      throw new ChannelError(this.id, 'invalid-response', `${new URL(this.feedUrl).host} returned an invalid releases feed at ${this.feedUrl}: ${parsed.error}`);
    }

    this.options.state.recordSuccess(this.id, this.options.clock.now(), { etag: response.etag, data: serializeReleases(parsed.releases) });
    return parsed.releases;
  }

  private storedEtag(): string | null {
    return readableStoredEtag(this.id, this.options, deserializeReleases, 'ignoring unreadable stored feed releases');
  }
}
