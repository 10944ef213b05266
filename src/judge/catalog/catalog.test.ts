import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAffected } from '../osv/ranges.js';
import { requireVersion } from '../version.js';
import { firstFixedTags, HEADSCALE_PACKAGE, loadSecurityCatalog, parseSecurityCatalog, SecurityCatalogError } from './index.js';
import { securityCatalogSchema } from './schema.js';

const shippedJson = JSON.parse(
  readFileSync(new URL('../../../data/security-catalog.json', import.meta.url), 'utf8'),
) as { entries: Record<string, unknown>[] };

function withEntryChange(index: number, change: Record<string, unknown>): unknown {
  const entries = shippedJson.entries.map((entry, position) => (position === index ? { ...entry, ...change } : entry));
  return { entries };
}

function issuesOf(json: unknown): string[] {
  try {
    parseSecurityCatalog(json, 'test');
  } catch (error) {
    if (error instanceof SecurityCatalogError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('shipped security catalog', () => {
  it('validates against its schema', () => {
    const result = securityCatalogSchema.safeParse(shippedJson);

    expect(result.error?.issues).toBeUndefined();
    expect(result.success).toBe(true);
  });

  it('loads as OSV records', () => {
    const catalog = loadSecurityCatalog();

    expect(catalog.records.map((record) => record.id)).toEqual(catalog.entries.map((entry) => entry.id));
    expect(catalog.records.length).toBeGreaterThanOrEqual(5);
  });

  it('maps the GHSA alias to v0.23.0-alpha2', () => {
    const tags = firstFixedTags(loadSecurityCatalog().entries);

    expect(tags['GHSA-wp76-cf2j-rqq7']).toBe('v0.23.0-alpha2');
    expect(tags['CVE-2023-47390']).toBe('v0.23.0-alpha2');
  });

  it('converts ranges the evaluator reads', () => {
    const record = loadSecurityCatalog().records.find((item) => item.aliases?.includes('juanfont/headscale#2642'));

    expect(record).toBeDefined();
    expect(isAffected(record!, HEADSCALE_PACKAGE, requireVersion('0.26.0'))).toBe(true);
    expect(isAffected(record!, HEADSCALE_PACKAGE, requireVersion('0.26.1'))).toBe(false);
  });
});

describe('parseSecurityCatalog', () => {
  it('rejects an unparsable fixed version with its path', () => {
    const issues = issuesOf(withEntryChange(1, { affected: [{ introduced: '0', fixed: 'next' }] }));

    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^entries\.1\.affected\.0\.fixed: /);
  });

  it('rejects an unknown key with its path', () => {
    const issues = issuesOf(withEntryChange(0, { cvss: '7.5' }));

    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^entries\.0: .*cvss/);
  });

  it('rejects a malformed severity', () => {
    const issues = issuesOf(withEntryChange(2, { severity: 'CVSS:3.1/AV:X' }));

    expect(issues[0]).toMatch(/^entries\.2\.severity: /);
  });

  it('rejects firstFixed that differs from fixed', () => {
    const issues = issuesOf(withEntryChange(3, { firstFixed: 'v0.23.0' }));

    expect(issues).toEqual(['entries.3.firstFixed: firstFixed must be the lowest fixed version of the affected ranges']);
  });

  it('rejects a duplicate id', () => {
    const issues = issuesOf(withEntryChange(1, { id: shippedJson.entries[0]!['id'] }));

    expect(issues).toEqual([`entries.1.id: duplicate id ${String(shippedJson.entries[0]!['id'])}`]);
  });

  it('names the origin in the message', () => {
    expect(() => parseSecurityCatalog({ entries: 'none' }, 'catalog.json')).toThrow(
      /^invalid security catalog catalog\.json:\n {2}entries: /,
    );
  });
});
