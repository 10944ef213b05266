import { compareVersions } from '../judge/version.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { ChannelStateRepository } from '../store/channel-state.js';
import { deserializeReleases } from './github-releases/stored.js';
import { ChannelError, type ChannelFailureKind, type Release, type ReleaseChannel, type ReleaseList, type SingleReleaseSource } from './release.js';
import { loadReleaseSnapshot } from './snapshot/index.js';
import { latestAttemptError } from './staleness.js';

export interface RedundantLoadOptions {
  /** The complete channel, with assets and the prerelease flag: the REST API. */
  primary: ReleaseChannel;
  /** A channel that lists only the newest releases, without assets: the Atom feed. */
  secondary: ReleaseChannel;
  state: ChannelStateRepository;
  clock: Clock;
  logger: Logger;
  /** Contacts neither channel and uses what they stored, or the snapshot. */
  offline?: boolean;
}

export type ChannelStatus = 'ok' | 'not-modified' | 'failed' | 'skipped';

/** The outcome of one channel in this load. */
export interface ChannelReport {
  id: string;
  /** `not-modified` is an HTTP 304 response; `skipped` means offline mode. */
  status: ChannelStatus;
  lastSuccessAt: Date | null;
  /** This load's error when it failed; for a skipped channel, the error of its latest attempt. Otherwise null. */
  lastError: string | null;
  failureKind: ChannelFailureKind | null;
  /** When a rate limit lifts, if the channel reported it. */
  retryAt: Date | null;
}

/** A release within the secondary channel's window that one channel lists and the other does not. */
export interface MissingRelease {
  tag: string;
  missingFrom: string;
}

/**
 * The comparison of the two channels' lists, made only when both returned a current list.
 * `since` is the oldest `updated` time among the secondary channel's entries.
 */
export type CrossCheckReport = { status: 'compared'; since: Date; missing: MissingRelease[] } | { status: 'not-compared'; reason: string };

export interface RedundantReleaseList {
  list: ReleaseList;
  crossCheck: CrossCheckReport;
  channels: ChannelReport[];
}

/** One channel's outcome; `releases` is null when a 304 came but nothing readable is stored. */
type Poll =
  | { status: 'ok' | 'not-modified'; releases: Release[] | null; fetchedAt: Date }
  | { status: 'failed'; error: ChannelError }
  | { status: 'skipped' };

/** A list from one place with its source, before the secondary channel's releases are added. */
interface Base {
  releases: Release[];
  source: SingleReleaseSource;
  /** The time its data was current, to tell whether the secondary's stored list is newer. */
  asOf: Date;
}

/**
 * Loads releases from two channels and compares them. The primary channel's list is used
 * whenever it has a current one (live, or stored and confirmed by a 304). The secondary channel
 * then only adds the releases the primary lacks. Those come without assets, so `upgrade` cannot
 * install them. They are named in `source.addedTags`, so `check` shows them.
 *
 * When the primary fails, its stored list (else the shipped snapshot) is used, with the
 * secondary's releases added. The secondary's list counts when it is live, or when its stored
 * list is newer than the stored list it would extend. An older one could bring back a release
 * that was deleted since. Errors other than ChannelError are bugs and propagate.
 */
export async function loadReleasesRedundant(options: RedundantLoadOptions): Promise<RedundantReleaseList> {
  const [primary, secondary] = options.offline
    ? [{ status: 'skipped' } as const, { status: 'skipped' } as const]
    : await Promise.all([poll(options.primary, options), poll(options.secondary, options)]);

  const channels = [report(options.primary.id, primary, options.state), report(options.secondary.id, secondary, options.state)];
  const current = currentList(primary);
  if (current) {
    const base: Base = { releases: current.releases, source: { kind: 'channel', channel: options.primary.id, fetchedAt: current.fetchedAt }, asOf: current.fetchedAt };
    const secondaryCurrent = currentList(secondary);
    const crossCheck: CrossCheckReport = secondaryCurrent
      ? compareLists(current.releases, secondaryCurrent.releases, { primary: options.primary.id, secondary: options.secondary.id }, options.logger)
      : { status: 'not-compared', reason: unusableReason(options.secondary.id, secondary) };
    return { list: combine(base, secondaryFor(secondary, options, base), options), crossCheck, channels };
  }

  const reason = fallbackReason(options, primary, secondary);
  const base = storedBase(options.primary.id, options, reason);
  const crossCheck: CrossCheckReport = { status: 'not-compared', reason };
  return { list: combine(base, secondaryFor(secondary, options, base), options), crossCheck, channels };
}

/**
 * Polls one channel. `fetchedAt` is the time the poll began: both channels are polled at once,
 * and one channel's retries must not move the other's time.
 */
async function poll(channel: ReleaseChannel, options: RedundantLoadOptions): Promise<Poll> {
  const fetchedAt = options.clock.now();
  try {
    const fresh = await channel.fetchReleases();
    if (fresh) return { status: 'ok', releases: fresh, fetchedAt };
    return { status: 'not-modified', releases: readStored(channel.id, options)?.releases ?? null, fetchedAt };
  } catch (error) {
    if (!(error instanceof ChannelError)) throw error;

    options.logger.warn({ channel: channel.id, kind: error.kind, retryAt: error.retryAt, reason: error.message }, 'release channel failed');
    return { status: 'failed', error };
  }
}

/** Returns the list a channel returned in this load, fresh or stored after a 304; null when it has none. */
function currentList(result: Poll): { releases: Release[]; fetchedAt: Date } | null {
  if (result.status !== 'ok' && result.status !== 'not-modified') return null;
  return result.releases ? { releases: result.releases, fetchedAt: result.fetchedAt } : null;
}

/** Explains why a channel gave no current list, in words for the source description. */
function unusableReason(id: string, result: Poll): string {
  if (result.status === 'failed') return `${id} failed: ${result.error.message}`;
  if (result.status === 'skipped') return `offline mode, ${id} not contacted`;
  return `${id} reported no change but no release list is stored`;
}

/** Explains why the primary's list is not current, and the secondary's too when it has none either. */
function fallbackReason(options: RedundantLoadOptions, primary: Poll, secondary: Poll): string {
  if (options.offline) return `offline mode, ${options.primary.id} and ${options.secondary.id} not contacted`;

  const reasons = [unusableReason(options.primary.id, primary)];
  if (!currentList(secondary)) reasons.push(unusableReason(options.secondary.id, secondary));
  return reasons.join('; ');
}

/** Reads the primary's stored list, else the snapshot, as `loadReleases` falls back. */
function storedBase(id: string, options: RedundantLoadOptions, reason: string): Base {
  const stored = readStored(id, options);
  if (stored) return { releases: stored.releases, source: { kind: 'cached', channel: id, fetchedAt: stored.fetchedAt, reason }, asOf: stored.fetchedAt };

  const snapshot = loadReleaseSnapshot();
  return {
    releases: snapshot.releases,
    source: { kind: 'snapshot', snapshotDate: snapshot.snapshotDate, reason },
    asOf: new Date(`${snapshot.snapshotDate}T00:00:00Z`),
  };
}

/**
 * Picks the secondary's releases to add to `base`: its current list, or its stored list when that
 * is newer than `base`. Returns null when it has neither.
 */
function secondaryFor(result: Poll, options: RedundantLoadOptions, base: Base): { releases: Release[]; fetchedAt: Date; live: boolean } | null {
  const current = currentList(result);
  if (current) return { ...current, live: true };

  const stored = readStored(options.secondary.id, options);
  if (!stored || stored.fetchedAt.getTime() <= base.asOf.getTime()) return null;
  return { releases: stored.releases, fetchedAt: stored.fetchedAt, live: false };
}

/**
 * Adds the secondary's releases that `base` lacks. A release both list keeps the base's entry,
 * whose notes are filled from the secondary when the base has none (the snapshot carries no
 * notes). The source stays the base's when the secondary is absent, or when both are live and
 * agree. A live secondary over a fallback list is always named, because it shows how current the
 * list is.
 */
function combine(base: Base, secondary: ReturnType<typeof secondaryFor>, options: RedundantLoadOptions): ReleaseList {
  if (!secondary) return { releases: base.releases, source: base.source };

  const byTag = new Map(secondary.releases.map((release) => [release.tag, release]));
  const baseTags = new Set(base.releases.map((release) => release.tag));
  const added = secondary.releases.filter((release) => !baseTags.has(release.tag));
  if (added.length === 0 && (base.source.kind === 'channel' || !secondary.live)) return { releases: base.releases, source: base.source };

  const withNotes = base.releases.map((release) => {
    const notes = byTag.get(release.tag)?.body;
    return release.body === '' && notes ? { ...release, body: notes } : release;
  });
  const releases = [...withNotes, ...added].sort((a, b) => compareVersions(b.version, a.version));
  const addedTags = added.map((release) => release.tag);
  if (addedTags.length > 0) options.logger.warn({ channel: options.secondary.id, tags: addedTags }, `releases listed only by ${options.secondary.id} added without assets`);

  return {
    releases,
    source: { kind: 'combined', base: base.source, channel: options.secondary.id, fetchedAt: secondary.fetchedAt, live: secondary.live, addedTags },
  };
}

/**
 * Compares the lists within the secondary's window. The feed holds only the newest releases by
 * date, so the window is a time, not a version: a primary release counts when it was published
 * at or after the oldest `updated` time of the secondary's entries. A window by version would
 * widen when a patch of an older series is released and report older releases of newer series as
 * missing. `updated` is never earlier than the publication, so an edited release only narrows the
 * window. Primary releases without a publication time are left out.
 *
 * NOTE: this assumes the feed orders releases by publication. If GitHub orders it by creation
 * time, a release drafted long before it was published could be reported missing from the feed.
 */
export function compareLists(
  primary: readonly Release[],
  secondary: readonly Release[],
  ids: { primary: string; secondary: string },
  logger: Logger,
): CrossCheckReport {
  const times = secondary.flatMap((release) => (release.publishedAt ? [release.publishedAt.getTime()] : []));
  if (times.length === 0) return { status: 'not-compared', reason: `${ids.secondary} lists no release` };

  const since = new Date(Math.min(...times));
  const primaryTags = new Set(primary.map((release) => release.tag));
  const secondaryTags = new Set(secondary.map((release) => release.tag));
  const missing: MissingRelease[] = [
    ...primary
      .filter((release) => release.publishedAt && release.publishedAt.getTime() >= since.getTime() && !secondaryTags.has(release.tag))
      .map((release) => ({ tag: release.tag, missingFrom: ids.secondary })),
    ...secondary.filter((release) => !primaryTags.has(release.tag)).map((release) => ({ tag: release.tag, missingFrom: ids.primary })),
  ];

  if (missing.length > 0) logger.warn({ since, missing }, 'release channels disagree');
  return { status: 'compared', since, missing };
}

function report(id: string, result: Poll, state: ChannelStateRepository): ChannelReport {
  const stored = state.get(id);
  const failure = result.status === 'failed' ? result.error : null;
  let lastError: string | null = null;
  if (failure) lastError = failure.message;
  else if (result.status === 'skipped' && stored) lastError = latestAttemptError(stored);

  return {
    id,
    status: result.status,
    lastSuccessAt: stored?.lastSuccessAt ?? null,
    lastError,
    failureKind: failure?.kind ?? null,
    retryAt: failure?.retryAt ?? null,
  };
}

/** Reads a channel's last good list and when it was confirmed; null when none is stored or it cannot be read. */
function readStored(id: string, { state, logger }: RedundantLoadOptions): { releases: Release[]; fetchedAt: Date } | null {
  const stored = state.get(id);
  if (!stored?.data || !stored.lastSuccessAt) return null;

  try {
    return { releases: deserializeReleases(stored.data), fetchedAt: stored.lastSuccessAt };
  } catch (error) {
    logger.warn({ channel: id, err: error }, 'ignoring unreadable stored release list');
    return null;
  }
}
