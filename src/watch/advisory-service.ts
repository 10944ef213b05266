import { loadSecurityCatalog, type SecurityCatalog } from '../judge/catalog/index.js';
import { mergeAdvisories } from '../judge/exposure.js';
import type { OsvRecord } from '../judge/osv/types.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { ChannelStateRepository } from '../store/channel-state.js';
import { deserializeAdvisories } from './osv/stored.js';
import { ChannelError, type ChannelFailureKind } from './release.js';

/**
 * A source of advisories as OSV records. `fetchAdvisories` returns null when the channel reports no
 * change since its stored list (HTTP 304), and throws a ChannelError when the request fails. A
 * channel stores its last good list in the format that `serializeAdvisories` writes.
 */
export interface AdvisoryChannel {
  readonly id: string;
  fetchAdvisories(): Promise<OsvRecord[] | null>;
}

/**
 * The origin of one source's records. `live` comes from the channel now, and a 304 that reuses the
 * stored list counts as live. `cached` is the list the channel stored earlier, `catalog` the
 * catalog shipped with headsup. `unavailable` means the channel failed and nothing is stored.
 */
export type AdvisorySourceKind = 'live' | 'cached' | 'catalog' | 'unavailable';

export interface AdvisorySourceReport {
  /** The channel id, or `catalog` for the shipped catalog. */
  channel: string;
  kind: AdvisorySourceKind;
  /** When the records were fetched: now for `live`, the last success for `cached`, else null. */
  fetchedAt: Date | null;
  /** The channel's last successful poll, this one included; null for the catalog and a channel that never succeeded. */
  lastSuccessAt: Date | null;
  /** Records this source contributed, before merging. */
  records: number;
  /** The reason the channel was not used live; null for `live` and `catalog`. */
  reason: string | null;
  /** The kind of channel failure; null when the channel did not fail (live, offline, catalog). */
  failure: ChannelFailureKind | null;
  /** When a rate limit lifts, if the channel reported it. */
  retryAt: Date | null;
}

export interface LoadAdvisoriesOptions {
  channels: readonly AdvisoryChannel[];
  state: ChannelStateRepository;
  clock: Clock;
  logger: Logger;
  /** Skips every channel and uses their stored lists. */
  offline?: boolean;
  /** The catalog merged into the result; default the one shipped with headsup. */
  catalog?: SecurityCatalog;
}

export interface AdvisoryList {
  /** The records of all sources, merged so each vulnerability appears once with the aliases of all its records. */
  records: OsvRecord[];
  /** One report per channel, in the order given, then the catalog. */
  sources: AdvisorySourceReport[];
}

interface SourceResult {
  records: OsvRecord[];
  report: AdvisorySourceReport;
}

/**
 * Loads advisories from every channel and the shipped catalog. Each channel is polled on its own:
 * when it fails with a ChannelError, the list it last stored is used, and when nothing is stored it
 * contributes no records but is still reported. Errors other than ChannelError are bugs and propagate.
 */
export async function loadAdvisories(options: LoadAdvisoriesOptions): Promise<AdvisoryList> {
  const catalog = options.catalog ?? loadSecurityCatalog();
  const results = await Promise.all(options.channels.map((channel) => loadChannel(channel, options)));

  const catalogReport: AdvisorySourceReport = {
    channel: 'catalog',
    kind: 'catalog',
    fetchedAt: null,
    lastSuccessAt: null,
    records: catalog.records.length,
    reason: null,
    failure: null,
    retryAt: null,
  };

  return {
    records: mergeAdvisories([...results.flatMap((result) => result.records), ...catalog.records]),
    sources: [...results.map((result) => result.report), catalogReport],
  };
}

async function loadChannel(channel: AdvisoryChannel, options: LoadAdvisoriesOptions): Promise<SourceResult> {
  if (options.offline) return fallBack(channel, options, `offline mode, ${channel.id} not contacted`, null);

  let fresh: OsvRecord[] | null;
  try {
    fresh = await channel.fetchAdvisories();
  } catch (error) {
    if (!(error instanceof ChannelError)) throw error;

    options.logger.warn({ channel: channel.id, kind: error.kind, retryAt: error.retryAt, reason: error.message }, 'advisory channel failed, falling back');
    return fallBack(channel, options, error.message, error);
  }

  const now = options.clock.now();
  const live = (records: OsvRecord[]): SourceResult => ({
    records,
    report: { ...emptyReport(channel.id, 'live'), fetchedAt: now, lastSuccessAt: now, records: records.length },
  });
  if (fresh) return live(fresh);

  const stored = readStored(channel, options);
  if (stored) return live(stored.records);

  options.logger.warn({ channel: channel.id }, 'advisory channel reported no change but no list is stored');
  return { records: [], report: { ...emptyReport(channel.id, 'unavailable'), reason: `${channel.id} reported no change but no advisory list is stored` } };
}

function fallBack(channel: AdvisoryChannel, options: LoadAdvisoriesOptions, reason: string, error: ChannelError | null): SourceResult {
  const failure = { reason, failure: error?.kind ?? null, retryAt: error?.retryAt ?? null };
  const stored = readStored(channel, options);
  if (!stored) {
    const lastSuccessAt = options.state.get(channel.id)?.lastSuccessAt ?? null;
    return { records: [], report: { ...emptyReport(channel.id, 'unavailable'), ...failure, lastSuccessAt } };
  }

  const report = { ...emptyReport(channel.id, 'cached'), ...failure, fetchedAt: stored.fetchedAt, lastSuccessAt: stored.fetchedAt, records: stored.records.length };
  return { records: stored.records, report };
}

function emptyReport(channel: string, kind: AdvisorySourceKind): AdvisorySourceReport {
  return { channel, kind, fetchedAt: null, lastSuccessAt: null, records: 0, reason: null, failure: null, retryAt: null };
}

/** Reads the channel's last good list and when it was confirmed; null when none is stored or it cannot be read. */
function readStored(channel: AdvisoryChannel, { state, logger }: LoadAdvisoriesOptions): { records: OsvRecord[]; fetchedAt: Date } | null {
  const stored = state.get(channel.id);
  if (!stored?.data || !stored.lastSuccessAt) return null;

  try {
    return { records: deserializeAdvisories(stored.data), fetchedAt: stored.lastSuccessAt };
  } catch (error) {
    logger.warn({ channel: channel.id, err: error }, 'ignoring unreadable stored advisory list');
    return null;
  }
}
