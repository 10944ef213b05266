import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomRoute } from '../../test/fixture/atom-route.js';
import { channelTestKit, startFixtureServer } from '../../test/fixture/channel-test-kit.js';
import type { GitHubFixtureServer } from '../../test/fixture/github-server.js';
import { captureLogger } from '../../test/fixture/log-capture.js';
import { GitHubAtomChannel } from './github-atom/channel.js';
import { GitHubReleasesChannel } from './github-releases/channel.js';
import { compareLists, loadReleasesRedundant, type RedundantReleaseList } from './release-channels.js';
import { describeSource } from './release-service.js';
import type { Release, ReleaseSource } from './release.js';

const HOUR = 3_600_000;

let server: GitHubFixtureServer;
let route: AtomRoute;
let host: string;

beforeEach(async () => {
  ({ server, routes: route } = await startFixtureServer((server) => new AtomRoute(server)));
  host = new URL(server.url).host;
});

afterEach(async () => {
  await server.close();
});

/** Both channels pointed at the fixture, sharing one clock, state database and logger. */
function setup() {
  const { clock, log, state, dependencies } = channelTestKit();
  const primary = new GitHubReleasesChannel({ baseUrl: server.url, ...dependencies });
  const secondary = new GitHubAtomChannel({ webUrl: server.url, ...dependencies });
  const load = (offline = false) => loadReleasesRedundant({ primary, secondary, state, clock, logger: log.logger, offline });
  return { clock, log, state, load };
}

function tags(releases: readonly Release[]): string[] {
  return releases.map((release) => release.tag);
}

function statuses(result: RedundantReleaseList): Record<string, string> {
  return Object.fromEntries(result.channels.map((channel) => [channel.id, channel.status]));
}

/** Asserts the kind of a source and returns it narrowed to that kind. */
function sourceOfKind<K extends ReleaseSource['kind']>(result: RedundantReleaseList, kind: K): Extract<ReleaseSource, { kind: K }> {
  expect(result.list.source.kind).toBe(kind);
  return result.list.source as Extract<ReleaseSource, { kind: K }>;
}

/** Asserts that the lists were compared and returns the releases missing from one of them. */
function missingOf(result: RedundantReleaseList) {
  expect(result.crossCheck.status).toBe('compared');
  return result.crossCheck.status === 'compared' ? result.crossCheck.missing : [];
}

const API_PATH = /^\/(repos|repositories)\//;
const FEED_PATH = /releases\.atom/;

describe('loadReleasesRedundant with both channels', () => {
  it('uses the API list when both agree', async () => {
    const { load, clock } = setup();

    const result = await load();

    expect(result.list.source).toEqual({ kind: 'channel', channel: 'github-releases', fetchedAt: clock.now() });
    expect(result.list.releases).toHaveLength(95);
    expect(result.crossCheck).toEqual({ status: 'compared', since: new Date('2026-01-22T08:33:41Z'), missing: [] });
    expect(statuses(result)).toEqual({ 'github-releases': 'ok', 'github-atom': 'ok' });
  });

  it('reports a release hidden from the feed', async () => {
    route.hideTag('v0.29.1');
    const { load } = setup();

    const result = await load();

    expect(result.crossCheck).toEqual({ status: 'compared', since: new Date('2025-12-18T11:42:32Z'), missing: [{ tag: 'v0.29.1', missingFrom: 'github-atom' }] });
    expect(tags(result.list.releases)).toContain('v0.29.1');
    expect(result.list.source.kind).toBe('channel');
  });

  it('adds a feed-only release and reports it', async () => {
    route.addFeedOnly({ tag: 'v0.30.0', date: '2026-07-20T10:00:00Z', body: 'Fixes a security issue' });
    const { load, clock, log } = setup();

    const result = await load();

    expect(missingOf(result)).toEqual([{ tag: 'v0.30.0', missingFrom: 'github-releases' }]);
    const added = result.list.releases.find((release) => release.tag === 'v0.30.0');
    expect(added?.assets).toEqual([]);
    expect(added?.body).toBe('Fixes a security issue');
    expect(result.list.releases).toHaveLength(96);
    expect(result.list.releases[0]?.tag).toBe('v0.30.0');
    expect(result.list.source).toEqual({
      kind: 'combined',
      base: { kind: 'channel', channel: 'github-releases', fetchedAt: clock.now() },
      channel: 'github-atom',
      fetchedAt: clock.now(),
      live: true,
      addedTags: ['v0.30.0'],
    });
    expect(describeSource(result.list.source)).toBe('github-atom, fetched 2026-07-21T12:00:00Z, adding v0.30.0 to github-releases, fetched 2026-07-21T12:00:00Z');
    expect(log.records().some((record) => record.msg === 'release channels disagree')).toBe(true);
  });

  it('compares stored lists after 304s', async () => {
    route.hideTag('v0.29.1');
    const { load } = setup();
    await load();

    const result = await load();

    expect(statuses(result)).toEqual({ 'github-releases': 'not-modified', 'github-atom': 'not-modified' });
    expect(result.list.releases).toHaveLength(95);
    expect(missingOf(result)).toEqual([{ tag: 'v0.29.1', missingFrom: 'github-atom' }]);
  });

  it('uses the API list when the feed fails', async () => {
    server.fault({ kind: '5xx', path: FEED_PATH });
    const { load } = setup();

    const result = await load();

    expect(result.list.source.kind).toBe('channel');
    expect(result.list.releases).toHaveLength(95);
    expect(result.crossCheck).toEqual({ status: 'not-compared', reason: `github-atom failed: ${host} returned HTTP 502, gave up after 4 attempts` });
    expect(statuses(result)).toEqual({ 'github-releases': 'ok', 'github-atom': 'failed' });
  });
});

describe('loadReleasesRedundant failover to the feed', () => {
  it('adds feed releases to the stored API list on 5xx', async () => {
    const { load, clock } = setup();
    await load();
    const firstFetch = clock.now();
    clock.advance(HOUR);
    server.addRelease({ tag: 'v0.30.0', date: '2026-07-20T10:00:00Z' });
    server.fault({ kind: '5xx', path: API_PATH });
    const pollStart = clock.now();

    const result = await load();

    const reason = `github-releases failed: ${host} returned HTTP 502, gave up after 4 attempts`;
    expect(tags(result.list.releases).slice(0, 2)).toEqual(['v0.30.0', 'v0.29.2']);
    expect(result.list.releases).toHaveLength(96);
    expect(result.list.source).toEqual({
      kind: 'combined',
      base: { kind: 'cached', channel: 'github-releases', fetchedAt: firstFetch, reason },
      channel: 'github-atom',
      fetchedAt: pollStart,
      live: true,
      addedTags: ['v0.30.0'],
    });
    expect(describeSource(result.list.source)).toBe(
      `github-atom, fetched 2026-07-21T13:00:00Z, adding v0.30.0 to the cached github-releases list of 2026-07-21T12:00:00Z (${reason})`,
    );
    expect(result.crossCheck).toEqual({ status: 'not-compared', reason });
  });

  it('reports the failed API channel', async () => {
    const { load, clock, state } = setup();
    await load();
    const firstFetch = clock.now();
    clock.advance(HOUR);
    server.fault({ kind: '5xx', path: API_PATH });

    const result = await load();

    const api = result.channels.find((channel) => channel.id === 'github-releases');
    expect(api).toEqual({
      id: 'github-releases',
      status: 'failed',
      lastSuccessAt: firstFetch,
      lastError: `${host} returned HTTP 502, gave up after 4 attempts`,
      failureKind: 'temporary',
      retryAt: null,
    });
    // The feed's success is recorded while the API channel backs off on the same clock.
    const feedSuccess = state.get('github-atom')?.lastSuccessAt;
    expect(feedSuccess!.getTime()).toBeGreaterThanOrEqual(firstFetch.getTime() + HOUR);
    const feed = result.channels.find((channel) => channel.id === 'github-atom');
    expect(feed).toEqual({ id: 'github-atom', status: 'not-modified', lastSuccessAt: feedSuccess, lastError: null, failureKind: null, retryAt: null });
  });

  it('names the feed even when it adds nothing', async () => {
    const { load, clock } = setup();
    await load();
    clock.advance(HOUR);
    server.fault({ kind: '5xx', path: API_PATH });

    const result = await load();

    expect(result.list.releases).toHaveLength(95);
    expect(describeSource(result.list.source)).toMatch(
      /^github-atom, fetched 2026-07-21T13:00:00Z, with no release beyond the cached github-releases list of 2026-07-21T12:00:00Z \(github-releases failed: /,
    );
  });

  it('adds feed releases to the snapshot when rate limited', async () => {
    server.addRelease({ tag: 'v0.29.2', date: '2026-07-01T14:47:39Z', body: 'Binds map requests to the node key' });
    server.addRelease({ tag: 'v0.30.0', date: '2026-07-20T10:00:00Z' });
    server.fault({ kind: 'rate-limit-403', path: API_PATH });
    const { load, clock } = setup();

    const result = await load();

    const api = result.channels.find((channel) => channel.id === 'github-releases');
    expect(api?.status).toBe('failed');
    expect(api?.failureKind).toBe('rate-limited');
    expect(api?.retryAt).not.toBeNull();
    const source = sourceOfKind(result, 'combined');
    expect(source.base.kind).toBe('snapshot');
    expect(source.addedTags).toEqual(['v0.30.0']);
    expect(describeSource(result.list.source)).toMatch(
      new RegExp(`^github-atom, fetched ${clock.now().toISOString().replace('.000', '')}, adding v0\\.30\\.0 to the offline snapshot of 2026-07-21 \\(github-releases failed: ${host} rate limited until `),
    );
    expect(tags(result.list.releases).slice(0, 2)).toEqual(['v0.30.0', 'v0.29.2']);
    expect(result.list.releases.find((release) => release.tag === 'v0.29.2')?.body).toBe('Binds map requests to the node key');
  });
});

describe('loadReleasesRedundant when both fail', () => {
  it('uses the stored API list', async () => {
    const { load, clock } = setup();
    await load();
    const firstFetch = clock.now();
    clock.advance(HOUR);
    server.fault({ kind: '5xx' });

    const result = await load();

    const reason = `github-releases failed: ${host} returned HTTP 502, gave up after 4 attempts; github-atom failed: ${host} returned HTTP 502, gave up after 4 attempts`;
    expect(result.list.source).toEqual({ kind: 'cached', channel: 'github-releases', fetchedAt: firstFetch, reason });
    expect(result.list.releases).toHaveLength(95);
    expect(statuses(result)).toEqual({ 'github-releases': 'failed', 'github-atom': 'failed' });
  });

  it('adds releases from a newer stored feed', async () => {
    const { load, clock, state } = setup();
    await load();
    clock.advance(HOUR);
    route.addFeedOnly({ tag: 'v0.30.0', date: '2026-07-20T10:00:00Z' });
    server.fault({ kind: '5xx', path: API_PATH, times: 4 });
    await load();
    const feedFetch = state.get('github-atom')?.lastSuccessAt;
    clock.advance(HOUR);
    server.fault({ kind: '5xx' });

    const result = await load();

    const source = sourceOfKind(result, 'combined');
    expect(source.live).toBe(false);
    expect(source.fetchedAt).toEqual(feedFetch);
    expect(tags(result.list.releases)[0]).toBe('v0.30.0');
    expect(describeSource(result.list.source)).toMatch(/^cached github-atom list of 2026-07-21T13:\d\d:\d\dZ, adding v0\.30\.0 to the cached github-releases list of 2026-07-21T12:00:00Z \(github-releases failed: /);
  });

  it('ignores a stored feed older than the API list', async () => {
    route.addFeedOnly({ tag: 'v0.30.0', date: '2026-07-20T10:00:00Z' });
    const { load, clock } = setup();
    await load();
    clock.advance(HOUR);
    server.fault({ kind: '5xx', path: FEED_PATH, times: 4 });
    await load();
    clock.advance(HOUR);
    server.fault({ kind: '5xx' });

    const result = await load();

    expect(result.list.source.kind).toBe('cached');
    expect(tags(result.list.releases)).not.toContain('v0.30.0');
  });

  it('falls back to the snapshot', async () => {
    server.fault({ kind: '5xx' });
    const { load } = setup();

    const result = await load();

    const source = sourceOfKind(result, 'snapshot');
    expect(source.snapshotDate).toBe('2026-07-21');
    expect(source.reason).toBe(
      `github-releases failed: ${host} returned HTTP 502, gave up after 4 attempts; github-atom failed: ${host} returned HTTP 502, gave up after 4 attempts`,
    );
    expect(result.list.releases.length).toBeGreaterThan(90);
  });
});

describe('loadReleasesRedundant offline', () => {
  it('contacts neither channel', async () => {
    const { load, clock } = setup();
    await load();
    const firstFetch = clock.now();
    server.fault({ kind: '5xx', path: FEED_PATH, times: 4 });
    clock.advance(HOUR);
    await load();
    const requestsBefore = server.requests.length;
    clock.advance(HOUR);

    const result = await load(true);

    expect(server.requests).toHaveLength(requestsBefore);
    expect(statuses(result)).toEqual({ 'github-releases': 'skipped', 'github-atom': 'skipped' });
    expect(result.list.source).toEqual({
      kind: 'cached',
      channel: 'github-releases',
      fetchedAt: new Date(firstFetch.getTime() + HOUR),
      reason: 'offline mode, github-releases and github-atom not contacted',
    });
    const feed = result.channels.find((channel) => channel.id === 'github-atom');
    expect(feed?.lastSuccessAt).toEqual(firstFetch);
    expect(feed?.lastError).toBe(`${host} returned HTTP 502, gave up after 4 attempts`);
  });
});

describe('compareLists', () => {
  const release = (tag: string, publishedAt: string | null): Release => ({
    version: { major: 0, minor: 0, patch: 0, prerelease: null, text: tag },
    tag,
    publishedAt: publishedAt ? new Date(publishedAt) : null,
    prerelease: false,
    body: '',
    htmlUrl: null,
    assets: [],
  });
  const ids = { primary: 'api', secondary: 'feed' };
  const logger = captureLogger().logger;

  it('skips primary releases older than the window', () => {
    const primary = [release('v3', '2026-03-01T00:00:00Z'), release('v2', '2026-02-01T00:00:00Z'), release('v1', '2026-01-01T00:00:00Z')];
    const secondary = [release('v3', '2026-03-01T00:00:00Z')];

    expect(compareLists(primary, secondary, ids, logger)).toEqual({ status: 'compared', since: new Date('2026-03-01T00:00:00Z'), missing: [] });
  });

  it('uses time, not version, for the window', () => {
    const primary = [release('v0.27.3', '2026-04-01T00:00:00Z'), release('v0.28.0', '2026-03-01T00:00:00Z'), release('v0.29.0', '2026-02-01T00:00:00Z')];
    const secondary = [release('v0.27.3', '2026-04-01T00:00:00Z'), release('v0.28.0', '2026-03-01T00:00:00Z')];

    expect(compareLists(primary, secondary, ids, logger)).toEqual({ status: 'compared', since: new Date('2026-03-01T00:00:00Z'), missing: [] });
  });

  it('skips primary releases without a time', () => {
    const primary = [release('v2', null), release('v1', '2026-01-01T00:00:00Z')];
    const secondary = [release('v1', '2026-01-01T00:00:00Z')];

    expect(compareLists(primary, secondary, ids, logger)).toEqual({ status: 'compared', since: new Date('2026-01-01T00:00:00Z'), missing: [] });
  });

  it('does not compare an empty feed', () => {
    expect(compareLists([release('v1', '2026-01-01T00:00:00Z')], [], ids, logger)).toEqual({ status: 'not-compared', reason: 'feed lists no release' });
  });
});
