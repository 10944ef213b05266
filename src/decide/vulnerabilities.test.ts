import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { firstFixedTags, loadSecurityCatalog } from '../judge/catalog/index.js';
import { DEFAULT_DEADLINE_WINDOWS } from '../judge/deadlines.js';
import { mergeAdvisories } from '../judge/exposure.js';
import { formatVersion, requireVersion } from '../judge/version.js';
import { openStateDatabase, type StateDatabase } from '../store/database.js';
import { DeadlineRepository } from '../store/deadlines.js';
import type { Release } from '../watch/release.js';
import { loadReleaseSnapshot } from '../watch/snapshot/index.js';
import { assessVulnerabilities, possibleSecurityReleases } from './vulnerabilities.js';

const catalog = loadSecurityCatalog();
const records = mergeAdvisories(catalog.records);
const tags = firstFixedTags(catalog.entries);
const releases = loadReleaseSnapshot().releases;
const DAY = 86_400_000;

describe('assessVulnerabilities', () => {
  let dir: string | null = null;
  let db: StateDatabase | null = null;
  afterEach(() => {
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    db = null;
    dir = null;
  });

  it('dates 0.23.0 deadlines from the fixes', () => {
    const now = new Date('2025-06-08T00:00:00Z');
    const assessment = assessVulnerabilities({ version: requireVersion('0.23.0'), records, releases, firstFixedTags: tags, windows: DEFAULT_DEADLINE_WINDOWS, now });

    const byId = Object.fromEntries(assessment.vulnerabilities.map((item) => [item.displayId, item]));
    expect(Object.keys(byId).sort()).toEqual(['HEADSUP-2025-0001', 'HEADSUP-2025-0002']);

    // Critical label: two days after 0.24.0 was published on 2025-01-17 11:01:06 UTC.
    expect(byId['HEADSUP-2025-0001']!.deadline?.dueAt).toEqual(new Date(Date.parse('2025-01-17T11:01:06Z') + 2 * DAY));
    expect(byId['HEADSUP-2025-0001']!.deadline?.status.overdue).toBe(true);
    // Unrated: the high window of seven days from 0.26.1, published 2025-06-06 10:16:37 UTC.
    expect(byId['HEADSUP-2025-0002']!.deadline?.dueAt).toEqual(new Date(Date.parse('2025-06-06T10:16:37Z') + 7 * DAY));
    expect(byId['HEADSUP-2025-0002']!.deadline?.status.text).toBe('due in 5 days');

    expect(assessment.nextDeadline?.vulnerability).toBe('HEADSUP-2025-0001');
    expect(formatVersion(assessment.lowestFixingVersion!)).toBe('0.26.1');
  });

  it('counts from the advisory when it came after the fix', () => {
    // GHSA-wp76-cf2j-rqq7 (published in the catalog 2023-12-10) affects 0.22.3 and is fixed in
    // 0.23.0, published 2024-09-18, so the release date counts.
    const assessment = assessVulnerabilities({ version: requireVersion('0.22.3'), records, releases, firstFixedTags: tags, windows: DEFAULT_DEADLINE_WINDOWS, now: new Date('2026-01-01T00:00:00Z') });
    const ghsa = assessment.vulnerabilities.find((item) => item.displayId === 'GHSA-wp76-cf2j-rqq7')!;
    expect(ghsa.deadline?.startsAt).toEqual(new Date('2024-09-18T08:43:08.000Z'));
    expect(ghsa.vectors).toEqual(['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N']);

    const later = records.map((record) => (record.aliases?.includes('GHSA-wp76-cf2j-rqq7') ? { ...record, published: '2024-10-01T00:00:00Z' } : record));
    const reassessed = assessVulnerabilities({ version: requireVersion('0.22.3'), records: later, releases, firstFixedTags: tags, windows: DEFAULT_DEADLINE_WINDOWS, now: new Date('2026-01-01T00:00:00Z') });
    expect(reassessed.vulnerabilities.find((item) => item.displayId === 'GHSA-wp76-cf2j-rqq7')!.deadline?.startsAt).toEqual(new Date('2024-10-01T00:00:00Z'));
  });

  it('keeps a stored deadline when the windows change afterwards', () => {
    dir = mkdtempSync(join(tmpdir(), 'headsup-assess-'));
    db = openStateDatabase(join(dir, 'state.db'));
    const store = { instance: 'hs1', deadlines: new DeadlineRepository(db) };
    const base = { version: requireVersion('0.26.0'), records, releases, firstFixedTags: tags, now: new Date('2025-06-07T00:00:00Z'), store };

    const first = assessVulnerabilities({ ...base, windows: DEFAULT_DEADLINE_WINDOWS });
    const second = assessVulnerabilities({ ...base, windows: { ...DEFAULT_DEADLINE_WINDOWS, high: 1 * DAY }, now: new Date('2025-06-09T00:00:00Z') });

    expect(second.nextDeadline?.dueAt).toEqual(first.nextDeadline?.dueAt);
    expect(second.nextDeadline?.status.text).toBe('due in 4 days');
  });

  it('sets no deadline while no release fixes the vulnerability', () => {
    const beyond = requireVersion('0.29.2');
    const unfixed = [
      ...records,
      { id: 'HEADSUP-TEST-0001', modified: '2026-01-01T00:00:00Z', published: '2026-01-01T00:00:00Z', database_specific: { severity: 'HIGH' }, affected: [{ package: { ecosystem: 'Go', name: 'github.com/juanfont/headscale' }, ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }] }] }] },
    ];
    const assessment = assessVulnerabilities({ version: beyond, records: unfixed, releases, firstFixedTags: tags, windows: DEFAULT_DEADLINE_WINDOWS, now: new Date('2026-02-01T00:00:00Z') });
    expect(assessment.vulnerabilities.map((item) => [item.id, item.deadline])).toEqual([['HEADSUP-TEST-0001', null]]);
    expect(assessment.nextDeadline).toBeNull();
  });
});

describe('possibleSecurityReleases', () => {
  it('lists newer releases whose notes mention security, with evidence', () => {
    const release = (tag: string, body: string): Release => ({ version: requireVersion(tag), tag, publishedAt: null, prerelease: false, body, htmlUrl: null, assets: [] });
    const list = [release('v0.24.0', '# Security fix: OIDC changes'), release('v0.23.0', 'Fixes a vulnerability'), release('v0.25.0', 'New DNS options'), release('v0.22.3', 'security')];

    const found = possibleSecurityReleases(requireVersion('0.22.3'), list);

    expect(found.map((item) => item.tag)).toEqual(['v0.23.0', 'v0.24.0']);
    expect(found[1]!.evidence[0]!.excerpt).toBe('Security fix: OIDC changes');
  });
});
