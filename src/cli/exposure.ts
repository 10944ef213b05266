import { policyFor } from '../config/policy.js';
import type { EffectivePolicy } from '../decide/policy/resolve.js';
import type { Severity } from '../judge/cvss/index.js';
import { assessVulnerabilities, type VulnerabilityAssessment } from '../decide/vulnerabilities.js';
import { formatVersion, type Version } from '../judge/version.js';
import { DeadlineRepository } from '../store/deadlines.js';
import type { Runtime } from './context.js';
import type { Intel } from './intel.js';

export const SEVERITY_ORDER: readonly Severity[] = ['none', 'low', 'medium', 'high', 'critical'];

/** One open vulnerability as `check --json` and `vulns --json` print it. */
export interface VulnerabilityRow {
  id: string;
  /** The name people search for: a GHSA or CVE alias when there is one, else the id. */
  displayId: string;
  aliases: string[];
  summary: string | null;
  /** null: no CVSS score and no label. Deadlines then use the high window. */
  severity: Severity | null;
  /** CVSS v3 and v4 vectors as the records give them. */
  vectors: string[];
  fixedIn: string | null;
  /** ISO time; null while no release fixes it. */
  deadline: string | null;
  deadlineStatus: string | null;
  overdue: boolean;
}

export interface ExposureSummary {
  vulnerabilities: VulnerabilityRow[];
  lowestFixingVersion: string | null;
  nextDeadline: { vulnerability: string; dueAt: string; status: string; overdue: boolean } | null;
  possibleSecurityReleases: Array<{ tag: string; terms: string[]; evidence: string[] }>;
}

/**
 * Judges one version under the policy of `instance` (the top-level policy without one) at `at`.
 * With `record`, each deadline is stored the first time it is computed and read back afterwards,
 * so it never moves.
 */
export function assessFor(runtime: Runtime, intel: Intel, version: Version, options: { instance: string | null; at: Date; record: boolean }): { policy: EffectivePolicy; assessment: VulnerabilityAssessment } {
  const policy = policyFor(runtime.config, options.instance ?? undefined);
  const assessment = assessVulnerabilities({
    version,
    records: intel.records,
    releases: intel.list.releases,
    firstFixedTags: intel.firstFixedTags,
    windows: policy.deadlines,
    now: options.at,
    store: options.record && options.instance ? { instance: options.instance, deadlines: new DeadlineRepository(runtime.db) } : undefined,
  });
  return { policy, assessment };
}

/**
 * Judges the exposure of one version now. An instance's deadlines are recorded; those of a
 * version from the command line are computed from the top-level policy and not recorded.
 */
export function exposureFor(runtime: Runtime, intel: Intel, version: Version, instance: string | null): ExposureSummary {
  return summarise(assessFor(runtime, intel, version, { instance, at: runtime.clock.now(), record: true }).assessment);
}

function summarise(assessment: VulnerabilityAssessment): ExposureSummary {
  return {
    vulnerabilities: assessment.vulnerabilities.map((item) => ({
      id: item.id,
      displayId: item.displayId,
      aliases: [...item.aliases],
      summary: item.summary,
      severity: item.severity,
      vectors: [...item.vectors],
      fixedIn: item.fixedIn ? formatVersion(item.fixedIn) : null,
      deadline: item.deadline?.dueAt.toISOString() ?? null,
      deadlineStatus: item.deadline?.status.text ?? null,
      overdue: item.deadline?.status.overdue ?? false,
    })),
    lowestFixingVersion: assessment.lowestFixingVersion ? formatVersion(assessment.lowestFixingVersion) : null,
    nextDeadline: assessment.nextDeadline
      ? { vulnerability: assessment.nextDeadline.vulnerability, dueAt: assessment.nextDeadline.dueAt.toISOString(), status: assessment.nextDeadline.status.text, overdue: assessment.nextDeadline.status.overdue }
      : null,
    possibleSecurityReleases: assessment.possibleSecurityReleases.map((item) => ({ tag: item.tag, terms: [...item.terms], evidence: item.evidence.map((evidence) => evidence.excerpt) })),
  };
}

/** True when a vulnerability is at or above `failOn`; an unrated one always reaches it. */
export function reaches(rows: readonly VulnerabilityRow[], failOn: Severity): boolean {
  const threshold = SEVERITY_ORDER.indexOf(failOn);
  return rows.some((row) => row.severity === null || SEVERITY_ORDER.indexOf(row.severity) >= threshold);
}

/** Formats the exposure for a table cell: "3 open (critical, high, 1 unrated), due in 3 days". */
export function exposureCell(summary: ExposureSummary): string {
  const count = summary.vulnerabilities.length;
  if (count === 0) return 'none known';
  const rated = SEVERITY_ORDER.filter((severity) => summary.vulnerabilities.some((row) => row.severity === severity)).reverse();
  const unrated = summary.vulnerabilities.filter((row) => row.severity === null).length;
  const parts = [...rated, ...(unrated ? [`${unrated} unrated`] : [])];
  const deadline = summary.nextDeadline ? `, ${summary.nextDeadline.status}` : '';
  return `${count} open (${parts.join(', ')})${deadline}`;
}
