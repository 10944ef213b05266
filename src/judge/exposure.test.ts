import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firstFixedTags, loadSecurityCatalog } from './catalog/index.js';
import { exposureOf, mergeAdvisories } from './exposure.js';
import type { OsvRecord } from './osv/types.js';
import { requireVersion, type Version } from './version.js';

// GHSA-wp76-cf2j-rqq7 as published in the GitHub Advisory Database (modified 2023-11-20).
const ghsa = JSON.parse(
  readFileSync(new URL('./osv/fixtures/GHSA-wp76-cf2j-rqq7.json', import.meta.url), 'utf8'),
) as OsvRecord;

const releases: Version[] = (
  JSON.parse(readFileSync(new URL('../../test/fixture/headscale-releases.json', import.meta.url), 'utf8')) as {
    releases: { tag: string }[];
  }
).releases.map((release) => requireVersion(release.tag));

const catalog = loadSecurityCatalog();
const records = mergeAdvisories([ghsa, ...catalog.records]);
const options = { firstFixedTags: firstFixedTags(catalog.entries) };

const OIDC_FIX = 'AIKIDO-2025-10026';
const MAP_FIX = 'juanfont/headscale#2642';

function exposureAt(text: string) {
  const exposure = exposureOf(requireVersion(text), records, releases, options);
  const names = exposure.vulnerabilities.flatMap((item) => [item.id, ...item.aliases]);
  return { exposure, names };
}

describe('mergeAdvisories', () => {
  it('merges the GHSA with its catalog entry', () => {
    const matching = records.filter((record) => record.id === 'GHSA-wp76-cf2j-rqq7' || record.aliases?.includes('GHSA-wp76-cf2j-rqq7'));

    expect(records).toHaveLength(catalog.records.length);
    expect(matching).toHaveLength(1);
    expect(matching[0]!.id).toBe('GHSA-wp76-cf2j-rqq7');
    expect(matching[0]!.aliases).toEqual(expect.arrayContaining(['CVE-2023-47390', 'GO-2023-2342', 'HEADSUP-2023-0001']));
    expect(matching[0]!.aliases).not.toContain('GHSA-wp76-cf2j-rqq7');
  });

  it('merges chains of aliases', () => {
    const base = { modified: '2024-01-01T00:00:00Z' };
    const merged = mergeAdvisories([
      { ...base, id: 'GO-2099-0001', aliases: ['CVE-2099-0001'] },
      { ...base, id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2099-0001'], summary: 'S', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }] },
      { ...base, id: 'HEADSUP-2099-0001', aliases: ['GHSA-aaaa-bbbb-cccc', 'owner/repo#1'] },
      { ...base, id: 'GHSA-dddd-eeee-ffff' },
    ]);

    expect(merged.map((record) => record.id)).toEqual(['GHSA-aaaa-bbbb-cccc', 'GHSA-dddd-eeee-ffff']);
    expect([...merged[0]!.aliases!].sort()).toEqual(['CVE-2099-0001', 'GO-2099-0001', 'HEADSUP-2099-0001', 'owner/repo#1']);
  });

  it('prefers a record that is not withdrawn', () => {
    const base = { modified: '2024-01-01T00:00:00Z' };
    const merged = mergeAdvisories([
      { ...base, id: 'GHSA-aaaa-bbbb-cccc', withdrawn: '2024-02-01T00:00:00Z', summary: 'S' },
      { ...base, id: 'HEADSUP-2099-0001', aliases: ['GHSA-aaaa-bbbb-cccc'] },
    ]);

    expect(merged.map((record) => record.id)).toEqual(['HEADSUP-2099-0001']);
  });
});

describe('exposureOf', () => {
  it('lists three open fixes at 0.22.3', () => {
    const { exposure, names } = exposureAt('0.22.3');

    expect(names).toContain('GHSA-wp76-cf2j-rqq7');
    expect(names).toContain(OIDC_FIX);
    expect(names).toContain(MAP_FIX);
    expect(exposure.lowestFixingVersion?.text).toBe('0.26.1');
  });

  it('reports per-record fixes at 0.22.3', () => {
    const { exposure } = exposureAt('0.22.3');
    const byId = new Map(exposure.vulnerabilities.map((item) => [item.id, item]));

    expect(byId.get('GHSA-wp76-cf2j-rqq7')?.fixedIn?.text).toBe('0.23.0');
    expect(byId.get('GHSA-wp76-cf2j-rqq7')?.severity).toBe('high');
    expect(byId.get('HEADSUP-2025-0001')?.fixedIn?.text).toBe('0.24.0');
    expect(byId.get('HEADSUP-2025-0001')?.severity).toBe('critical');
    expect(byId.get('HEADSUP-2025-0002')?.fixedIn?.text).toBe('0.26.1');
    expect(byId.get('HEADSUP-2025-0002')?.severity).toBeNull();
  });

  it('includes the GHSA at 0.23.0-alpha1', () => {
    const { names } = exposureAt('0.23.0-alpha1');

    expect(names).toContain('GHSA-wp76-cf2j-rqq7');
  });

  it('excludes the GHSA at 0.23.0-alpha2', () => {
    const { names } = exposureAt('0.23.0-alpha2');

    expect(names).not.toContain('GHSA-wp76-cf2j-rqq7');
    expect(names).toContain(MAP_FIX);
  });

  it('lists none of them at 0.26.1', () => {
    const { exposure, names } = exposureAt('0.26.1');

    expect(names).not.toContain('GHSA-wp76-cf2j-rqq7');
    expect(names).not.toContain(OIDC_FIX);
    expect(names).not.toContain(MAP_FIX);
    expect(exposure.vulnerabilities).toEqual([]);
    expect(exposure.lowestFixingVersion).toBeNull();
  });

  it('closes the GHSA alone at 0.23.0', () => {
    const exposure = exposureOf(requireVersion('0.22.3'), [ghsa], releases, options);

    expect(exposure.vulnerabilities.map((item) => item.id)).toEqual(['GHSA-wp76-cf2j-rqq7']);
    expect(exposure.lowestFixingVersion?.text).toBe('0.23.0');
  });
});
