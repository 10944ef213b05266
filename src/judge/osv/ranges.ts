import { compareVersions, parseVersion, type Version } from '../version.js';
import { OsvRecordError, parseRangeEvents, type RangeEvent } from './events.js';
import type { OsvAffected, OsvRange, OsvRecord } from './types.js';

export { OsvRecordError } from './events.js';

export interface AffectedOptions {
  /**
   * The first release tag that contains the fix, by record id, e.g.
   * `{ 'GHSA-wp76-cf2j-rqq7': 'v0.23.0-alpha2' }`. It is used only where a range ends in
   * `last_affected`: versions above that bound but below this tag are then affected too.
   */
  readonly firstFixedTags?: Readonly<Record<string, string>>;
}

/**
 * Decides whether an OSV record affects `version` of `packageName`, following the OSV schema's
 * evaluation: an exact `versions` entry matches, or a `SEMVER` or `ECOSYSTEM` range covers the
 * version. `GIT` ranges are ignored, and a withdrawn record affects nothing. Entries match on
 * `package.name` alone, whatever their ecosystem.
 *
 * `last_affected` alone makes every later version look safe, including prereleases that sort
 * above it but were tagged before the fix: GHSA-wp76-cf2j-rqq7 ends at `last_affected: 0.22.3`,
 * yet 0.23.0-alpha1 lacks the fix, which first shipped in v0.23.0-alpha2. `options.firstFixedTags`
 * closes that gap.
 *
 * @throws OsvRecordError when a range event is malformed or its version does not parse.
 */
export function isAffected(
  record: OsvRecord,
  packageName: string,
  version: Version,
  options: AffectedOptions = {},
): boolean {
  if (record.withdrawn !== undefined) return false;

  const firstFixed = firstFixedFor(record.id, options);

  return (record.affected ?? []).some(
    (entry) => entry.package.name === packageName && entryAffects(record.id, entry, version, firstFixed),
  );
}

/** Filters `versions` down to those the record affects, keeping their order. */
export function affectedVersions(
  record: OsvRecord,
  packageName: string,
  versions: readonly Version[],
  options: AffectedOptions = {},
): Version[] {
  return versions.filter((version) => isAffected(record, packageName, version, options));
}

function firstFixedFor(recordId: string, options: AffectedOptions): Version | null {
  const tag = options.firstFixedTags?.[recordId];
  if (tag === undefined) return null;

  const version = parseVersion(tag);
  if (!version) {
    throw new Error(`firstFixedTags["${recordId}"] is "${tag}", which is not a Headscale release tag such as v0.23.0-alpha2`);
  }
  return version;
}

function entryAffects(recordId: string, entry: OsvAffected, version: Version, firstFixed: Version | null): boolean {
  const listed = (entry.versions ?? []).some((text) => {
    const candidate = parseVersion(text);
    return candidate !== null && compareVersions(candidate, version) === 0;
  });
  if (listed) return true;

  return (entry.ranges ?? []).some((range) => rangeAffects(recordId, range, version, firstFixed));
}

function rangeAffects(recordId: string, range: OsvRange, version: Version, firstFixed: Version | null): boolean {
  if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') return false;

  const events = withFirstFixed(parseRangeEvents(recordId, range), firstFixed);

  // A version at or above every `limit` is outside the range, whatever the other events state.
  const limits = events.flatMap((event) => (event.kind === 'limit' ? [event.at] : []));
  if (limits.length > 0 && !limits.some((limit) => compareVersions(version, limit) < 0)) return false;

  let affected = false;
  for (const event of events) {
    if (event.kind === 'introduced') {
      if (event.at === null || compareVersions(version, event.at) >= 0) affected = true;
    } else if (event.kind === 'fixed') {
      if (compareVersions(version, event.at) >= 0) affected = false;
    } else if (event.kind === 'last_affected') {
      if (compareVersions(version, event.at) > 0) affected = false;
    }
  }
  return affected;
}

/**
 * Replaces a range's closing `last_affected` with a `fixed` event at the first fixed tag. This applies
 * only when the range has no `fixed` event, `last_affected` is its highest event, and the tag sorts
 * above it. Otherwise the record's own bound applies.
 */
function withFirstFixed(events: RangeEvent[], firstFixed: Version | null): RangeEvent[] {
  if (firstFixed === null || events.some((event) => event.kind === 'fixed')) return events;

  const bounds = events.filter((event) => event.kind !== 'limit');
  const last = bounds[bounds.length - 1];
  if (last?.kind !== 'last_affected' || compareVersions(firstFixed, last.at) <= 0) return events;

  return events.map((event) => (event === last ? { kind: 'fixed', at: firstFixed } : event));
}
