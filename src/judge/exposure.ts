import { HEADSCALE_PACKAGE } from './catalog/index.js';
import { severityOf, type Severity } from './cvss/index.js';
import { isAffected, type AffectedOptions } from './osv/ranges.js';
import type { OsvRecord } from './osv/types.js';
import { compareVersions, isStable, type Version } from './version.js';

export interface ExposureOptions extends AffectedOptions {
  /** The package name that records list; `github.com/juanfont/headscale` unless set. */
  readonly packageName?: string;
}

/** A vulnerability that affects the version being judged. */
export interface OpenVulnerability {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly summary: string | null;
  /** From the record's CVSS v3 vectors, else its `database_specific.severity` label; null when neither gives one. */
  readonly severity: Severity | null;
  /** The lowest stable release above the version that this record does not affect; null when no known release is. */
  readonly fixedIn: Version | null;
}

export interface Exposure {
  readonly vulnerabilities: readonly OpenVulnerability[];
  /**
   * The lowest stable release above the version that none of `vulnerabilities` affects; null when
   * nothing is open or no known release fixes them all. It may still be affected by a
   * vulnerability introduced after the judged version.
   */
  readonly lowestFixingVersion: Version | null;
}

/**
 * Merges records that name the same vulnerability, by id or alias (GHSA, CVE, GO, AIKIDO ids, pull
 * requests), including chains where A names B and B names C. Of each group it keeps the most
 * informative record (see `compareInformation`) with the aliases of the whole group. Order of first
 * appearance is kept.
 */
export function mergeAdvisories(records: readonly OsvRecord[]): OsvRecord[] {
  return groupByName(records).map((group) => {
    const preferred = group.reduce((best, record) => (compareInformation(record, best) > 0 ? record : best));
    const names = new Set(group.flatMap((record) => [record.id, ...(record.aliases ?? [])]));
    names.delete(preferred.id);
    return { ...preferred, aliases: [...names] };
  });
}

/**
 * Lists the records that affect `version` and the lowest stable release in `releases` that
 * would close all of them. Pass merged records, so one vulnerability is not listed twice.
 */
export function exposureOf(
  version: Version,
  records: readonly OsvRecord[],
  releases: readonly Version[],
  options: ExposureOptions = {},
): Exposure {
  const packageName = options.packageName ?? HEADSCALE_PACKAGE;
  const affects = (record: OsvRecord, candidate: Version) => isAffected(record, packageName, candidate, options);

  const candidates = releases
    .filter((release) => isStable(release) && compareVersions(release, version) > 0)
    .sort(compareVersions);

  const open = records.filter((record) => affects(record, version));

  const vulnerabilities = open.map((record) => ({
    id: record.id,
    aliases: record.aliases ?? [],
    summary: record.summary ?? null,
    severity: severityOfRecord(record),
    fixedIn: candidates.find((release) => !affects(record, release)) ?? null,
  }));

  const lowestFixingVersion =
    open.length === 0 ? null : (candidates.find((release) => open.every((record) => !affects(record, release))) ?? null);

  return { vulnerabilities, lowestFixingVersion };
}

function severityOfRecord(record: OsvRecord): Severity | null {
  const vectors = (record.severity ?? []).filter((item) => item.type === 'CVSS_V3').map((item) => item.score);
  const label = record.database_specific?.['severity'];
  return severityOf({ vectors, ...(typeof label === 'string' ? { label } : {}) });
}

/** Groups records that share an id or alias, transitively, with a union-find over record indexes. */
function groupByName(records: readonly OsvRecord[]): OsvRecord[][] {
  const parent = records.map((_, index) => index);
  const root = (index: number): number => (parent[index] === index ? index : (parent[index] = root(parent[index]!)));
  const owner = new Map<string, number>();

  records.forEach((record, index) => {
    for (const name of [record.id, ...(record.aliases ?? [])]) {
      const other = owner.get(name);
      if (other === undefined) owner.set(name, index);
      else parent[root(index)] = root(other);
    }
  });

  const groups = new Map<number, OsvRecord[]>();
  records.forEach((record, index) => {
    const key = root(index);
    groups.set(key, [...(groups.get(key) ?? []), record]);
  });
  return [...groups.values()];
}

/**
 * Compares how much two records state. The criteria, in order: not withdrawn, then from an advisory
 * database rather than the headsup catalog (because people search for that id), then a CVSS vector,
 * a severity label, the number of range events, a summary and a publication time.
 */
function compareInformation(a: OsvRecord, b: OsvRecord): number {
  const rankA = informationRank(a);
  const rankB = informationRank(b);
  const index = rankA.findIndex((value, position) => value !== rankB[position]);
  return index === -1 ? 0 : rankA[index]! - rankB[index]!;
}

function informationRank(record: OsvRecord): number[] {
  const events = (record.affected ?? []).flatMap((entry) => entry.ranges ?? []).flatMap((range) => range.events);
  return [
    record.withdrawn === undefined ? 1 : 0,
    record.id.startsWith('HEADSUP-') ? 0 : 1,
    (record.severity ?? []).length > 0 ? 1 : 0,
    typeof record.database_specific?.['severity'] === 'string' ? 1 : 0,
    events.length,
    record.summary === undefined ? 0 : 1,
    record.published === undefined ? 0 : 1,
  ];
}
