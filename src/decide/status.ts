import { compareVersions, isStable, type Version } from '../judge/version.js';
import { computeUpgradePath, type Hop } from './path.js';

export interface VersionStatus {
  latest: Version | null;
  /** Stable releases newer than the current version, up to the latest. */
  behind: number;
  path: Hop[];
}

/** Returns the newest stable release, or null when there is none. */
export function latestStable(releases: readonly Version[]): Version | null {
  return releases.filter(isStable).sort(compareVersions).at(-1) ?? null;
}

/** Compares a version with the known releases: the latest stable release, how many releases behind, and the path to it. */
export function assessVersion(current: Version, releases: readonly Version[]): VersionStatus {
  const stable = releases.filter(isStable).sort(compareVersions);
  const latest = stable.at(-1) ?? null;
  if (!latest) return { latest: null, behind: 0, path: [] };

  const behind = stable.filter((version) => compareVersions(version, current) > 0).length;
  return { latest, behind, path: computeUpgradePath(current, latest, stable) };
}
