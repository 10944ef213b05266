import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubFixtureServer } from '../../test/fixture/github-server.js';
import { channelFor } from '../../test/fixture/setup.js';
import { describeSource, loadReleases } from './release-service.js';
import type { ReleaseChannel } from './release.js';

let server: GitHubFixtureServer;

beforeEach(async () => {
  server = new GitHubFixtureServer();
  await server.start();
});

afterEach(async () => {
  await server.close();
});

/** Finds a port on 127.0.0.1 with nothing listening by binding a free one and releasing it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('loadReleases', () => {
  it('returns the live list as channel', async () => {
    const setup = channelFor(server);

    const list = await loadReleases({ ...setup, logger: setup.log.logger });

    expect(list.source).toEqual({ kind: 'channel', channel: 'github-releases', fetchedAt: setup.clock.now() });
    expect(list.releases).toHaveLength(95);
  });

  it('reuses the stored list on 304', async () => {
    const setup = channelFor(server);
    await loadReleases({ ...setup, logger: setup.log.logger });

    const list = await loadReleases({ ...setup, logger: setup.log.logger });

    expect(server.apiRequests().at(-1)?.status).toBe(304);
    expect(list.source.kind).toBe('channel');
    expect(list.releases).toHaveLength(95);
    expect(list.releases[0]?.version.text).toBe('0.29.2');
  });

  it('falls back to the cached list', async () => {
    const setup = channelFor(server);
    await loadReleases({ ...setup, logger: setup.log.logger });
    const firstFetch = setup.clock.now();
    setup.clock.advance(3_600_000);
    server.fault({ kind: '5xx' });

    const list = await loadReleases({ ...setup, logger: setup.log.logger });

    const host = new URL(server.url).host;
    expect(list.source).toEqual({
      kind: 'cached',
      channel: 'github-releases',
      fetchedAt: firstFetch,
      reason: `${host} returned HTTP 502, gave up after 4 attempts`,
    });
    expect(list.releases).toHaveLength(95);
    expect(describeSource(list.source)).toBe(`cached github-releases list of 2026-07-21T12:00:00Z (${host} returned HTTP 502, gave up after 4 attempts)`);
  });

  it('falls back to the snapshot when unreachable', async () => {
    const port = await closedPort();
    const setup = channelFor(server, { baseUrl: `http://127.0.0.1:${port}` });

    const list = await loadReleases({ ...setup, logger: setup.log.logger });

    expect(list.source.kind).toBe('snapshot');
    expect(list.source).toHaveProperty('snapshotDate', '2026-07-21');
    expect(list.source).toHaveProperty('reason', expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${port} unreachable: .*ECONNREFUSED`)));
    expect(describeSource(list.source)).toMatch(new RegExp(`^offline snapshot of 2026-07-21 \\(127\\.0\\.0\\.1:${port} unreachable: `));
    expect(list.releases).toHaveLength(95);
    expect(setup.log.records().some((record) => record.msg === 'release channel failed, falling back')).toBe(true);
  });

  it('names the rate limit reset', async () => {
    const resetAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 600_000);
    server.setRateLimit({ remaining: 0, resetAt });
    const setup = channelFor(server);

    const list = await loadReleases({ ...setup, logger: setup.log.logger });

    expect(list.source.kind).toBe('snapshot');
    expect(describeSource(list.source)).toContain(`rate limited until ${resetAt.toISOString()}`);
  });

  it('skips the channel when offline', async () => {
    const setup = channelFor(server);

    const list = await loadReleases({ ...setup, logger: setup.log.logger, offline: true });

    expect(server.requests).toHaveLength(0);
    expect(list.source).toEqual({ kind: 'snapshot', snapshotDate: '2026-07-21', reason: 'offline mode, github-releases not contacted' });
  });

  it('uses the cache when offline', async () => {
    const setup = channelFor(server);
    await loadReleases({ ...setup, logger: setup.log.logger });
    const requestsBefore = server.requests.length;
    server.addRelease({ tag: 'v0.29.3' });

    const list = await loadReleases({ ...setup, logger: setup.log.logger, offline: true });

    expect(list.source.kind).toBe('cached');
    expect(list.releases.map((release) => release.tag)).not.toContain('v0.29.3');
    expect(server.requests).toHaveLength(requestsBefore);
  });

  it('ignores an unreadable stored list', async () => {
    const port = await closedPort();
    const setup = channelFor(server, { baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
    setup.state.recordSuccess('github-releases', setup.clock.now(), { etag: '"x"', data: 'not json' });

    const list = await loadReleases({ ...setup, logger: setup.log.logger });

    expect(list.source.kind).toBe('snapshot');
    expect(setup.log.records().some((record) => record.msg === 'ignoring unreadable stored release list')).toBe(true);
  });

  it('lets bugs propagate', async () => {
    const setup = channelFor(server);
    const broken: ReleaseChannel = {
      id: 'broken',
      fetchReleases: () => Promise.reject(new TypeError('cannot read properties of undefined')),
    };

    await expect(loadReleases({ ...setup, channel: broken, logger: setup.log.logger })).rejects.toThrow(TypeError);
  });
});

describe('describeSource', () => {
  it('describes a live channel', () => {
    expect(describeSource({ kind: 'channel', channel: 'github-releases', fetchedAt: new Date('2026-07-21T09:30:00.250Z') })).toBe(
      'github-releases, fetched 2026-07-21T09:30:00Z',
    );
  });
});
