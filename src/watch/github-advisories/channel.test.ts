import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { advisoryJson, AdvisoriesRoute, ghsaWp76Advisory } from '../../../test/fixture/advisories-route.js';
import { channelTestKit, rejection, startFixtureServer } from '../../../test/fixture/channel-test-kit.js';
import type { GitHubFixtureServer } from '../../../test/fixture/github-server.js';
import { loadAdvisories } from '../advisory-service.js';
import { GitHubAdvisoriesChannel, type GitHubAdvisoriesOptions } from './channel.js';

let server: GitHubFixtureServer;
let route: AdvisoriesRoute;

beforeEach(async () => {
  ({ server, routes: route } = await startFixtureServer((server) => new AdvisoriesRoute(server)));
});

afterEach(async () => {
  await server.close();
});

function setup(options: Partial<GitHubAdvisoriesOptions> = {}) {
  const { clock, log, state, dependencies } = channelTestKit();
  const channel = new GitHubAdvisoriesChannel({ apiUrl: server.url, ...dependencies, ...options });
  return { channel, clock, log, state };
}

function advisoryRequests() {
  return server.requests.filter((request) => request.path.startsWith('/advisories'));
}

describe('GitHubAdvisoriesChannel', () => {
  it('converts GHSA-wp76 into an OSV record', async () => {
    const { channel } = setup();

    const records = await channel.fetchAdvisories();

    expect(advisoryRequests().map((request) => request.path)).toEqual(['/advisories?ecosystem=go&affects=github.com%2Fjuanfont%2Fheadscale&per_page=100']);
    expect(records).toEqual([
      {
        id: 'GHSA-wp76-cf2j-rqq7',
        aliases: ['CVE-2023-47390'],
        summary: 'Headscale writes bearer tokens to info-level logs',
        published: '2023-11-11T18:30:25Z',
        modified: '2023-11-20T22:06:53Z',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
        affected: [
          {
            package: { ecosystem: 'Go', name: 'github.com/juanfont/headscale' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '0.22.3' }] }],
            database_specific: { vulnerable_version_range: '<= 0.22.3', first_patched_version: null },
          },
        ],
        database_specific: { severity: 'high', cwe_ids: ['CWE-532'] },
      },
    ]);
  });

  it('reads CVSS v4 and withdrawal', async () => {
    const advisory = advisoryJson({ ghsaId: 'GHSA-aaaa-bbbb-cccc', range: '< 0.26.0' });
    const v4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N';
    route.set([{ ...advisory, withdrawn_at: '2025-02-01T00:00:00Z', cvss: null, cvss_severities: { cvss_v3: null, cvss_v4: { vector_string: v4, score: 8.7 } } }]);
    const { channel } = setup();

    const [record] = (await channel.fetchAdvisories()) ?? [];

    expect(record?.severity).toEqual([{ type: 'CVSS_V4', score: v4 }]);
    expect(record?.withdrawn).toBe('2025-02-01T00:00:00Z');
    expect(record?.aliases).toBeUndefined();
  });

  it('follows the cursor Link across pages', async () => {
    for (let day = 1; day <= 4; day++) {
      route.add(advisoryJson({ ghsaId: `GHSA-000${day}-aaaa-bbbb`, range: '< 0.26.0', publishedAt: `2025-01-0${day}T00:00:00Z` }));
    }
    const { channel } = setup({ perPage: 2 });

    const records = await channel.fetchAdvisories();

    expect(records?.map((record) => record.id)).toEqual([
      'GHSA-0004-aaaa-bbbb',
      'GHSA-0003-aaaa-bbbb',
      'GHSA-0002-aaaa-bbbb',
      'GHSA-0001-aaaa-bbbb',
      'GHSA-wp76-cf2j-rqq7',
    ]);
    const paths = advisoryRequests().map((request) => request.path);
    expect(paths).toHaveLength(3);
    expect(paths[1]).toMatch(/&after=[\w-]+$/);
    expect(paths[2]).toMatch(/&after=[\w-]+$/);
  });

  it('stops at the page cap', async () => {
    route.add(advisoryJson({ ghsaId: 'GHSA-0001-aaaa-bbbb', range: '< 0.26.0' }));
    route.add(advisoryJson({ ghsaId: 'GHSA-0002-aaaa-bbbb', range: '< 0.26.0' }));
    const { channel } = setup({ perPage: 1, maxPages: 2 });

    const error = await rejection(channel.fetchAdvisories());

    expect(error.kind).toBe('invalid-response');
    expect(error.message).toContain('more than 2 pages');
    expect(advisoryRequests()).toHaveLength(2);
  });

  it('refuses a next link to another origin', async () => {
    await server.close();
    ({ server, routes: route } = await startFixtureServer((server) => new AdvisoriesRoute(server, { linkOrigin: 'http://127.0.0.1:1' })));
    route.add(advisoryJson({ ghsaId: 'GHSA-0001-aaaa-bbbb', range: '< 0.26.0' }));
    const { channel } = setup({ perPage: 1, token: 'ghp_secret' });

    const error = await rejection(channel.fetchAdvisories());

    expect(error.kind).toBe('invalid-response');
    expect(error.message).toContain(`the next-page link leads away from ${server.url}: http://127.0.0.1:1/advisories?`);
    expect(advisoryRequests()).toHaveLength(1);
  });

  it('reuses the stored list on 304', async () => {
    const { channel, state, clock, log } = setup();
    const first = await channel.fetchAdvisories();
    const remaining = server.rateLimit.remaining;
    clock.advance(60_000);

    const second = await channel.fetchAdvisories();
    const list = await loadAdvisories({ channels: [channel], state, clock, logger: log.logger, catalog: { entries: [], records: [] } });

    expect(second).toBeNull();
    expect(advisoryRequests()[1]?.headers['if-none-match']).toBe(state.get(channel.id)?.etag);
    expect(advisoryRequests()[1]?.status).toBe(304);
    expect(server.rateLimit.remaining).toBe(remaining);
    expect(list.records).toEqual(first);
    expect(list.sources[0]).toMatchObject({ channel: 'github-advisories', kind: 'live', records: 1, fetchedAt: clock.now() });
  });

  it('fetches again when the list changes', async () => {
    const { channel } = setup();
    await channel.fetchAdvisories();
    route.add(advisoryJson({ ghsaId: 'GHSA-0001-aaaa-bbbb', range: '< 0.26.0' }));

    const records = await channel.fetchAdvisories();

    expect(records?.map((record) => record.id)).toContain('GHSA-0001-aaaa-bbbb');
    expect(advisoryRequests()[1]?.status).toBe(200);
  });

  it('converts each range form', async () => {
    route.set([
      advisoryJson({ ghsaId: 'GHSA-lt', range: '< 0.26.0', firstPatched: '0.26.0', publishedAt: '2025-01-05T00:00:00Z' }),
      advisoryJson({ ghsaId: 'GHSA-le', range: '<= 0.22.3', firstPatched: '0.23.0', publishedAt: '2025-01-04T00:00:00Z' }),
      advisoryJson({ ghsaId: 'GHSA-ge-lt', range: '>= 0.23.0, < 0.26.1', firstPatched: '0.26.1', publishedAt: '2025-01-03T00:00:00Z' }),
      advisoryJson({ ghsaId: 'GHSA-ge-le', range: '>= 0.23.0, <= 0.25.1', publishedAt: '2025-01-02T00:00:00Z' }),
      advisoryJson({ ghsaId: 'GHSA-eq', range: '= 0.24.0', publishedAt: '2025-01-01T00:00:00Z' }),
    ]);
    const { channel } = setup();

    const records = (await channel.fetchAdvisories()) ?? [];
    const events = Object.fromEntries(records.map((record) => [record.id, record.affected?.[0]?.ranges?.[0]?.events]));

    expect(events).toEqual({
      'GHSA-lt': [{ introduced: '0' }, { fixed: '0.26.0' }],
      'GHSA-le': [{ introduced: '0' }, { last_affected: '0.22.3' }],
      'GHSA-ge-lt': [{ introduced: '0.23.0' }, { fixed: '0.26.1' }],
      'GHSA-ge-le': [{ introduced: '0.23.0' }, { last_affected: '0.25.1' }],
      'GHSA-eq': [{ introduced: '0.24.0' }, { last_affected: '0.24.0' }],
    });
    expect(records[1]?.affected?.[0]?.database_specific).toEqual({ vulnerable_version_range: '<= 0.22.3', first_patched_version: '0.23.0' });
  });

  it('keeps only entries of the Headscale module', async () => {
    const advisory = advisoryJson({ ghsaId: 'GHSA-0001-aaaa-bbbb', range: '< 0.26.0' });
    const other = { package: { ecosystem: 'go', name: 'tailscale.com' }, vulnerable_version_range: '> 1.0', first_patched_version: null, vulnerable_functions: [] };
    route.set([{ ...advisory, vulnerabilities: [...advisory.vulnerabilities, other] }]);
    const { channel } = setup();

    const [record] = (await channel.fetchAdvisories()) ?? [];

    expect(record?.affected?.map((entry) => entry.package.name)).toEqual(['github.com/juanfont/headscale']);
  });

  it('rejects a range OSV cannot express, then falls back', async () => {
    const { channel, state, clock, log } = setup();
    await channel.fetchAdvisories();
    route.add(advisoryJson({ ghsaId: 'GHSA-bad0-aaaa-bbbb', range: '> 0.22.0, < 0.23.0' }));

    const error = await rejection(channel.fetchAdvisories());
    const list = await loadAdvisories({ channels: [channel], state, clock, logger: log.logger, catalog: { entries: [], records: [] } });

    expect(error.kind).toBe('invalid-response');
    expect(error.message).toContain('advisory GHSA-bad0-aaaa-bbbb: vulnerable_version_range "> 0.22.0, < 0.23.0" cannot be written as OSV events');
    expect(error.message).toContain('channels.github_advisories.enabled');
    expect(list.sources[0]).toMatchObject({ kind: 'cached', records: 1, failure: 'invalid-response' });
    expect(list.records.map((record) => record.id)).toEqual(['GHSA-wp76-cf2j-rqq7']);
  });

  it('rejects a Headscale entry without a range', async () => {
    route.set([advisoryJson({ ghsaId: 'GHSA-none-aaaa-bbbb', range: null })]);
    const { channel } = setup();

    const error = await rejection(channel.fetchAdvisories());

    expect(error.message).toContain('advisory GHSA-none-aaaa-bbbb: lists github.com/juanfont/headscale without a vulnerable_version_range');
  });

  it('reports a spent rate limit with its reset time', async () => {
    const resetAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 1_800_000);
    server.setRateLimit({ remaining: 0, resetAt });
    const { channel } = setup();

    const error = await rejection(channel.fetchAdvisories());

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAt).toEqual(resetAt);
    expect(error.message).toContain('raises the limit from 60 to 5,000 requests an hour');
  });

  it('sends the token as Bearer without logging it', async () => {
    const token = 'ghp_advisorytoken123';
    server.fault({ kind: '5xx', times: 1, path: /^\/advisories/ });
    const { channel, log, state } = setup({ token });

    await channel.fetchAdvisories();

    expect(advisoryRequests()[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(log.records().some((record) => record.msg === 'retrying GitHub advisories request')).toBe(true);
    expect(log.text()).not.toContain(token);
    expect(state.get(channel.id)?.data).not.toContain(token);
  });
});
