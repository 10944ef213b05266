import { createInstance } from '../apply/instance.js';
import { detectBinaryVersion } from '../apply/running-version.js';
import { firstFixedTags, loadSecurityCatalog } from '../judge/catalog/index.js';
import type { OsvRecord } from '../judge/osv/types.js';
import type { Version } from '../judge/version.js';
import { ChannelStateRepository } from '../store/channel-state.js';
import { InstalledBinaryRepository } from '../store/installed-binaries.js';
import { loadAdvisories, type AdvisoryChannel, type AdvisorySourceReport } from '../watch/advisory-service.js';
import { GitHubAdvisoriesChannel } from '../watch/github-advisories/index.js';
import { OsvChannel } from '../watch/osv/index.js';
import type { ChannelReport, CrossCheckReport } from '../watch/release-channels.js';
import { describeSource } from '../watch/release-service.js';
import type { ReleaseList } from '../watch/release.js';
import { channelStaleness, type ChannelStaleness } from '../watch/staleness.js';
import { githubToken, loadReleaseChannels, type Runtime } from './context.js';

/** The data of every channel: releases, vulnerability records, and how fresh each channel is. */
export interface Intel {
  readonly list: ReleaseList;
  readonly releasesDescription: string;
  readonly crossCheck: CrossCheckReport;
  readonly releaseChannels: readonly ChannelReport[];
  /** Merged records of every advisory source and the shipped catalog. */
  readonly records: readonly OsvRecord[];
  readonly firstFixedTags: Readonly<Record<string, string>>;
  readonly advisorySources: readonly AdvisorySourceReport[];
  /** Every enabled channel with the age of its last successful poll. */
  readonly staleness: readonly ChannelStaleness[];
  /** The channels without a successful poll for longer than `channels.stale_after`. */
  readonly staleChannels: readonly ChannelStaleness[];
  readonly staleAfterMs: number;
}

/** Polls the release and advisory channels at once (or reads what they stored, when offline). */
export async function gatherIntel(runtime: Runtime, offline: boolean): Promise<Intel> {
  const { config } = runtime;
  const state = new ChannelStateRepository(runtime.db);
  const common = { http: runtime.http, clock: runtime.clock, logger: runtime.logger, state };

  const advisoryChannels: AdvisoryChannel[] = [];
  if (config.channels.osv.enabled) advisoryChannels.push(new OsvChannel({ ...common, baseUrl: config.channels.osv.api_url, timeoutMs: config.channels.osv.timeout }));
  if (config.channels.github_advisories.enabled) {
    advisoryChannels.push(
      new GitHubAdvisoriesChannel({ ...common, apiUrl: config.github.api_url, ...githubToken(runtime), timeoutMs: config.github.timeout }),
    );
  }

  const catalog = loadSecurityCatalog();
  const [releases, advisories] = await Promise.all([
    loadReleaseChannels(runtime, offline),
    loadAdvisories({ channels: advisoryChannels, state, clock: runtime.clock, logger: runtime.logger, offline, catalog }),
  ]);

  const ids = ['github-releases', ...(config.channels.github_atom.enabled ? ['github-atom'] : []), ...advisoryChannels.map((channel) => channel.id)];
  const staleness = channelStaleness(state, ids, runtime.clock.now(), config.channels.stale_after);
  return {
    list: releases.list,
    releasesDescription: describeSource(releases.list.source),
    crossCheck: releases.crossCheck,
    releaseChannels: releases.channels,
    records: advisories.records,
    firstFixedTags: firstFixedTags(catalog.entries),
    advisorySources: advisories.sources,
    staleness,
    staleChannels: staleness.filter((channel) => channel.stale),
    staleAfterMs: config.channels.stale_after,
  };
}

/** Describes an advisory source in one line, e.g. "osv: 1 record, fetched 2026-12-04T10:00:00Z". */
export function describeAdvisorySource(source: AdvisorySourceReport): string {
  const records = `${source.records} record${source.records === 1 ? '' : 's'}`;
  const time = (date: Date | null) => (date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : 'never');
  switch (source.kind) {
    case 'catalog':
      return `the security-fix catalog shipped with headsup: ${records}`;
    case 'live':
      return `${source.channel}: ${records}, fetched ${time(source.fetchedAt)}`;
    case 'cached':
      return `${source.channel}: ${records} stored ${time(source.lastSuccessAt)} (${source.reason ?? 'not polled'})`;
    case 'unavailable':
      return `${source.channel}: unavailable (${source.reason ?? 'no data'})`;
  }
}

export interface InstanceVersion {
  readonly name: string;
  readonly version: Version | null;
  readonly detail: string;
  readonly source: string;
}

/** Finds the Headscale version of a configured instance; a failure comes back as `version: null` with the reason. */
export async function instanceVersion(runtime: Runtime, name: string): Promise<InstanceVersion> {
  const instance = createInstance(name, runtime.config.instances.get(name)!, runtime.runner);
  try {
    const detected = await detectBinaryVersion(runtime.runner, new InstalledBinaryRepository(runtime.db), instance.settings.binary);
    return { name, version: detected.version, detail: detected.detail, source: detected.source };
  } catch (error) {
    return { name, version: null, detail: (error as Error).message, source: 'unknown' };
  }
}
