import type { OsvAffected, OsvRecord, OsvSeverity } from '../../judge/osv/types.js';
import type { GitHubAdvisory, GitHubVulnerability } from './schema.js';
import { rangeToEvents, UnsupportedRangeError } from './version-range.js';

/** An advisory whose Headscale entry cannot be converted; the message names the advisory and the range. */
export class AdvisoryConversionError extends Error {
  constructor(
    readonly advisoryId: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`advisory ${advisoryId}: ${message}`, options);
    this.name = 'AdvisoryConversionError';
  }
}

/**
 * Converts a GitHub global advisory into an OSV record, keeping only the `vulnerabilities` entries
 * of `packageName` in the Go ecosystem. Each becomes an `ECOSYSTEM` range, with the original
 * `vulnerable_version_range` and `first_patched_version` kept in the entry's `database_specific`.
 * A range of only `<=` keeps `last_affected` even when a first patched version is given, because
 * the releases between the two are not known to be affected.
 *
 * @throws AdvisoryConversionError when a Headscale entry has no range or one that OSV cannot express.
 */
export function advisoryToOsv(advisory: GitHubAdvisory, packageName: string): OsvRecord {
  const severity = severities(advisory);
  const label = advisory.severity && advisory.severity !== 'unknown' ? advisory.severity : null;
  const cweIds = (advisory.cwes ?? []).map((cwe) => cwe.cwe_id);

  return {
    id: advisory.ghsa_id,
    ...(advisory.cve_id ? { aliases: [advisory.cve_id] } : {}),
    ...(advisory.summary ? { summary: advisory.summary } : {}),
    ...(advisory.published_at ? { published: advisory.published_at } : {}),
    modified: advisory.updated_at,
    ...(advisory.withdrawn_at ? { withdrawn: advisory.withdrawn_at } : {}),
    ...(severity.length > 0 ? { severity } : {}),
    affected: (advisory.vulnerabilities ?? []).filter((entry) => isPackage(entry, packageName)).map((entry) => toAffected(advisory.ghsa_id, entry, packageName)),
    database_specific: {
      ...(label === null ? {} : { severity: label }),
      ...(cweIds.length > 0 ? { cwe_ids: cweIds } : {}),
    },
  };
}

/** Collects the CVSS vectors, preferring `cvss_severities.cvss_v3` over the older `cvss` field when both are set. */
function severities(advisory: GitHubAdvisory): OsvSeverity[] {
  const v3 = advisory.cvss_severities?.cvss_v3?.vector_string ?? advisory.cvss?.vector_string;
  const v4 = advisory.cvss_severities?.cvss_v4?.vector_string;
  const result: OsvSeverity[] = [];

  if (v3?.startsWith('CVSS:3')) result.push({ type: 'CVSS_V3', score: v3 });
  if (v4?.startsWith('CVSS:4')) result.push({ type: 'CVSS_V4', score: v4 });
  return result;
}

function isPackage(entry: GitHubVulnerability, packageName: string): boolean {
  return entry.package?.ecosystem.toLowerCase() === 'go' && entry.package.name === packageName;
}

function toAffected(advisoryId: string, entry: GitHubVulnerability, packageName: string): OsvAffected {
  const range = entry.vulnerable_version_range?.trim();
  if (!range) throw new AdvisoryConversionError(advisoryId, `lists ${packageName} without a vulnerable_version_range`);

  let events;
  try {
    events = rangeToEvents(range);
  } catch (error) {
    const message = error instanceof UnsupportedRangeError ? `vulnerable_version_range ${error.message}` : (error as Error).message;
    throw new AdvisoryConversionError(advisoryId, message, { cause: error });
  }

  return {
    package: { ecosystem: 'Go', name: packageName },
    ranges: [{ type: 'ECOSYSTEM', events }],
    database_specific: { vulnerable_version_range: range, first_patched_version: entry.first_patched_version ?? null },
  };
}
