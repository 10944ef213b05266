import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelTestKit, rejection, startFixtureServer } from '../../../test/fixture/channel-test-kit.js';
import type { GitHubFixtureServer } from '../../../test/fixture/github-server.js';
import { ghsaWp76Record, OsvRoute, type OsvRecordJson } from '../../../test/fixture/osv-route.js';
import { loadAdvisories } from '../advisory-service.js';
import { OsvChannel, type OsvChannelOptions } from './channel.js';
import { deserializeAdvisories } from './stored.js';

let server: GitHubFixtureServer;
let route: OsvRoute;

beforeEach(async () => {
  ({ server, routes: route } = await startFixtureServer(() => new OsvRoute()));
});

afterEach(async () => {
  await server.close();
});

function setup(options: Partial<OsvChannelOptions> = {}) {
  const { clock, log, state, dependencies } = channelTestKit();
  const channel = new OsvChannel({ baseUrl: server.url, ...dependencies, ...options });
  return { channel, clock, log, state };
}

function synthetic(id: string): OsvRecordJson {
  return {
    id,
    modified: '2025-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'Go', name: 'github.com/juanfont/headscale' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.26.0' }] }] }],
  };
}

describe('OsvChannel', () => {
  it('queries every record of the package', async () => {
    const { channel, state } = setup();

    const records = await channel.fetchAdvisories();

    expect(route.queries).toEqual([{ package: { name: 'github.com/juanfont/headscale', ecosystem: 'Go' } }]);
    expect(server.requests[0]?.method).toBe('POST');
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(records.map((record) => record.id)).toEqual(['GHSA-wp76-cf2j-rqq7']);
    expect(records[0]?.aliases).toEqual(['CVE-2023-47390']);
    expect(records[0]?.severity).toEqual([{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }]);
    expect(records[0]?.affected?.[0]?.ranges?.[0]?.events).toEqual([{ introduced: '0' }, { last_affected: '0.22.3' }]);
    expect(records[0]?.database_specific?.['severity']).toBe('HIGH');
    expect(deserializeAdvisories(state.get('osv')?.data ?? '')).toEqual(records);
  });

  it('drops fields and types it does not know', async () => {
    const record = ghsaWp76Record();
    route.setRecords([{ ...record, details: 'long text', severity: [...(record.severity as object[]), { type: 'FUTURE', score: 'x' }] }]);
    const { channel } = setup();

    const [parsed] = await channel.fetchAdvisories();

    expect(parsed).not.toHaveProperty('details');
    expect(parsed).not.toHaveProperty('references');
    expect(parsed?.severity?.map((item) => item.type)).toEqual(['CVSS_V3']);
  });

  it('follows next_page_token across pages', async () => {
    route.setRecords([ghsaWp76Record(), synthetic('GO-2025-0001'), synthetic('GO-2025-0002')]);
    route.setPageSize(1);
    const { channel } = setup();

    const records = await channel.fetchAdvisories();

    expect(records.map((record) => record.id)).toEqual(['GHSA-wp76-cf2j-rqq7', 'GO-2025-0001', 'GO-2025-0002']);
    expect(route.queries).toHaveLength(3);
    expect(route.queries[0]).not.toHaveProperty('page_token');
    expect(route.queries[1]).toHaveProperty('page_token');
    expect(route.queries[2]).toHaveProperty('page_token');
  });

  it('stops at the page cap', async () => {
    route.setRecords([synthetic('GO-2025-0001'), synthetic('GO-2025-0002'), synthetic('GO-2025-0003')]);
    route.setPageSize(1);
    const { channel, state } = setup({ maxPages: 2 });

    const error = await rejection(channel.fetchAdvisories());

    expect(error.kind).toBe('invalid-response');
    expect(error.message).toContain('more than 2 pages');
    expect(state.get('osv')?.lastError).toBe(error.message);
  });

  it('reads an empty {} as no records', async () => {
    route.setRecords([]);
    const { channel, state } = setup();

    const records = await channel.fetchAdvisories();

    expect(server.requests[0]?.status).toBe(200);
    expect(records).toEqual([]);
    expect(deserializeAdvisories(state.get('osv')?.data ?? '')).toEqual([]);
  });

  it('retries 5xx, then succeeds', async () => {
    server.fault({ kind: '5xx', status: 503, times: 2, path: /^\/v1\/query/ });
    const { channel, clock, log } = setup();

    const records = await channel.fetchAdvisories();

    expect(records).toHaveLength(1);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    const retries = log.records().filter((record) => record.msg === 'retrying OSV query');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({ channel: 'osv', status: 503 });
  });

  it('gives up on 5xx as temporary', async () => {
    server.fault({ kind: '5xx', path: /^\/v1\/query/ });
    const { channel } = setup({ maxRetries: 1 });

    const error = await rejection(channel.fetchAdvisories());

    expect(error.kind).toBe('temporary');
    expect(error.message).toBe(`127.0.0.1:${new URL(server.url).port} returned HTTP 502, gave up after 2 attempts`);
  });

  it('rejects a record with a two-key event', async () => {
    route.setRecords([{ ...synthetic('GO-2025-0009'), affected: [{ package: { ecosystem: 'Go', name: 'github.com/juanfont/headscale' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1.0.0' }] }] }] }]);
    const { channel } = setup();

    const error = await rejection(channel.fetchAdvisories());

    expect(error.kind).toBe('invalid-response');
    expect(error.message).toContain('GO-2025-0009');
    expect(error.message).toContain('exactly one of introduced, fixed, last_affected, limit');
  });

  it('falls back to the stored list on malformed JSON', async () => {
    const { channel, state, clock, log } = setup();
    await channel.fetchAdvisories();
    const firstSuccess = clock.now();
    clock.advance(3_600_000);
    server.fault({ kind: 'malformed-json', path: /^\/v1\/query/ });

    const error = await rejection(channel.fetchAdvisories());
    const list = await loadAdvisories({ channels: [channel], state, clock, logger: log.logger, catalog: { entries: [], records: [] } });

    expect(error.kind).toBe('invalid-response');
    expect(error.message).toContain('malformed JSON');
    expect(list.records.map((record) => record.id)).toEqual(['GHSA-wp76-cf2j-rqq7']);
    expect(list.sources[0]).toMatchObject({ channel: 'osv', kind: 'cached', fetchedAt: firstSuccess, records: 1, failure: 'invalid-response' });
    expect(list.sources[0]?.reason).toContain('malformed JSON');
  });

  it('reports a rate limit with retryAt, then falls back', async () => {
    const { channel, state, clock, log } = setup();
    await channel.fetchAdvisories();
    server.fault({ kind: 'rate-limit-429', retryAfterSeconds: 120, path: /^\/v1\/query/ });
    const retryAt = new Date(clock.now().getTime() + 120_000);

    const error = await rejection(channel.fetchAdvisories());
    const list = await loadAdvisories({ channels: [channel], state, clock, logger: log.logger, catalog: { entries: [], records: [] } });

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAt).toEqual(retryAt);
    expect(error.message).toContain(`rate limited until ${retryAt.toISOString()}`);
    expect(clock.sleeps).toEqual([]);
    expect(list.sources[0]).toMatchObject({ kind: 'cached', failure: 'rate-limited', retryAt, records: 1 });
  });

  it('names the host and the config key on 404', async () => {
    const { channel } = setup({ baseUrl: `${server.url}/nowhere` });

    const error = await rejection(channel.fetchAdvisories());

    expect(error.kind).toBe('not-found');
    expect(error.message).toContain(`127.0.0.1:${new URL(server.url).port} has no OSV query endpoint`);
    expect(error.message).toContain('channels.osv.api_url');
  });
});
