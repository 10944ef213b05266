import { computeDeadline, deadlineStatus, type DeadlineStatus, type DeadlineWindows } from '../judge/deadlines.js';
import type { Severity } from '../judge/cvss/index.js';
import { exposureOf } from '../judge/exposure.js';
import type { OsvRecord } from '../judge/osv/types.js';
import { securitySignal, type SecurityEvidence } from '../judge/release-notes.js';
import { compareVersions, formatVersion, versionsEqual, type Version } from '../judge/version.js';
import type { StoredDeadline } from '../store/deadlines.js';
import type { Release } from '../watch/release.js';

/** The store of deadlines once set; `DeadlineRepository` in production. */
export interface DeadlineStore {
  settle(deadline: StoredDeadline): StoredDeadline;
}

export interface DeadlineView {
  readonly severity: string;
  readonly startsAt: Date;
  readonly dueAt: Date;
  readonly status: DeadlineStatus;
}

export interface AssessedVulnerability {
  readonly id: string;
  /** The name people search for: a GHSA or CVE alias when there is one, else the id. */
  readonly displayId: string;
  readonly aliases: readonly string[];
  readonly summary: string | null;
  readonly severity: Severity | null;
  /**
   * The CVSS vectors the records give, v3 and v4. Only v3 vectors are scored; a v4 vector is shown
   * as read, and without a v3 vector the label decides the severity.
   */
  readonly vectors: readonly string[];
  readonly fixedIn: Version | null;
  /** Null while no release fixes it. */
  readonly deadline: DeadlineView | null;
}

export interface PossibleSecurityRelease {
  readonly tag: string;
  readonly terms: readonly string[];
  readonly evidence: readonly SecurityEvidence[];
}

export interface VulnerabilityAssessment {
  readonly vulnerabilities: readonly AssessedVulnerability[];
  readonly lowestFixingVersion: Version | null;
  /** The earliest deadline among the open vulnerabilities, with the one it belongs to. */
  readonly nextDeadline: (DeadlineView & { readonly vulnerability: string }) | null;
  /** Releases newer than the version whose notes mention security: a signal, not a verdict. */
  readonly possibleSecurityReleases: readonly PossibleSecurityRelease[];
}

export interface AssessOptions {
  readonly version: Version;
  /** Merged records (see `mergeAdvisories`). */
  readonly records: readonly OsvRecord[];
  readonly releases: readonly Release[];
  readonly firstFixedTags: Readonly<Record<string, string>>;
  readonly windows: DeadlineWindows;
  readonly now: Date;
  /** With an instance name and a store, each deadline is recorded the first time and read back after. */
  readonly store?: { readonly instance: string; readonly deadlines: DeadlineStore } | undefined;
}

/**
 * Judges one version: its open vulnerabilities, the release that fixes each, the patch deadline of
 * each (counted from the later of that release and the advisory), the earliest deadline, and the
 * newer releases whose notes mention security.
 */
export function assessVulnerabilities(options: AssessOptions): VulnerabilityAssessment {
  const { version, releases, now } = options;
  const exposure = exposureOf(
    version,
    options.records,
    releases.map((release) => release.version),
    { firstFixedTags: options.firstFixedTags },
  );
  const byId = new Map(options.records.map((record) => [record.id, record]));

  const vulnerabilities = exposure.vulnerabilities.map((vulnerability): AssessedVulnerability => {
    const record = byId.get(vulnerability.id);
    const fixRelease = vulnerability.fixedIn ? releases.find((release) => versionsEqual(release.version, vulnerability.fixedIn!)) : undefined;
    const computed = computeDeadline(
      {
        severity: vulnerability.severity,
        advisoryPublishedAt: record?.published ? new Date(record.published) : null,
        fixReleasedAt: fixRelease?.publishedAt ?? null,
      },
      options.windows,
    );

    let deadline: DeadlineView | null = null;
    if (computed) {
      const kept = options.store
        ? options.store.deadlines.settle({ instance: options.store.instance, vulnerabilityId: vulnerability.id, severity: computed.severity, startsAt: computed.startsAt, dueAt: computed.dueAt, recordedAt: now })
        : { severity: computed.severity, startsAt: computed.startsAt, dueAt: computed.dueAt };
      deadline = { severity: kept.severity, startsAt: kept.startsAt, dueAt: kept.dueAt, status: deadlineStatus(kept.dueAt, now) };
    }

    return {
      id: vulnerability.id,
      displayId: /^(GHSA|CVE)-/.test(vulnerability.id) ? vulnerability.id : (vulnerability.aliases.find((alias) => /^(GHSA|CVE)-/.test(alias)) ?? vulnerability.id),
      aliases: vulnerability.aliases,
      summary: vulnerability.summary,
      severity: vulnerability.severity,
      vectors: (record?.severity ?? []).filter((item) => item.type === 'CVSS_V3' || item.type === 'CVSS_V4').map((item) => item.score),
      fixedIn: vulnerability.fixedIn,
      deadline,
    };
  });

  const earliest = vulnerabilities
    .filter((vulnerability) => vulnerability.deadline)
    .sort((a, b) => a.deadline!.dueAt.getTime() - b.deadline!.dueAt.getTime())[0];

  return {
    vulnerabilities,
    lowestFixingVersion: exposure.lowestFixingVersion,
    nextDeadline: earliest ? { ...earliest.deadline!, vulnerability: earliest.displayId } : null,
    possibleSecurityReleases: possibleSecurityReleases(version, releases),
  };
}

/** Releases newer than `version` whose notes carry security terms, oldest first. */
export function possibleSecurityReleases(version: Version, releases: readonly Release[]): PossibleSecurityRelease[] {
  return releases
    .filter((release) => compareVersions(release.version, version) > 0)
    .sort((a, b) => compareVersions(a.version, b.version))
    .flatMap((release) => {
      const signal = securitySignal(release.body);
      return signal ? [{ tag: release.tag, terms: signal.terms, evidence: signal.evidence }] : [];
    });
}
