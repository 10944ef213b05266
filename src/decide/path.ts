import { compareVersions, formatVersion, isStable, minorKey, sameMinor, type Version } from '../judge/version.js';

export interface Hop {
  from: Version;
  to: Version;
}

/**
 * Computes the upgrade path from `current` to `target` over the known releases: one minor series
 * at a time, each time to the latest stable patch of that series that does not pass the target,
 * and finally to the target itself. Headscale 0.29 refuses at startup to skip a minor series, and
 * its upgrade guide requires the latest patch of each. A target in the current series is one hop,
 * because patch changes within a series are always allowed. Returns an empty list when `current`
 * is at or past `target`.
 *
 * Throws when the releases skip a series between the two (for example no 0.27 release between
 * 0.26 and 0.28), because a path through a missing series cannot be safe.
 *
 * Example: 0.26.0 → 0.29.2 over the real history gives 0.26.0 → 0.26.1 → 0.27.1 → 0.28.0 → 0.29.2.
 */
export function computeUpgradePath(current: Version, target: Version, releases: readonly Version[]): Hop[] {
  if (compareVersions(current, target) >= 0) return [];
  if (sameMinor(current, target)) return [{ from: current, to: target }];

  const stable = releases.filter(isStable).sort(compareVersions);
  const stops: Version[] = [];

  const currentSeriesLatest = stable.filter((v) => sameMinor(v, current) && compareVersions(v, current) > 0).at(-1);
  if (currentSeriesLatest) stops.push(currentSeriesLatest);

  let previous = current;
  for (const series of seriesBetween(current, target, stable)) {
    if (!isNextSeries(previous, series)) {
      throw new Error(
        `no stable release of Headscale ${nextSeriesName(previous)} is known between ${formatVersion(current)} and ${formatVersion(target)}; the release list may be incomplete`,
      );
    }
    if (sameMinor(series, target)) {
      stops.push(target);
    } else {
      stops.push(stable.filter((v) => sameMinor(v, series)).at(-1)!);
    }
    previous = series;
  }

  if (!sameMinor(previous, target)) {
    throw new Error(
      `no stable release of Headscale ${nextSeriesName(previous)} is known between ${formatVersion(current)} and ${formatVersion(target)}; the release list may be incomplete`,
    );
  }
  return toHops(current, stops);
}

/** Picks one representative per minor series after `current`'s up to `target`'s, in order; the target's series is always included. */
function seriesBetween(current: Version, target: Version, stable: readonly Version[]): Version[] {
  const representatives = new Map<string, Version>();
  for (const version of [...stable, target]) {
    if (compareVersions(version, current) <= 0 || sameMinor(version, current)) continue;
    if (compareVersions(version, target) > 0 && !sameMinor(version, target)) continue;
    if (!representatives.has(minorKey(version))) representatives.set(minorKey(version), version);
  }
  return [...representatives.values()].sort(compareVersions);
}

/** True when `series` is the minor series right after `previous`'s: 0.26 → 0.27, or 0.x → 1.0. */
function isNextSeries(previous: Version, series: Version): boolean {
  if (series.major === previous.major) return series.minor === previous.minor + 1;
  return series.major === previous.major + 1 && series.minor === 0;
}

function nextSeriesName(version: Version): string {
  return `${version.major}.${version.minor + 1}`;
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

/** Lists the minor series crossed by a path, e.g. `0.26 → 0.27 → 0.28`. */
export function describeSeries(hops: readonly Hop[]): string {
  const first = hops[0];
  if (!first) return '';
  const series = [first.from, ...hops.map((hop) => hop.to)].map(minorKey);
  return series.filter((key, index) => key !== series[index - 1]).join(' → ');
}
