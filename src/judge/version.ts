/**
 * Headscale version numbers as its release tags write them: `v0.29.2`, `v0.23.0-alpha12`,
 * `v0.23.0-beta3`, `v0.23.0-beta.4`, `v0.27.2-rc.1`. Other tags in the repository (`v0.28-fix`,
 * `backup/*`, `v0.22.0-nfpmtest`, `v0.23.0-alpha4-docker-ko-test`) are not releases.
 */
export type PrereleaseKind = 'alpha' | 'beta' | 'rc';

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: { readonly kind: PrereleaseKind; readonly number: number } | null;
  /** The text as written with its `v` stripped, e.g. `0.23.0-beta.4`. */
  readonly text: string;
}

const RELEASE_TAG = /^v?(\d+)\.(\d+)\.(\d+)(?:-(alpha|beta|rc)\.?(\d+))?$/;
const KIND_ORDER: Record<PrereleaseKind, number> = { alpha: 0, beta: 1, rc: 2 };

/** Parses a release tag or version; returns null for anything that is not a Headscale release. */
export function parseVersion(input: string): Version | null {
  const match = RELEASE_TAG.exec(input.trim());
  if (!match) return null;

  const [, major, minor, patch, kind, number] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: kind ? { kind: kind as PrereleaseKind, number: Number(number) } : null,
    text: input.trim().replace(/^v/, ''),
  };
}

/** Parses a version, throwing an error that names the value when it is not a release version. */
export function requireVersion(input: string): Version {
  const version = parseVersion(input);
  if (!version) {
    throw new Error(`"${input}" is not a Headscale release version; expected a form such as 0.29.2, v0.28.0 or 0.23.0-beta.4`);
  }
  return version;
}

/** Orders versions: 0.23.0-alpha1 < 0.23.0-beta3 < 0.23.0-beta.4 < 0.23.0-rc.1 < 0.23.0 < 0.23.1. */
export function compareVersions(a: Version, b: Version): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    a.patch - b.patch ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

function comparePrerelease(a: Version['prerelease'], b: Version['prerelease']): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.number - b.number;
}

export function isStable(version: Version): boolean {
  return version.prerelease === null;
}

export function sameMinor(a: Version, b: Version): boolean {
  return a.major === b.major && a.minor === b.minor;
}

/** The series a version belongs to, e.g. `0.29`. */
export function minorKey(version: Version): string {
  return `${version.major}.${version.minor}`;
}

/** The tag form, e.g. `v0.29.2`. */
export function tagOf(version: Version): string {
  return `v${version.text}`;
}

export function formatVersion(version: Version): string {
  return version.text;
}

export function versionsEqual(a: Version, b: Version): boolean {
  return compareVersions(a, b) === 0;
}
