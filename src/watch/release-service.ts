import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { ChannelStateRepository } from '../store/channel-state.js';
import { deserializeReleases } from './github-releases/stored.js';
import { ChannelError, type Release, type ReleaseChannel, type ReleaseList, type ReleaseSource } from './release.js';
import { loadReleaseSnapshot } from './snapshot/index.js';

export interface LoadReleasesOptions {
  channel: ReleaseChannel;
  state: ChannelStateRepository;
  clock: Clock;
  logger: Logger;
  /** Skips the channel and uses the cached list, or the shipped snapshot when nothing is cached. */
  offline?: boolean;
}

/**
 * Loads the release list from the best source available. The live channel comes first, and a 304
 * from it reuses the stored list while still counting as live. When the channel fails with a
 * ChannelError, the list it last stored is used, and when nothing is stored, the snapshot shipped
 * with headsup. Errors other than ChannelError are bugs and propagate.
 *
 * The stored list is read in the format that `serializeReleases` writes, which is what
 * GitHubReleasesChannel stores.
 */
export async function loadReleases(options: LoadReleasesOptions): Promise<ReleaseList> {
  const { channel, clock, logger } = options;
  if (options.offline) return fallBack(options, `offline mode, ${channel.id} not contacted`);

  let fresh: Release[] | null;
  try {
    fresh = await channel.fetchReleases();
  } catch (error) {
    if (!(error instanceof ChannelError)) throw error;

    logger.warn({ channel: channel.id, kind: error.kind, retryAt: error.retryAt, reason: error.message }, 'release channel failed, falling back');
    return fallBack(options, error.message);
  }

  const source: ReleaseSource = { kind: 'channel', channel: channel.id, fetchedAt: clock.now() };
  if (fresh) return { releases: fresh, source };

  const stored = readStored(options);
  if (stored) return { releases: stored.releases, source };

  logger.warn({ channel: channel.id }, 'channel reported no change but no release list is stored, using the snapshot');
  return fromSnapshot(`${channel.id} reported no change but no release list is stored`);
}

/** Describes a source for people, e.g. "offline snapshot of 2026-07-21 (api.github.com unreachable: …)". */
export function describeSource(source: ReleaseSource): string {
  switch (source.kind) {
    case 'channel':
      return `${source.channel}, fetched ${formatTime(source.fetchedAt)}`;
    case 'cached':
      return `cached ${source.channel} list of ${formatTime(source.fetchedAt)} (${source.reason})`;
    case 'snapshot':
      return `offline snapshot of ${source.snapshotDate} (${source.reason})`;
    case 'combined': {
      // e.g. "github-atom, fetched …, adding v0.30.0 to the cached github-releases list of … (…)"
      const lead = source.live ? `${source.channel}, fetched ${formatTime(source.fetchedAt)}` : `cached ${source.channel} list of ${formatTime(source.fetchedAt)}`;
      const relation = source.addedTags.length > 0 ? `adding ${source.addedTags.join(', ')} to` : 'with no release beyond';
      const article = source.base.kind === 'channel' ? '' : 'the ';
      return `${lead}, ${relation} ${article}${describeSource(source.base)}`;
    }
  }
}

function fallBack(options: LoadReleasesOptions, reason: string): ReleaseList {
  const stored = readStored(options);
  if (stored) {
    return { releases: stored.releases, source: { kind: 'cached', channel: options.channel.id, fetchedAt: stored.fetchedAt, reason } };
  }
  return fromSnapshot(reason);
}

function fromSnapshot(reason: string): ReleaseList {
  const snapshot = loadReleaseSnapshot();
  return { releases: snapshot.releases, source: { kind: 'snapshot', snapshotDate: snapshot.snapshotDate, reason } };
}

/** Reads the channel's last good list and when it was confirmed; null when none is stored or it cannot be read. */
function readStored({ channel, state, logger }: LoadReleasesOptions): { releases: Release[]; fetchedAt: Date } | null {
  const stored = state.get(channel.id);
  if (!stored?.data || !stored.lastSuccessAt) return null;

  try {
    return { releases: deserializeReleases(stored.data), fetchedAt: stored.lastSuccessAt };
  } catch (error) {
    logger.warn({ channel: channel.id, err: error }, 'ignoring unreadable stored release list');
    return null;
  }
}

/** Formats a time as ISO 8601 UTC to the second, e.g. `2026-07-21T09:30:00Z`. */
function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
