import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareVersions, requireVersion, type Version } from '../version.js';
import { affectedVersions, isAffected } from './ranges.js';
import type { OsvRecord } from './types.js';

const repositoryRoot = new URL('../../../', import.meta.url);
const HEADSCALE = 'github.com/juanfont/headscale';

// GHSA-wp76-cf2j-rqq7 as published in the GitHub Advisory Database (modified 2023-11-20).
const record = JSON.parse(
  readFileSync(new URL('./fixtures/GHSA-wp76-cf2j-rqq7.json', import.meta.url), 'utf8'),
) as OsvRecord;

const releases: Version[] = (
  JSON.parse(readFileSync(new URL('test/fixture/headscale-releases.json', repositoryRoot), 'utf8')) as {
    releases: { tag: string }[];
  }
).releases.map((release) => requireVersion(release.tag));

// The fix (turning off gRPC logging) first shipped in v0.23.0-alpha2.
const firstFixedTags = { 'GHSA-wp76-cf2j-rqq7': 'v0.23.0-alpha2' };
const texts = (versions: Version[]) => versions.map((version) => version.text);

describe('GHSA-wp76-cf2j-rqq7 against Headscale releases', () => {
  it('affects releases through 0.23.0-alpha1', () => {
    const ceiling = requireVersion('0.23.0-alpha1');
    const expected = releases.filter((version) => compareVersions(version, ceiling) <= 0);

    const affected = texts(affectedVersions(record, HEADSCALE, releases, { firstFixedTags }));

    expect(affected).toEqual(texts(expected));
    expect(affected).toHaveLength(48);
    expect(affected[0]).toBe('0.15.0-beta1');
    expect(affected.slice(-2)).toEqual(['0.22.3', '0.23.0-alpha1']);
  });

  it('splits at 0.23.0-alpha2', () => {
    expect(isAffected(record, HEADSCALE, requireVersion('v0.22.3'), { firstFixedTags })).toBe(true);
    expect(isAffected(record, HEADSCALE, requireVersion('v0.23.0-alpha1'), { firstFixedTags })).toBe(true);
    expect(isAffected(record, HEADSCALE, requireVersion('v0.23.0-alpha2'), { firstFixedTags })).toBe(false);
  });

  it('spares releases from 0.23.0-alpha2', () => {
    const firstFixed = requireVersion('0.23.0-alpha2');
    const later = releases.filter((version) => compareVersions(version, firstFixed) >= 0);

    expect(later.length).toBeGreaterThan(40);
    expect(affectedVersions(record, HEADSCALE, later, { firstFixedTags })).toEqual([]);
  });

  it('misses 0.23.0-alpha1 without firstFixedTags', () => {
    // The schema's false negative: alpha1 sorts above last_affected 0.22.3 but lacks the fix.
    const affected = texts(affectedVersions(record, HEADSCALE, releases));

    expect(affected).toContain('0.22.3');
    expect(affected).not.toContain('0.23.0-alpha1');
    expect(affected[affected.length - 1]).toBe('0.22.3');
  });

  it('ignores another record\'s fixed tag', () => {
    const options = { firstFixedTags: { 'GHSA-0000-0000-0000': 'v0.23.0-alpha2' } };

    expect(isAffected(record, HEADSCALE, requireVersion('0.23.0-alpha1'), options)).toBe(false);
  });

  it('affects no other package', () => {
    expect(isAffected(record, 'github.com/tailscale/tailscale', requireVersion('0.22.3'))).toBe(false);
  });
});
