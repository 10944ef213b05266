import { parseGithubRange } from '../../judge/osv/github-range.js';
import type { OsvEvent } from '../../judge/osv/types.js';
import { compareVersions, parseVersion, type Version } from '../../judge/version.js';

/** A `vulnerable_version_range` that parses but has no equivalent in OSV events. */
export class UnsupportedRangeError extends Error {
  constructor(
    readonly range: string,
    reason: string,
  ) {
    super(`"${range}" cannot be written as OSV events: ${reason}`);
    this.name = 'UnsupportedRangeError';
  }
}

interface Bound {
  operator: string;
  version: Version;
}

/**
 * Converts a GitHub advisory `vulnerable_version_range` into OSV `ECOSYSTEM` events:
 * `< B` and `<= B` become `introduced: 0` with `fixed: B` or `last_affected: B`, a leading `>= A`
 * sets `introduced: A`, and `= X` becomes `introduced: X, last_affected: X`. A missing minor or
 * patch number counts as 0, as in `parseGithubRange`.
 *
 * `> A` has no OSV event, because `introduced` includes its version, and an empty range such as
 * `>= 2.0.0, < 1.0.0` would read as open-ended once the events are sorted.
 *
 * @throws Error from `parseGithubRange` when the range does not parse.
 * @throws UnsupportedRangeError when it parses but has no OSV equivalent.
 */
export function rangeToEvents(range: string): OsvEvent[] {
  parseGithubRange(range);
  const bounds = range.split(',').map(readBound);

  const exact = bounds.filter((bound) => bound.operator === '=');
  if (exact.length > 0) {
    if (bounds.length > 1) throw new UnsupportedRangeError(range, '"=" cannot be combined with other comparisons');
    return [{ introduced: exact[0]!.version.text }, { last_affected: exact[0]!.version.text }];
  }
  if (bounds.some((bound) => bound.operator === '>')) {
    throw new UnsupportedRangeError(range, 'OSV has no exclusive lower bound; only ">=" can start a range');
  }

  const lower = single(range, bounds.filter((bound) => bound.operator === '>='), 'lower');
  const upper = single(range, bounds.filter((bound) => bound.operator === '<' || bound.operator === '<='), 'upper');
  if (lower && upper && isEmpty(lower, upper)) throw new UnsupportedRangeError(range, 'it contains no version');

  const events: OsvEvent[] = [{ introduced: lower?.version.text ?? '0' }];
  if (upper?.operator === '<') events.push({ fixed: upper.version.text });
  if (upper?.operator === '<=') events.push({ last_affected: upper.version.text });
  return events;
}

/** Reads one comparison that `parseGithubRange` accepted, e.g. `>= 1.0` as `>=` and 1.0.0. */
function readBound(part: string): Bound {
  const match = /^(<=|>=|<|>|=)\s*(\S+)$/.exec(part.trim())!;
  return { operator: match[1]!, version: parseVersion(padVersion(match[2]!))! };
}

function single(range: string, bounds: Bound[], side: 'lower' | 'upper'): Bound | undefined {
  if (bounds.length > 1) throw new UnsupportedRangeError(range, `it has ${bounds.length} ${side} bounds`);
  return bounds[0];
}

function isEmpty(lower: Bound, upper: Bound): boolean {
  const order = compareVersions(lower.version, upper.version);
  return upper.operator === '<' ? order >= 0 : order > 0;
}

/** Fills a missing minor or patch number with 0 and drops a leading `v`: `v1.2` becomes `1.2.0`. */
function padVersion(text: string): string {
  const match = /^v?(\d+)(\.\d+)?(\.\d+)?(-.*)?$/.exec(text);
  if (!match) return text;

  const [, major, minor = '.0', patch = '.0', prerelease = ''] = match;
  return `${major}${minor}${patch}${prerelease}`;
}
