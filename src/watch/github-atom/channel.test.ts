import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomRoute } from '../../../test/fixture/atom-route.js';
import { channelTestKit, rejection, startFixtureServer } from '../../../test/fixture/channel-test-kit.js';
import { GitHubFixtureServer } from '../../../test/fixture/github-server.js';
import type { HttpClient } from '../../platform/http.js';
import { silentLogger } from '../../platform/logger.js';
import { deserializeReleases } from '../github-releases/stored.js';
import type { Release } from '../release.js';
import { GitHubAtomChannel, type GitHubAtomOptions } from './channel.js';

/** The ten newest tags of the real history, newest first; v0.28-fix is a tag but not a release. */
const NEWEST_RELEASES = [
  'v0.29.2',
  'v0.29.1',
  'v0.29.0',
  'v0.29.0-beta.4',
  'v0.29.0-beta.3',
  'v0.29.0-beta.2',
  'v0.29.0-beta.1',
  'v0.28.0',
  'v0.28.0-beta.2',
];
const FEED_PATH = '/juanfont/headscale/releases.atom';

let server: GitHubFixtureServer;
let route: AtomRoute;

beforeEach(async () => {
  ({ server, routes: route } = await startFixtureServer((server) => new AtomRoute(server)));
});

afterEach(async () => {
  await server.close();
});

function atomFor(options: Partial<GitHubAtomOptions> = {}) {
  const { clock, log, state, dependencies } = channelTestKit();
  const channel = new GitHubAtomChannel({ webUrl: server.url, ...dependencies, ...options });
  return { channel, clock, log, state };
}

function feedRequests() {
  return server.requests.filter((request) => request.path === FEED_PATH);
}

function tags(releases: readonly Release[] | null): string[] {
  return (releases ?? []).map((release) => release.tag);
}

describe('GitHubAtomChannel', () => {
  it('reads the newest releases from the feed', async () => {
    const { channel } = atomFor();

    const releases = await channel.fetchReleases();

    expect(tags(releases)).toEqual(NEWEST_RELEASES);
    expect(releases?.find((release) => release.tag === 'v0.29.0-beta.4')?.prerelease).toBe(true);
    expect(releases?.[0]?.htmlUrl).toBe(`${server.url}/juanfont/headscale/releases/tag/v0.29.2`);
    expect(releases?.[0]?.publishedAt?.toISOString()).toBe('2026-07-01T14:47:39.000Z');
  });

  it('sends feed headers without a token', async () => {
    const { channel } = atomFor();

    await channel.fetchReleases();

    const headers = feedRequests()[0]?.headers ?? {};
    expect(headers.accept).toBe('application/atom+xml');
    expect(headers['user-agent']).toBe('headsup');
    expect(headers.authorization).toBeUndefined();
    expect(headers['if-none-match']).toBeUndefined();
  });

  it('stores the list with its ETag', async () => {
    const { channel, clock, state } = atomFor();

    await channel.fetchReleases();

    const stored = state.get('github-atom');
    expect(stored?.etag).toBe(feedRequests()[0]?.responseHeaders.etag);
    expect(tags(deserializeReleases(stored?.data ?? ''))).toEqual(NEWEST_RELEASES);
    expect(stored?.lastSuccessAt).toEqual(clock.now());
  });

  it('returns null on 304', async () => {
    const { channel, clock, state } = atomFor();
    await channel.fetchReleases();
    clock.advance(60_000);

    const second = await channel.fetchReleases();

    expect(second).toBeNull();
    expect(feedRequests()[1]?.headers['if-none-match']).toBe(state.get('github-atom')?.etag);
    expect(feedRequests()[1]?.status).toBe(304);
    expect(state.get('github-atom')?.lastSuccessAt).toEqual(clock.now());
  });

  it('reads the feed again once it changes', async () => {
    const { channel } = atomFor();
    await channel.fetchReleases();
    server.addRelease({ tag: 'v0.30.0', date: '2026-07-20T10:00:00Z', body: 'Fixes a security issue & more' });

    const releases = await channel.fetchReleases();

    expect(feedRequests()[1]?.status).toBe(200);
    expect(tags(releases).slice(0, 2)).toEqual(['v0.30.0', 'v0.29.2']);
    expect(releases?.[0]?.body).toBe('Fixes a security issue & more');
  });

  it('ignores the ETag when the stored list is unreadable', async () => {
    const { channel, state, clock } = atomFor();
    await channel.fetchReleases();
    state.recordSuccess('github-atom', clock.now(), { data: '{"format":99}' });

    const releases = await channel.fetchReleases();

    expect(feedRequests()[1]?.headers['if-none-match']).toBeUndefined();
    expect(tags(releases)).toEqual(NEWEST_RELEASES);
  });
});

describe('GitHubAtomChannel failures', () => {
  it('retries 5xx and gives up as temporary', async () => {
    server.fault({ kind: '5xx', status: 503, path: /releases\.atom/ });
    const { channel, clock, state } = atomFor();

    const error = await rejection(channel.fetchReleases());

    const host = new URL(server.url).host;
    expect(error.kind).toBe('temporary');
    expect(error.message).toBe(`${host} returned HTTP 503, gave up after 4 attempts`);
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(feedRequests()).toHaveLength(4);
    expect(state.get('github-atom')?.lastError).toBe(error.message);
  });

  it('succeeds after one 5xx', async () => {
    server.fault({ kind: '5xx', path: /releases\.atom/, times: 1 });
    const { channel, log } = atomFor();

    const releases = await channel.fetchReleases();

    expect(tags(releases)).toEqual(NEWEST_RELEASES);
    expect(log.records().some((record) => record.msg === 'retrying GitHub releases feed request' && record.attempt === 1)).toBe(true);
  });

  it('waits a short retry-after', async () => {
    server.fault({ kind: 'rate-limit-429', retryAfterSeconds: 5, path: /releases\.atom/, times: 1 });
    const { channel, clock } = atomFor();

    const releases = await channel.fetchReleases();

    expect(clock.sleeps).toEqual([5000]);
    expect(tags(releases)).toEqual(NEWEST_RELEASES);
  });

  it('gives up on a long retry-after as rate-limited', async () => {
    server.fault({ kind: 'rate-limit-429', retryAfterSeconds: 600, path: /releases\.atom/ });
    const { channel, clock } = atomFor();

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAt).toEqual(new Date(clock.now().getTime() + 600_000));
    expect(error.message).toContain('rate limited the feed (HTTP 429) until 2026-07-21T12:10:00.000Z');
    expect(clock.sleeps).toEqual([]);
  });

  it('retries a timeout', async () => {
    server.fault({ kind: 'timeout', path: /releases\.atom/, times: 1 });
    const { channel, clock } = atomFor({ timeoutMs: 200 });

    const releases = await channel.fetchReleases();

    expect(clock.sleeps).toEqual([1000]);
    expect(tags(releases)).toEqual(NEWEST_RELEASES);
  });

  it('reports another repository as not found', async () => {
    const { channel } = atomFor({ repository: 'juanfont/nothing' });

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('the releases feed of juanfont/nothing was not found at');
    expect(error.message).toContain('channels.github.repository');
  });

  it('rejects a body that is not XML', async () => {
    server.fault({ kind: 'malformed-json', path: /releases\.atom/ });
    const { channel, state } = atomFor();

    const error = await rejection(channel.fetchReleases());

    const host = new URL(server.url).host;
    expect(error.kind).toBe('invalid-response');
    expect(error.message).toBe(
      `${host} returned an invalid releases feed at ${server.url}${FEED_PATH}: the body is not well-formed XML: text before the root element at line 1, column 1`,
    );
    expect(feedRequests()).toHaveLength(1);
    expect(state.get('github-atom')?.lastError).toBe(error.message);
  });

  it('rejects an HTML page served with 200', async () => {
    const portal = {
      handle(_request: IncomingMessage, response: ServerResponse, url: URL) {
        if (url.pathname !== FEED_PATH) return false;
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in to the network</body></html>');
        return true;
      },
    };
    const isolated = new GitHubFixtureServer();
    isolated.addRoute(portal);
    await isolated.start();
    try {
      const { channel } = atomFor({ webUrl: isolated.url });

      const error = await rejection(channel.fetchReleases());

      expect(error.kind).toBe('invalid-response');
      expect(error.message).toContain(`${new URL(isolated.url).host} returned an invalid releases feed`);
      expect(error.message).toContain('the body is not an Atom feed: its root element is <html>');
    } finally {
      await isolated.close();
    }
  });

  it('gives up on an unknown host at once', async () => {
    let requests = 0;
    const unresolvable: HttpClient = {
      fetch: async () => {
        requests++;
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND github.com'), { code: 'ENOTFOUND' }) });
      },
    };
    const channel = new GitHubAtomChannel({ ...channelTestKit().dependencies, http: unresolvable, logger: silentLogger() });

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('temporary');
    expect(error.message).toBe('github.com unreachable: getaddrinfo ENOTFOUND github.com');
    expect(requests).toBe(1);
  });
});
