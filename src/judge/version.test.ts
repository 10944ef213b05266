import { describe, expect, it } from 'vitest';
import { loadReleaseSnapshot } from '../watch/snapshot/index.js';
import {
  compareVersions,
  formatVersion,
  isStable,
  minorKey,
  parseVersion,
  requireVersion,
  sameMinor,
  tagOf,
  versionsEqual,
} from './version.js';

const v = requireVersion;

describe('parseVersion', () => {
  const accepted: [string, object][] = [
    ['v0.29.2', { major: 0, minor: 29, patch: 2, prerelease: null, text: '0.29.2' }],
    ['0.29.2', { major: 0, minor: 29, patch: 2, prerelease: null, text: '0.29.2' }],
    ['v0.23.0-alpha12', { prerelease: { kind: 'alpha', number: 12 }, text: '0.23.0-alpha12' }],
    ['v0.23.0-beta3', { prerelease: { kind: 'beta', number: 3 }, text: '0.23.0-beta3' }],
    ['v0.23.0-beta.4', { prerelease: { kind: 'beta', number: 4 }, text: '0.23.0-beta.4' }],
    ['v0.27.2-rc.1', { patch: 2, prerelease: { kind: 'rc', number: 1 }, text: '0.27.2-rc.1' }],
    ['  v1.10.0\n', { major: 1, minor: 10, patch: 0, text: '1.10.0' }],
  ];

  it.each(accepted)('accepts %s', (input, expected) => {
    expect(parseVersion(input)).toMatchObject(expected);
  });

  const rejected = [
    'v0.28-fix',
    'backup/v0.22.3',
    'v0.22.0-nfpmtest',
    'v0.23.0-alpha4-docker-ko-test',
    'v0.23.0-alpha-docker-release-test',
    'v0.23.0-alpha',
    '0.29',
    'latest',
    '',
  ];

  it.each(rejected)('rejects %s', (input) => {
    expect(parseVersion(input)).toBeNull();
  });

  it('accepts every real release tag', () => {
    for (const release of loadReleaseSnapshot().releases) {
      expect(parseVersion(release.tag)?.text).toBe(release.tag.slice(1));
    }
  });
});

describe('requireVersion', () => {
  it('names the rejected value', () => {
    expect(() => requireVersion('v0.28-fix')).toThrow(/"v0\.28-fix" is not a Headscale release version/);
  });
});

describe('compareVersions', () => {
  it('orders real prereleases before the release', () => {
    const ordered = ['0.23.0-alpha1', '0.23.0-alpha12', '0.23.0-beta3', '0.23.0-beta.4', '0.23.0-rc.1', '0.23.0', '0.23.1', '0.24.0-beta.1'];

    for (let i = 1; i < ordered.length; i++) {
      expect(compareVersions(v(ordered[i - 1]!), v(ordered[i]!))).toBeLessThan(0);
      expect(compareVersions(v(ordered[i]!), v(ordered[i - 1]!))).toBeGreaterThan(0);
    }
  });

  it('compares numbers, not text', () => {
    expect(compareVersions(v('0.9.0'), v('0.10.0'))).toBeLessThan(0);
    expect(compareVersions(v('0.23.0-alpha2'), v('0.23.0-alpha10'))).toBeLessThan(0);
    expect(compareVersions(v('1.0.0'), v('0.99.99'))).toBeGreaterThan(0);
  });

  it('sorts the real history by version', () => {
    const versions = loadReleaseSnapshot().releases.map((release) => release.version);
    const sorted = [...versions].sort(compareVersions).map(formatVersion);

    expect(sorted.indexOf('0.24.3')).toBeLessThan(sorted.indexOf('0.25.0-beta.1'));
    expect(sorted.at(-1)).toBe('0.29.2');
    expect(sorted[0]).toBe('0.15.0-beta1');
  });

  it('treats the v prefix as equal', () => {
    expect(versionsEqual(v('v0.29.2'), v('0.29.2'))).toBe(true);
  });
});

describe('version helpers', () => {
  it('tells stable from prerelease', () => {
    expect(isStable(v('0.29.2'))).toBe(true);
    expect(isStable(v('0.27.2-rc.1'))).toBe(false);
  });

  it('groups by minor series', () => {
    expect(sameMinor(v('0.29.0-beta.1'), v('0.29.2'))).toBe(true);
    expect(sameMinor(v('0.28.0'), v('0.29.0'))).toBe(false);
    expect(sameMinor(v('1.29.0'), v('0.29.0'))).toBe(false);
    expect(minorKey(v('0.29.2'))).toBe('0.29');
  });

  it('formats tags and text', () => {
    expect(tagOf(v('0.23.0-beta.4'))).toBe('v0.23.0-beta.4');
    expect(formatVersion(v('v0.23.0-beta3'))).toBe('0.23.0-beta3');
  });
});
