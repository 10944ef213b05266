import { formatDuration } from '../config/duration.js';
import { createInstance } from '../apply/instance.js';
import { detectBinaryVersion, type VersionSource } from '../apply/running-version.js';
import { assessVersion, latestStable } from '../decide/status.js';
import { UsageError } from '../errors.js';
import { compareVersions, formatVersion, parseVersion, type Version } from '../judge/version.js';
import { InstalledBinaryRepository } from '../store/installed-binaries.js';
import type { Severity } from '../judge/cvss/index.js';
import type { ReleaseSource } from '../watch/release.js';
import type { Runtime } from './context.js';
import { ExitCode } from './exit-codes.js';
import { exposureCell, exposureFor, reaches, type ExposureSummary } from './exposure.js';
import { describeAdvisorySource, gatherIntel } from './intel.js';
import { renderTable } from './table.js';
import { possibleSecurityLines } from './vulns.js';

export type InstanceStatus = 'up-to-date' | 'update-available' | 'newer-than-known' | 'unknown-version' | 'error';

export interface InstanceReport {
  name: string;
  running: string | null;
  versionSource: VersionSource | 'command-line';
  versionDetail: string;
  latest: string | null;
  behind: number | null;
  path: string[];
  status: InstanceStatus;
  error: string | null;
  /** Open vulnerabilities of the running version, with deadlines; null when the version is unknown. */
  exposure: ExposureSummary | null;
}

export interface ChannelHealth {
  id: string;
  status: 'fresh' | 'stale' | 'never-succeeded' | 'never-polled';
  stale: boolean;
  lastSuccessAt: string | null;
  lastError: string | null;
}

export interface CheckReport {
  releases: { source: ReleaseSource['kind']; description: string; latest: string | null; snapshotDate: string | null };
  vulnerabilitySources: string[];
  channels: ChannelHealth[];
  /** `channels.stale_after` in milliseconds. */
  staleAfterMs: number;
  /** Releases that one release channel lists and the other does not, within the feed's window. */
  crossCheck: { compared: boolean; detail: string; missing: Array<{ tag: string; missingFrom: string }> };
  /** True with --offline: no channel was contacted, so staleness is shown but does not fail the check. */
  offline: boolean;
  instances: InstanceReport[];
}

export interface CheckOptions {
  instances: string[];
  current?: string | undefined;
  offline?: boolean;
}

/** Builds the report of `headsup check`: each instance's version against the latest release. */
export async function buildCheckReport(runtime: Runtime, options: CheckOptions): Promise<CheckReport> {
  const targets = selectTargets(runtime, options);
  const intel = await gatherIntel(runtime, options.offline ?? false);
  const list = intel.list;
  const versions = list.releases.map((release) => release.version);
  const installs = new InstalledBinaryRepository(runtime.db);
  const withExposure = (report: InstanceReport, version: Version | null, instance: string | null): InstanceReport =>
    version ? { ...report, exposure: exposureFor(runtime, intel, version, instance) } : report;

  const instances: InstanceReport[] = [];
  for (const target of targets) {
    if (target.kind === 'version') {
      instances.push(withExposure(reportFor('(command line)', target.version, 'command-line', `given with --current`, versions), target.version, null));
      continue;
    }
    const settings = runtime.config.instances.get(target.name)!;
    const instance = createInstance(target.name, settings, runtime.runner);
    try {
      const detected = await detectBinaryVersion(runtime.runner, installs, instance.settings.binary);
      instances.push(withExposure(reportFor(target.name, detected.version, detected.source, detected.detail, versions), detected.version, target.name));
    } catch (error) {
      instances.push({ ...emptyReport(target.name), status: 'error', error: (error as Error).message });
    }
  }

  const latest = latestStable(versions);
  const source = list.source;
  let snapshot = null;
  if (source.kind === 'snapshot') snapshot = source;
  else if (source.kind === 'combined' && source.base.kind === 'snapshot') snapshot = source.base;
  const crossCheck = intel.crossCheck;
  return {
    releases: {
      source: source.kind,
      description: intel.releasesDescription,
      latest: latest ? formatVersion(latest) : null,
      snapshotDate: snapshot ? snapshot.snapshotDate : null,
    },
    vulnerabilitySources: intel.advisorySources.map(describeAdvisorySource),
    channels: intel.staleness.map((channel) => ({ id: channel.id, status: channel.status, stale: channel.stale, lastSuccessAt: channel.lastSuccessAt?.toISOString() ?? null, lastError: channel.lastError })),
    staleAfterMs: intel.staleAfterMs,
    crossCheck:
      crossCheck.status === 'compared'
        ? { compared: true, detail: `releases published since ${crossCheck.since.toISOString()} compared`, missing: crossCheck.missing }
        : { compared: false, detail: crossCheck.reason, missing: [] },
    offline: options.offline ?? false,
    instances,
  };
}

type Target = { kind: 'instance'; name: string } | { kind: 'version'; version: Version };

function selectTargets(runtime: Runtime, options: CheckOptions): Target[] {
  if (options.current !== undefined) {
    const version = parseVersion(options.current);
    if (!version) throw new UsageError(`--current "${options.current}" is not a Headscale release version`, 'write it as 0.26.1 or v0.26.1');
    return [{ kind: 'version', version }];
  }

  const configured = [...runtime.config.instances.keys()];
  for (const name of options.instances) {
    if (!runtime.config.instances.has(name)) {
      throw new UsageError(`no instance named "${name}" in the config`, configured.length ? `configured instances: ${configured.join(', ')}` : 'add it under `instances:` in the config');
    }
  }
  const names = options.instances.length ? options.instances : configured;
  return names.map((name) => ({ kind: 'instance', name }));
}

function reportFor(name: string, current: Version | null, source: InstanceReport['versionSource'], detail: string, versions: Version[]): InstanceReport {
  if (!current) return { ...emptyReport(name), versionSource: source, versionDetail: detail, status: 'unknown-version', error: detail };

  let status;
  try {
    status = assessVersion(current, versions);
  } catch (error) {
    return { ...emptyReport(name), running: formatVersion(current), versionSource: source, versionDetail: detail, error: (error as Error).message };
  }
  return {
    name,
    running: formatVersion(current),
    versionSource: source,
    versionDetail: detail,
    latest: status.latest ? formatVersion(status.latest) : null,
    behind: status.behind,
    path: status.path.map((hop) => formatVersion(hop.to)),
    status: status.path.length > 0 ? 'update-available' : status.latest && compareVersions(current, status.latest) > 0 ? 'newer-than-known' : 'up-to-date',
    error: null,
    exposure: null,
  };
}

function emptyReport(name: string): InstanceReport {
  return { name, running: null, versionSource: 'unknown', versionDetail: '', latest: null, behind: null, path: [], status: 'error', error: null, exposure: null };
}

/**
 * Maps the report to an exit code; the most serious finding decides: an error (unknown versions included) 1, then a stale channel
 * 12 (not with --offline), then exposure at or above `--fail-on` 11, then an available update 10.
 */
export function checkExitCode(report: CheckReport, failOn: Severity | null = null): ExitCode {
  const statuses = report.instances.map((instance) => instance.status);
  if (statuses.includes('error') || statuses.includes('unknown-version')) return ExitCode.Error;
  if (!report.offline && report.channels.some((channel) => channel.stale)) return ExitCode.ChannelStale;
  if (failOn && report.instances.some((instance) => instance.exposure && reaches(instance.exposure.vulnerabilities, failOn))) return ExitCode.Exposed;
  if (statuses.includes('update-available')) return ExitCode.UpdateAvailable;
  return ExitCode.Ok;
}

export function renderCheckReport(report: CheckReport): string {
  const lines = [`Releases: ${report.releases.description}`, `Latest stable Headscale: ${report.releases.latest ?? 'unknown'}`];
  if (report.releases.source === 'snapshot') {
    lines.push(`Note: releases published after the snapshot of ${report.releases.snapshotDate} are not shown.`);
  }
  lines.push('');

  if (report.instances.length === 0) {
    lines.push('No instance is configured. Check a version with `headsup check --current 0.26.1` (`node bin/headsup.js` in a clone), or add instances to the config (see the README).');
    lines.push('', ...channelLines(report));
    return lines.join('\n');
  }

  const rows = report.instances.map((instance) => [
    instance.name,
    instance.running ?? 'unknown',
    instance.latest ?? '-',
    instance.behind === null ? '-' : String(instance.behind),
    statusText(instance),
    instance.exposure ? exposureCell(instance.exposure) : '-',
  ]);
  lines.push(renderTable(['INSTANCE', 'RUNNING', 'LATEST', 'BEHIND', 'STATUS', 'VULNERABILITIES'], rows));
  lines.push('(BEHIND counts the stable releases newer than the running version; `headsup vulns` lists the vulnerabilities.)');

  for (const instance of report.instances) {
    if (instance.status === 'newer-than-known') {
      lines.push('', `${instance.name}: ${instance.running} is newer than ${instance.latest}, the newest release headsup knows; check the version for a typo, or the release list is out of date.`);
    }
    if (instance.error) lines.push('', `${instance.name}: ${instance.error}`);
    else if (instance.versionSource === 'recorded-install') lines.push('', `${instance.name}: ${instance.versionDetail}`);
    if (instance.exposure?.lowestFixingVersion) lines.push('', `${instance.name}: ${instance.exposure.lowestFixingVersion} is the lowest release that fixes every open vulnerability.`);
    if (instance.exposure) {
      const signal = possibleSecurityLines({ name: instance.name, possibleSecurityReleases: instance.exposure.possibleSecurityReleases });
      if (signal.length) lines.push('', ...signal);
    }
  }
  lines.push('', ...channelLines(report));
  return lines.join('\n');
}

function channelLines(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const missing of report.crossCheck.missing) {
    lines.push(`Cross-check: ${missing.tag} is missing from ${missing.missingFrom}; one channel may be lagging or failing quietly.`);
  }
  const limit = formatDuration(report.staleAfterMs);
  for (const channel of report.channels) {
    if (channel.stale) {
      const since = channel.lastSuccessAt ? `since ${channel.lastSuccessAt}` : 'ever';
      lines.push(`STALE: channel ${channel.id} has had no successful poll ${since} (limit channels.stale_after = ${limit})${channel.lastError ? `; last error: ${channel.lastError}` : ''}.`);
    }
  }
  const words = { fresh: 'fresh', stale: 'stale', 'never-succeeded': 'no successful poll yet', 'never-polled': 'not polled yet' } as const;
  if (lines.length === 0) lines.push(`Channels: ${report.channels.map((channel) => `${channel.id} ${words[channel.status]}`).join(', ')}.`);
  return lines;
}

function statusText(instance: InstanceReport): string {
  switch (instance.status) {
    case 'up-to-date':
      return 'up to date';
    case 'update-available':
      return `update available: ${[instance.running, ...instance.path].join(' → ')}`;
    case 'newer-than-known':
      return 'newer than every known release';
    case 'unknown-version':
      return 'version unknown';
    case 'error':
      return 'error';
  }
}
