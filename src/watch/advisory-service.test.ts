import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { advisoryJson, AdvisoriesRoute } from '../../test/fixture/advisories-route.js';
import { channelTestKit, startFixtureServer } from '../../test/fixture/channel-test-kit.js';
import type { GitHubFixtureServer } from '../../test/fixture/github-server.js';
import { OsvRoute } from '../../test/fixture/osv-route.js';
import { loadSecurityCatalog } from '../judge/catalog/index.js';
import { loadAdvisories, type AdvisoryChannel, type LoadAdvisoriesOptions } from './advisory-service.js';
import { GitHubAdvisoriesChannel } from './github-advisories/channel.js';
import { OsvChannel } from './osv/channel.js';

let server: GitHubFixtureServer;
let osvRoute: OsvRoute;
let advisoriesRoute: AdvisoriesRoute;

beforeEach(async () => {
  ({ server, routes: [osvRoute, advisoriesRoute] } = await startFixtureServer((server) => [new OsvRoute(), new AdvisoriesRoute(server)] as const));
});

afterEach(async () => {
  await server.close();
});

function setup() {
  const { clock, log, state, dependencies } = channelTestKit();
  const common = { ...dependencies, maxRetries: 0 };
  const osv = new OsvChannel({ baseUrl: server.url, ...common });
  const github = new GitHubAdvisoriesChannel({ apiUrl: server.url, ...common });
  const options: LoadAdvisoriesOptions = { channels: [osv, github], state, clock, logger: log.logger };
  return { osv, github, clock, log, state, options };
}

describe('loadAdvisories', () => {
  it('merges OSV, GitHub and the catalog', async () => {
    const { options } = setup();
    const catalog = loadSecurityCatalog();

    const list = await loadAdvisories(options);

    const wp76 = list.records.filter((record) => [record.id, ...(record.aliases ?? [])].includes('GHSA-wp76-cf2j-rqq7'));
    expect(wp76).toHaveLength(1);
    expect(wp76[0]?.id).toBe('GHSA-wp76-cf2j-rqq7');
    expect(wp76[0]?.aliases).toEqual(expect.arrayContaining(['CVE-2023-47390', 'HEADSUP-2023-0001', 'GO-2023-2342']));
    expect(list.records).toHaveLength(catalog.records.length);
    const ids = list.records.flatMap((record) => [record.id, ...(record.aliases ?? [])]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reports each source', async () => {
    const { options, clock } = setup();
    const catalog = loadSecurityCatalog();

    const list = await loadAdvisories(options);

    expect(list.sources).toEqual([
      { channel: 'osv', kind: 'live', fetchedAt: clock.now(), lastSuccessAt: clock.now(), records: 1, reason: null, failure: null, retryAt: null },
      { channel: 'github-advisories', kind: 'live', fetchedAt: clock.now(), lastSuccessAt: clock.now(), records: 1, reason: null, failure: null, retryAt: null },
      { channel: 'catalog', kind: 'catalog', fetchedAt: null, lastSuccessAt: null, records: catalog.records.length, reason: null, failure: null, retryAt: null },
    ]);
  });

  it('keeps records only one source has', async () => {
    advisoriesRoute.add(advisoryJson({ ghsaId: 'GHSA-new0-aaaa-bbbb', cveId: 'CVE-2025-0001', range: '< 0.27.0' }));
    const { options } = setup();

    const list = await loadAdvisories(options);

    const added = list.records.find((record) => record.id === 'GHSA-new0-aaaa-bbbb');
    expect(added?.aliases).toEqual(['CVE-2025-0001']);
  });

  it('reports a failed channel without a stored list', async () => {
    server.fault({ kind: '5xx', path: /^\/v1\/query/ });
    const { options, log } = setup();

    const list = await loadAdvisories(options);

    expect(list.sources[0]).toMatchObject({ channel: 'osv', kind: 'unavailable', records: 0, failure: 'temporary', fetchedAt: null, lastSuccessAt: null });
    expect(list.sources[0]?.reason).toContain('returned HTTP 502');
    expect(list.sources[1]).toMatchObject({ channel: 'github-advisories', kind: 'live', records: 1 });
    expect(list.records.some((record) => record.id === 'GHSA-wp76-cf2j-rqq7')).toBe(true);
    expect(log.records().filter((record) => record.msg === 'advisory channel failed, falling back')).toHaveLength(1);
  });

  it('uses stored lists when offline', async () => {
    const { options, clock } = setup();
    await loadAdvisories(options);
    const fetchedAt = clock.now();
    clock.advance(86_400_000);
    const requestsBefore = server.requests.length;

    const list = await loadAdvisories({ ...options, offline: true });

    expect(server.requests).toHaveLength(requestsBefore);
    expect(list.sources[0]).toMatchObject({ channel: 'osv', kind: 'cached', fetchedAt, records: 1, reason: 'offline mode, osv not contacted', failure: null });
    expect(list.sources[1]).toMatchObject({ channel: 'github-advisories', kind: 'cached', fetchedAt, records: 1 });
  });

  it('ignores an unreadable stored list', async () => {
    const { options, state, clock, log } = setup();
    state.recordSuccess('osv', clock.now(), { data: '{"format":99}' });
    server.fault({ kind: 'reset', path: /^\/v1\/query/ });

    const list = await loadAdvisories(options);

    expect(list.sources[0]).toMatchObject({ kind: 'unavailable', lastSuccessAt: clock.now() });
    expect(log.records().some((record) => record.msg === 'ignoring unreadable stored advisory list')).toBe(true);
  });

  it('lets errors other than ChannelError propagate', async () => {
    const { options } = setup();
    const broken: AdvisoryChannel = {
      id: 'broken',
      fetchAdvisories: () => Promise.reject(new TypeError('a bug')),
    };

    await expect(loadAdvisories({ ...options, channels: [broken] })).rejects.toThrow('a bug');
  });
});
