import { describe, expect, it } from 'vitest';
import { formatVersion, requireVersion } from '../judge/version.js';
import { loadReleaseSnapshot } from '../watch/snapshot/index.js';
import { computeUpgradePath, describeSeries, type Hop } from './path.js';

/** The real Headscale history, v0.15.0-beta1 to v0.29.2, prereleases included. */
const history = loadReleaseSnapshot().releases.map((release) => release.version);

function stops(from: string, to: string, releases = history): string[] {
  return computeUpgradePath(requireVersion(from), requireVersion(to), releases).map((hop) => formatVersion(hop.to));
}

describe('computeUpgradePath over the real history', () => {
  it('goes 0.26.0 to 0.29.2 series by series', () => {
    expect(stops('0.26.0', '0.29.2')).toEqual(['0.26.1', '0.27.1', '0.28.0', '0.29.2']);
  });

  it('passes 0.27.1 from 0.26.1 to 0.28.0', () => {
    expect(stops('0.26.1', '0.28.0')).toEqual(['0.27.1', '0.28.0']);
  });

  it('passes 0.23.0 and 0.24.3 to 0.25.1', () => {
    expect(stops('0.22.3', '0.25.1')).toEqual(['0.23.0', '0.24.3', '0.25.1']);
  });

  it('makes a same-minor patch one hop', () => {
    expect(stops('0.29.0', '0.29.2')).toEqual(['0.29.2']);
    expect(stops('0.24.0', '0.24.3')).toEqual(['0.24.3']);
  });

  it('stops at a target below the latest patch', () => {
    expect(stops('0.24.0', '0.24.2')).toEqual(['0.24.2']);
    expect(stops('0.26.0', '0.27.0')).toEqual(['0.26.1', '0.27.0']);
  });

  it('is empty at or after the target', () => {
    expect(stops('0.29.2', '0.29.2')).toEqual([]);
    expect(stops('0.29.2', '0.28.0')).toEqual([]);
  });

  it('skips prereleases as stops', () => {
    expect(stops('0.27.1', '0.29.2')).toEqual(['0.28.0', '0.29.2']);
    expect(stops('0.23.0-beta3', '0.24.3')).toEqual(['0.23.0', '0.24.3']);
  });

  it('chains hops from the current version', () => {
    const hops: Hop[] = computeUpgradePath(requireVersion('0.26.0'), requireVersion('0.28.0'), history);

    expect(hops.map((hop) => `${formatVersion(hop.from)}→${formatVersion(hop.to)}`)).toEqual(['0.26.0→0.26.1', '0.26.1→0.27.1', '0.27.1→0.28.0']);
  });

  it('goes straight to a newer patch of the series', () => {
    expect(stops('0.29.0', '0.29.3')).toEqual(['0.29.3']);
  });

  it('rejects a list without an intermediate series', () => {
    const without27 = history.filter((version) => version.minor !== 27);

    expect(() => stops('0.26.1', '0.28.0', without27)).toThrow(/no stable release of Headscale 0\.27 is known between 0\.26\.1 and 0\.28\.0/);
  });

  it('reaches a prerelease target in a later series', () => {
    expect(stops('0.28.0', '0.29.0-beta.4')).toEqual(['0.29.0-beta.4']);
    expect(stops('0.22.3', '0.23.0-rc.1')).toEqual(['0.23.0-rc.1']);
    expect(stops('0.27.0', '0.29.0-beta.4')).toEqual(['0.27.1', '0.28.0', '0.29.0-beta.4']);
  });
});

describe('describeSeries', () => {
  it('lists the series crossed', () => {
    const hops = computeUpgradePath(requireVersion('0.26.1'), requireVersion('0.28.0'), history);

    expect(describeSeries(hops)).toBe('0.26 → 0.27 → 0.28');
  });

  it('names the starting series once', () => {
    const hops = computeUpgradePath(requireVersion('0.26.0'), requireVersion('0.29.2'), history);

    expect(describeSeries(hops)).toBe('0.26 → 0.27 → 0.28 → 0.29');
  });

  it('is empty without hops', () => {
    expect(describeSeries([])).toBe('');
  });
});
