import { describe, expect, it } from 'vitest';
import { compareVersions, isStable } from '../../judge/version.js';
import { loadReleaseSnapshot } from './index.js';

describe('loadReleaseSnapshot', () => {
  const snapshot = loadReleaseSnapshot();

  it('reads the shipped snapshot date', () => {
    expect(snapshot.snapshotDate).toBe('2026-07-21');
  });

  it('has 0.29.2 as latest stable', () => {
    const stable = snapshot.releases.filter((release) => isStable(release.version)).map((release) => release.version);
    const latest = stable.sort(compareVersions).at(-1);

    expect(latest?.text).toBe('0.29.2');
  });

  it('holds only release tags', () => {
    expect(snapshot.releases).toHaveLength(95);
    expect(snapshot.releases.map((release) => release.tag)).not.toContain('v0.28-fix');
  });

  it('carries dates and prerelease flags', () => {
    const rc = snapshot.releases.find((release) => release.tag === 'v0.27.2-rc.1');

    expect(rc?.prerelease).toBe(true);
    expect(rc?.publishedAt).toBeInstanceOf(Date);
    expect(rc?.body).toBe('');
    expect(rc?.assets).toEqual([]);
  });

  it('flags prereleases by tag', () => {
    for (const release of snapshot.releases) {
      expect(release.prerelease).toBe(!isStable(release.version));
    }
  });
});
