import { compareVersions, formatVersion, isStable, minorKey, sameMinor, type Version } from '../judge/version.js';

export interface Hop {
  from: Version;
  to: Version;
}

/**
 * Computes the upgrade path from `current` to `target` over the known stable releases: one minor
 * series at a time, always to the latest patch of each series (Headscale 0.29 enforces this at
 * startup and its upgrade docs require it). A path within the current series is one hop to the
 * target. Returns an empty list when `current` is at or past `target`.
 *
 * Example: 0.26.0 → 0.29.2 over the real history gives
 * 0.26.0 → 0.26.1 → 0.27.1 → 0.28.0 → 0.29.2.
 */
export function computeUpgradePath(current: Version, target: Version, releases: readonly Version[]): Hop[] {
  if (compareVersions(current, target) >= 0) return [];

  const stable = releases.filter(isStable).sort(compareVersions);
  const stops: Version[] = [];

  const latestInCurrentSeries = latestOfSeries(stable, current, target);
  if (latestInCurrentSeries && compareVersions(latestInCurrentSeries, current) > 0) stops.push(latestInCurrentSeries);

  let position = stops.at(-1) ?? current;
  while (!sameMinor(position, target)) {
    const next = nextSeries(stable, position, target);
    if (!next) {
      throw new Error(
        `no stable release found between ${formatVersion(position)} and ${formatVersion(target)}; the release list may be incomplete`,
      );
    }
    stops.push(next);
    position = next;
  }

  if (compareVersions(position, target) < 0) stops.push(target);
  return toHops(current, dedupe(stops));
}

/** The newest stable release in `from`'s series that does not pass `limit`. */
function latestOfSeries(stable: readonly Version[], from: Version, limit: Version): Version | undefined {
  return stable.filter((v) => sameMinor(v, from) && compareVersions(v, limit) <= 0).at(-1);
}

/** The latest patch of the first series after `position` that has a stable release, bounded by `target`. */
function nextSeries(stable: readonly Version[], position: Version, target: Version): Version | undefined {
  const later = stable.filter((v) => compareVersions(v, position) > 0 && !sameMinor(v, position) && compareVersions(v, target) <= 0);
  const first = later[0];
  if (!first) return undefined;
  return latestOfSeries(later, first, target);
}

function dedupe(versions: Version[]): Version[] {
  const seen = new Set<string>();
  return versions.filter((v) => {
    const key = formatVersion(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toHops(current: Version, stops: Version[]): Hop[] {
  const hops: Hop[] = [];
  let from = current;
  for (const to of stops) {
    hops.push({ from, to });
    from = to;
  }
  return hops;
}

/** The minor series crossed by a path, e.g. `0.26 → 0.27 → 0.28`. */
export function describeSeries(hops: readonly Hop[]): string {
  const first = hops[0];
  if (!first) return '';
  return [first.from, ...hops.map((hop) => hop.to)].map(minorKey).join(' → ');
}
