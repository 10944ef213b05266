import { UsageError } from '../errors.js';
import type { Severity } from '../judge/cvss/index.js';
import { formatVersion, parseVersion, type Version } from '../judge/version.js';
import { requireInstances } from './backups.js';
import type { Runtime } from './context.js';
import { ExitCode } from './exit-codes.js';
import { exposureFor, reaches, SEVERITY_ORDER, type ExposureSummary, type VulnerabilityRow } from './exposure.js';
import { describeAdvisorySource, gatherIntel, instanceVersion, type Intel } from './intel.js';
import { renderTable } from './table.js';

export type { VulnerabilityRow } from './exposure.js';

export interface InstanceExposure extends ExposureSummary {
  name: string;
  version: string | null;
  error: string | null;
}

export interface VulnsReport {
  releases: string;
  /** The sources of the vulnerability data, one line each. */
  sources: string[];
  instances: InstanceExposure[];
}

/**
 * Lists the known vulnerabilities of each instance's Headscale version: from OSV, GitHub's
 * advisory database and the security-fix catalog shipped with headsup (which holds the fixes
 * released without an advisory), merged so each vulnerability appears once.
 */
export async function buildVulnsReport(runtime: Runtime, options: { instance?: string | undefined; current?: string | undefined; offline: boolean; intel?: Intel }): Promise<VulnsReport> {
  const targets = await targetVersions(runtime, options);
  const intel = options.intel ?? (await gatherIntel(runtime, options.offline));
  const empty: ExposureSummary = { vulnerabilities: [], lowestFixingVersion: null, nextDeadline: null, possibleSecurityReleases: [] };

  const instances = targets.map(({ name, version, error, configured }): InstanceExposure => {
    if (!version) return { name, version: null, error, ...empty };
    return { name, version: formatVersion(version), error: null, ...exposureFor(runtime, intel, version, configured ? name : null) };
  });
  return { releases: intel.releasesDescription, sources: intel.advisorySources.map(describeAdvisorySource), instances };
}

async function targetVersions(runtime: Runtime, options: { instance?: string | undefined; current?: string | undefined }): Promise<Array<{ name: string; version: Version | null; error: string | null; configured: boolean }>> {
  if (options.current !== undefined) {
    const version = parseVersion(options.current);
    if (!version) throw new UsageError(`--current "${options.current}" is not a Headscale release version`, 'write it as 0.26.1 or v0.26.1');
    return [{ name: '(command line)', version, error: null, configured: false }];
  }

  const names = options.instance ? [options.instance] : [...runtime.config.instances.keys()];
  requireInstances(runtime, names);
  const targets = [];
  for (const name of names) {
    const found = await instanceVersion(runtime, name);
    targets.push({ name, version: found.version, error: found.version ? null : found.detail, configured: true });
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
  return report.instances.some((instance) => reaches(instance.vulnerabilities, failOn)) ? ExitCode.Exposed : ExitCode.Ok;
}

export function renderVulnsReport(report: VulnsReport): string {
  const lines = [`Releases: ${report.releases}`, 'Vulnerability sources:', ...report.sources.map((source) => `  ${source}`), ''];
  const rows: string[][] = [];
  for (const instance of report.instances) {
    if (instance.error) {
      rows.push([instance.name, 'unknown', '-', '-', '-', '-']);
      continue;
    }
    if (instance.vulnerabilities.length === 0) rows.push([instance.name, instance.version ?? '-', 'none known', '-', '-', '-']);
    for (const vulnerability of instance.vulnerabilities) rows.push([instance.name, instance.version ?? '-', ...vulnerabilityCells(vulnerability)]);
  }
  lines.push(renderTable(['INSTANCE', 'VERSION', 'VULNERABILITY', 'SEVERITY', 'FIXED IN', 'DEADLINE'], rows));
  if (report.instances.some((instance) => instance.vulnerabilities.some((vulnerability) => vulnerability.severity === null))) {
    lines.push('(An unrated vulnerability has no CVSS score and no label. It gets the deadline of a high one and reaches every --fail-on level.)');
  }
  for (const instance of report.instances) {
    if (instance.error) lines.push('', `${instance.name}: ${instance.error}`);
    else if (instance.lowestFixingVersion) lines.push('', `${instance.name}: ${instance.lowestFixingVersion} is the lowest release that fixes all of them.`);
    lines.push(...possibleSecurityLines(instance));
  }
  return lines.join('\n');
}

function vulnerabilityCells(vulnerability: VulnerabilityRow): string[] {
  const deadline = vulnerability.deadline ? `${vulnerability.deadline.slice(0, 10)} (${vulnerability.deadlineStatus})` : 'none until a fix is released';
  return [vulnerability.displayId, vulnerability.severity ?? 'unrated', vulnerability.fixedIn ?? 'no fix yet', deadline];
}

/** Lines about newer releases whose notes mention security, as a signal to read them. */
export function possibleSecurityLines(instance: Pick<InstanceExposure, 'name' | 'possibleSecurityReleases'>): string[] {
  if (instance.possibleSecurityReleases.length === 0) return [];
  const lines = [`${instance.name}: newer releases whose notes mention security (a signal to read them, not a verdict):`];
  for (const release of instance.possibleSecurityReleases) {
    lines.push(`  ${release.tag}: ${release.terms.join(', ')}${release.evidence[0] ? ` — "${release.evidence[0]}"` : ''}`);
  }
  return lines;
}
