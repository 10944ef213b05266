import type { Version } from '../judge/version.js';

/** One downloadable file of a release. */
export interface ReleaseAsset {
  name: string;
  url: string;
  size: number | null;
  /** GitHub's asset digest, `sha256:<hex>`, when the API provides one. */
  digest: string | null;
}

export interface Release {
  version: Version;
  tag: string;
  /** When the release was published; null when the source does not record it. */
  publishedAt: Date | null;
  prerelease: boolean;
  /** Release notes in Markdown; empty when the source has none. */
  body: string;
  htmlUrl: string | null;
  assets: ReleaseAsset[];
}

/** The origin of a list of releases taken from one place. */
export type SingleReleaseSource =
  | { kind: 'channel'; channel: string; fetchedAt: Date }
  | { kind: 'cached'; channel: string; fetchedAt: Date; reason: string }
  | { kind: 'snapshot'; snapshotDate: string; reason: string };

/**
 * The origin of a list of releases. `combined` is a list from `base` plus the releases that only
 * a second channel lists (`addedTags`). That channel was polled at `fetchedAt` when `live` is
 * true, else its list was stored then.
 */
export type ReleaseSource =
  | SingleReleaseSource
  | { kind: 'combined'; base: SingleReleaseSource; channel: string; fetchedAt: Date; live: boolean; addedTags: string[] };

export interface ReleaseList {
  releases: Release[];
  source: ReleaseSource;
}

/**
 * A source of Headscale releases. `fetchReleases` returns null when the channel reports no change
 * since the stored state (HTTP 304), and throws a ChannelError when the request fails.
 */
export interface ReleaseChannel {
  readonly id: string;
  fetchReleases(): Promise<Release[] | null>;
}

export type ChannelFailureKind = 'temporary' | 'rate-limited' | 'invalid-response' | 'unauthorized' | 'not-found';

/** A channel failure sorted where it entered: temporary ones may succeed later, the rest need a fix. */
export class ChannelError extends Error {
  readonly kind: ChannelFailureKind;
  readonly channel: string;
  /** When a rate limit lifts, if the server sent that time. */
  readonly retryAt: Date | null;

  constructor(channel: string, kind: ChannelFailureKind, message: string, options: { retryAt?: Date | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ChannelError';
    this.channel = channel;
    this.kind = kind;
    this.retryAt = options.retryAt ?? null;
  }
}
