import { createInstance } from '../apply/instance.js';
import { detectBinaryVersion, type VersionSource } from '../apply/running-version.js';
import { assessVersion, latestStable } from '../decide/status.js';
import { UsageError } from '../errors.js';
import { compareVersions, formatVersion, parseVersion, type Version } from '../judge/version.js';
import { InstalledBinaryRepository } from '../store/installed-binaries.js';
import { describeSource } from '../watch/release-service.js';
import type { ReleaseList } from '../watch/release.js';
import { fetchReleaseList, type Runtime } from './context.js';
import { ExitCode } from './exit-codes.js';
import { renderTable } from './table.js';

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
}

export interface CheckReport {
  releases: { source: ReleaseList['source']['kind']; description: string; latest: string | null; snapshotDate: string | null };
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
  const list = await fetchReleaseList(runtime, options.offline);
  const versions = list.releases.map((release) => release.version);
  const installs = new InstalledBinaryRepository(runtime.db);

  const instances: InstanceReport[] = [];
  for (const target of targets) {
    if (target.kind === 'version') {
      instances.push(reportFor('(command line)', target.version, 'command-line', `given with --current`, versions));
      continue;
    }
    const settings = runtime.config.instances.get(target.name)!;
    const instance = createInstance(target.name, settings, runtime.runner);
    try {
      const detected = await detectBinaryVersion(runtime.runner, installs, instance.settings.binary);
      instances.push(reportFor(target.name, detected.version, detected.source, detected.detail, versions));
    } catch (error) {
      instances.push({ ...emptyReport(target.name), status: 'error', error: (error as Error).message });
    }
  }

  const latest = latestStable(versions);
  return {
    releases: {
      source: list.source.kind,
      description: describeSource(list.source),
      latest: latest ? formatVersion(latest) : null,
      snapshotDate: list.source.kind === 'snapshot' ? list.source.snapshotDate : null,
    },
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
  };
}

function emptyReport(name: string): InstanceReport {
  return { name, running: null, versionSource: 'unknown', versionDetail: '', latest: null, behind: null, path: [], status: 'error', error: null };
}

/** Error beats update available beats up to date; unknown versions count as errors. */
export function checkExitCode(report: CheckReport): ExitCode {
  const statuses = report.instances.map((instance) => instance.status);
  if (statuses.includes('error') || statuses.includes('unknown-version')) return ExitCode.Error;
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
    return lines.join('\n');
  }

  const rows = report.instances.map((instance) => [
    instance.name,
    instance.running ?? 'unknown',
    instance.latest ?? '-',
    instance.behind === null ? '-' : String(instance.behind),
    statusText(instance),
  ]);
  lines.push(renderTable(['INSTANCE', 'RUNNING', 'LATEST', 'BEHIND', 'STATUS'], rows));
  lines.push('(BEHIND counts the stable releases newer than the running version.)');

  for (const instance of report.instances) {
    if (instance.status === 'newer-than-known') {
      lines.push('', `${instance.name}: ${instance.running} is newer than ${instance.latest}, the newest release headsup knows; check the version for a typo, or the release list is out of date.`);
    }
    if (instance.error) lines.push('', `${instance.name}: ${instance.error}`);
    else if (instance.versionSource === 'recorded-install') lines.push('', `${instance.name}: ${instance.versionDetail}`);
  }
  return lines.join('\n');
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
