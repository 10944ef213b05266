import { compareVersions, parseVersion, type Version } from '../version.js';

/** A predicate over versions built from a GitHub advisory's `vulnerable_version_range`. */
export type VersionPredicate = (version: Version) => boolean;

type Operator = '<' | '<=' | '>' | '>=' | '=';

const COMPARISON = /^(<=|>=|<|>|=)\s*(\S+)$/;

const ACCEPTS: Record<Operator, (order: number) => boolean> = {
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
  '=': (order) => order === 0,
};

/**
 * Parses a GitHub advisory `vulnerable_version_range` such as `<= 0.22.3` or `>= 0.1.0, < 0.24.0`
 * into a predicate. Comma-separated comparisons must all hold. A version may carry a leading `v`,
 * and a missing minor or patch number counts as 0 (`>= 1.0` means `>= 1.0.0`).
 *
 * @throws Error naming the comparison that is empty, has no operator or has an invalid version.
 */
export function parseGithubRange(range: string): VersionPredicate {
  const comparisons = range.split(',').map((part) => parseComparison(range, part.trim()));

  return (version) => comparisons.every((accepts) => accepts(version));
}

function parseComparison(range: string, part: string): VersionPredicate {
  const match = COMPARISON.exec(part);
  if (!match) {
    throw new Error(
      `invalid GitHub version range "${range}": comparison "${part}" must be an operator (<, <=, >, >=, =) followed by a version`,
    );
  }

  const operator = match[1] as Operator;
  const bound = parseVersion(padVersion(match[2]!));
  if (!bound) {
    throw new Error(`invalid GitHub version range "${range}": "${match[2]}" in comparison "${part}" is not a release version`);
  }

  const accepts = ACCEPTS[operator];
  return (version) => accepts(compareVersions(version, bound));
}

/** Fills a missing minor or patch number with 0: `1` becomes `1.0.0`, `v1.2` becomes `v1.2.0`. */
function padVersion(text: string): string {
  const match = /^(v?\d+)(\.\d+)?(\.\d+)?(-.*)?$/.exec(text);
  if (!match) return text;

  const [, major, minor = '.0', patch = '.0', prerelease = ''] = match;
  return `${major}${minor}${patch}${prerelease}`;
}
