import { createInstance } from '../apply/instance.js';
import { detectBinaryVersion } from '../apply/running-version.js';
import { UsageError } from '../errors.js';
import { firstFixedTags, loadSecurityCatalog } from '../judge/catalog/index.js';
import type { Severity } from '../judge/cvss/index.js';
import { exposureOf, mergeAdvisories } from '../judge/exposure.js';
import { formatVersion, parseVersion, type Version } from '../judge/version.js';
import { InstalledBinaryRepository } from '../store/installed-binaries.js';
import { describeSource } from '../watch/release-service.js';
import { requireInstances } from './backups.js';
import { fetchReleaseList, type Runtime } from './context.js';
import { ExitCode } from './exit-codes.js';
import { renderTable } from './table.js';

const SEVERITY_ORDER: readonly Severity[] = ['none', 'low', 'medium', 'high', 'critical'];

export interface VulnerabilityRow {
  id: string;
  /** The name people search for: a GHSA or CVE alias of a catalog entry, else the id. */
  displayId: string;
  aliases: string[];
  summary: string | null;
  severity: Severity | null;
  fixedIn: string | null;
}

export interface InstanceExposure {
  name: string;
  version: string | null;
  vulnerabilities: VulnerabilityRow[];
  lowestFixingVersion: string | null;
  error: string | null;
}

export interface VulnsReport {
  releases: string;
  /** The sources of the vulnerability data. */
  sources: string[];
  instances: InstanceExposure[];
}

/**
 * Lists the known vulnerabilities of each instance's Headscale version, from the security-fix
 * catalog shipped with headsup. It holds Headscale's one formal advisory (GHSA-wp76-cf2j-rqq7)
 * with the first tag that contains its fix, and the security fixes released without an advisory.
 */
export async function buildVulnsReport(runtime: Runtime, options: { instance?: string | undefined; current?: string | undefined; offline: boolean }): Promise<VulnsReport> {
  const targets = await targetVersions(runtime, options);
  const list = await fetchReleaseList(runtime, options.offline);
  const releases = list.releases.map((release) => release.version);
  const catalog = loadSecurityCatalog();
  const records = mergeAdvisories(catalog.records);
  const tags = firstFixedTags(catalog.entries);

  const instances = targets.map(({ name, version, error }): InstanceExposure => {
    if (!version) return { name, version: null, vulnerabilities: [], lowestFixingVersion: null, error };
    const exposure = exposureOf(version, records, releases, { firstFixedTags: tags });
    return {
      name,
      version: formatVersion(version),
      vulnerabilities: exposure.vulnerabilities.map((vulnerability) => ({
        id: vulnerability.id,
        displayId: vulnerability.aliases.find((alias) => /^(GHSA|CVE)-/.test(alias)) ?? vulnerability.id,
        aliases: [...vulnerability.aliases],
        summary: vulnerability.summary ?? null,
        severity: vulnerability.severity,
        fixedIn: vulnerability.fixedIn ? formatVersion(vulnerability.fixedIn) : null,
      })),
      lowestFixingVersion: exposure.lowestFixingVersion ? formatVersion(exposure.lowestFixingVersion) : null,
      error: null,
    };
  });
  return { releases: describeSource(list.source), sources: ['the security-fix catalog shipped with headsup'], instances };
}

async function targetVersions(runtime: Runtime, options: { instance?: string | undefined; current?: string | undefined }): Promise<Array<{ name: string; version: Version | null; error: string | null }>> {
  if (options.current !== undefined) {
    const version = parseVersion(options.current);
    if (!version) throw new UsageError(`--current "${options.current}" is not a Headscale release version`, 'write it as 0.26.1 or v0.26.1');
    return [{ name: '(command line)', version, error: null }];
  }

  const names = options.instance ? [options.instance] : [...runtime.config.instances.keys()];
  requireInstances(runtime, names);
  const installs = new InstalledBinaryRepository(runtime.db);
  const targets = [];
  for (const name of names) {
    const instance = createInstance(name, runtime.config.instances.get(name)!, runtime.runner);
    try {
      const detected = await detectBinaryVersion(runtime.runner, installs, instance.settings.binary);
      targets.push({ name, version: detected.version, error: detected.version ? null : detected.detail });
    } catch (error) {
      targets.push({ name, version: null, error: (error as Error).message });
    }
  }
  return targets;
}

export function parseSeverity(value: string): Severity {
  const severity = value.toLowerCase() as Severity;
  if (!SEVERITY_ORDER.includes(severity) || severity === 'none') {
    throw new UsageError(`--fail-on "${value}" is not a severity`, 'use low, medium, high or critical');
  }
  return severity;
}

/** Exit 11 when any vulnerability is at or above `failOn` (an unknown severity counts as reaching it); 1 when a version is unknown. */
export function vulnsExitCode(report: VulnsReport, failOn: Severity | null): ExitCode {
  if (report.instances.some((instance) => instance.error)) return ExitCode.Error;
  if (failOn === null) return ExitCode.Ok;
  const threshold = SEVERITY_ORDER.indexOf(failOn);
  const reached = report.instances.some((instance) => instance.vulnerabilities.some((vulnerability) => vulnerability.severity === null || SEVERITY_ORDER.indexOf(vulnerability.severity) >= threshold));
  return reached ? ExitCode.Exposed : ExitCode.Ok;
}

export function renderVulnsReport(report: VulnsReport): string {
  const lines = [`Releases: ${report.releases}`, `Vulnerabilities: ${report.sources.join(', ')}`, ''];
  const rows: string[][] = [];
  for (const instance of report.instances) {
    if (instance.error) {
      rows.push([instance.name, 'unknown', '-', '-', '-']);
      continue;
    }
    if (instance.vulnerabilities.length === 0) rows.push([instance.name, instance.version ?? '-', 'none known', '-', '-']);
    for (const vulnerability of instance.vulnerabilities) {
      rows.push([instance.name, instance.version ?? '-', vulnerability.displayId, vulnerability.severity ?? 'unknown', vulnerability.fixedIn ?? 'no fix yet']);
    }
  }
  lines.push(renderTable(['INSTANCE', 'VERSION', 'VULNERABILITY', 'SEVERITY', 'FIXED IN'], rows));
  for (const instance of report.instances) {
    if (instance.error) lines.push('', `${instance.name}: ${instance.error}`);
    else if (instance.lowestFixingVersion) lines.push('', `${instance.name}: ${instance.lowestFixingVersion} is the lowest release that fixes all of them.`);
  }
  return lines.join('\n');
}
