import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../test/fixture/channel-test-kit.js';
import { GitHubFixtureServer } from '../../../test/fixture/github-server.js';
import { channelFor } from '../../../test/fixture/setup.js';
import { compareVersions } from '../../judge/version.js';
import type { Release } from '../release.js';
import { deserializeReleases } from './stored.js';

/** Real history: 95 release tags plus 16 tags that are not releases, all listed by the fixture. */
const REAL_RELEASES = 95;
const LISTED_TAGS = 111;

let server: GitHubFixtureServer;

beforeEach(async () => {
  server = new GitHubFixtureServer();
  await server.start();
});

afterEach(async () => {
  await server.close();
});

function tags(releases: readonly Release[] | null): string[] {
  return (releases ?? []).map((release) => release.tag);
}

describe('GitHubReleasesChannel pagination and caching', () => {
  it('follows Link across all pages', async () => {
    const { channel } = channelFor(server, { perPage: 30 });

    const releases = await channel.fetchReleases();

    expect(releases).toHaveLength(REAL_RELEASES);
    expect(releases?.[0]?.tag).toBe('v0.29.2');
    expect(new Set(tags(releases)).size).toBe(REAL_RELEASES);
    expect(server.apiRequests().map((request) => request.path)).toEqual([
      '/repos/juanfont/headscale/releases?per_page=30',
      '/repositories/4201337/releases?per_page=30&page=2',
      '/repositories/4201337/releases?per_page=30&page=3',
      '/repositories/4201337/releases?per_page=30&page=4',
    ]);
  });

  it('sends the recommended GitHub headers', async () => {
    const { channel } = channelFor(server);

    await channel.fetchReleases();

    const headers = server.apiRequests()[0]?.headers ?? {};
    expect(headers.accept).toBe('application/vnd.github+json');
    expect(headers['x-github-api-version']).toBe('2022-11-28');
    expect(headers['user-agent']).toBe('headsup');
    expect(headers.authorization).toBeUndefined();
    expect(headers['if-none-match']).toBeUndefined();
  });

  it('returns null on 304 without spending budget', async () => {
    const { channel, state } = channelFor(server);
    await channel.fetchReleases();
    const remainingAfterFirst = server.rateLimit.remaining;
    const storedEtag = state.get(channel.id)?.etag;

    const second = await channel.fetchReleases();

    expect(second).toBeNull();
    const last = server.apiRequests().at(-1);
    expect(last?.status).toBe(304);
    expect(last?.headers['if-none-match']).toBe(storedEtag);
    expect(server.rateLimit.remaining).toBe(remainingAfterFirst);
    expect(deserializeReleases(state.get(channel.id)?.data ?? '')).toHaveLength(REAL_RELEASES);
    expect(state.get(channel.id)?.lastError).toBeNull();
  });

  it('refetches when the first page changed', async () => {
    const { channel } = channelFor(server);
    await channel.fetchReleases();
    server.addRelease({ tag: 'v0.29.3', body: 'Fixes a crash on startup.' });

    const releases = await channel.fetchReleases();

    expect(releases?.[0]?.tag).toBe('v0.29.3');
    expect(releases?.[0]?.body).toBe('Fixes a crash on startup.');
    expect(server.apiRequests().at(-1)?.status).toBe(200);
  });

  it('sees a removed release', async () => {
    const { channel } = channelFor(server);
    await channel.fetchReleases();
    server.removeRelease('v0.29.2');

    const releases = await channel.fetchReleases();

    expect(tags(releases)).not.toContain('v0.29.2');
    expect(releases).toHaveLength(REAL_RELEASES - 1);
  });

  it('stores releases that restore versions', async () => {
    const { channel, state } = channelFor(server);
    const live = await channel.fetchReleases();

    const restored = deserializeReleases(state.get(channel.id)?.data ?? '');

    expect(restored).toEqual(live);
    expect(restored[0]?.version.text).toBe('0.29.2');
    expect(restored[0]?.publishedAt).toBeInstanceOf(Date);
  });
});

describe('GitHubReleasesChannel rate limits', () => {
  it('fails with retryAt when the budget is spent', async () => {
    const resetAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 1_800_000);
    server.setRateLimit({ remaining: 0, resetAt });
    const { channel, clock, state } = channelFor(server);

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAt?.toISOString()).toBe(resetAt.toISOString());
    expect(error.message).toContain(`rate limited until ${resetAt.toISOString()}`);
    expect(server.apiRequests()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(state.get(channel.id)?.lastError).toBe(error.message);
  });

  it('does not retry a 403 rate limit', async () => {
    server.fault({ kind: 'rate-limit-403' });
    const { channel, clock } = channelFor(server);

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAt?.getTime()).toBe(Math.floor(server.rateLimit.resetAt.getTime() / 1000) * 1000);
    expect(server.apiRequests()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('waits out a short retry-after', async () => {
    server.fault({ kind: 'rate-limit-429', times: 1, retryAfterSeconds: 5 });
    const { channel, clock } = channelFor(server);

    const releases = await channel.fetchReleases();

    expect(releases).toHaveLength(REAL_RELEASES);
    expect(clock.sleeps).toEqual([5_000]);
    expect(server.apiRequests().map((request) => request.status)).toEqual([429, 200, 200]);
  });

  it('gives up on a long retry-after', async () => {
    server.fault({ kind: 'rate-limit-429', retryAfterSeconds: 3_600 });
    const { channel, clock } = channelFor(server);
    const start = clock.now().getTime();

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAt?.getTime()).toBe(start + 3_600_000);
    expect(server.apiRequests()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('GitHubReleasesChannel retries', () => {
  it('retries 5xx up to the cap', async () => {
    server.fault({ kind: '5xx', status: 502 });
    const { channel, clock, log, state } = channelFor(server);

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('temporary');
    expect(error.message).toBe(`${new URL(server.url).host} returned HTTP 502, gave up after 4 attempts`);
    expect(server.apiRequests()).toHaveLength(4);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(state.get(channel.id)?.lastError).toBe(error.message);

    const retries = log.records().filter((record) => record.msg === 'retrying GitHub releases request');
    expect(retries.map((record) => record.attempt)).toEqual([1, 2, 3]);
    expect(retries[0]).toMatchObject({ channel: 'github-releases', status: 502, delayMs: 1_000 });
    expect(String(retries[0]?.url)).toContain('/repos/juanfont/headscale/releases');
    const giveUps = log.records().filter((record) => record.msg === 'giving up on GitHub releases request');
    expect(giveUps).toHaveLength(1);
    expect(giveUps[0]).toMatchObject({ attempt: 4, status: 502 });
  });

  it('recovers after two 5xx', async () => {
    server.fault({ kind: '5xx', times: 2, status: 503 });
    const { channel, clock } = channelFor(server);

    const releases = await channel.fetchReleases();

    expect(releases).toHaveLength(REAL_RELEASES);
    expect(server.apiRequests().map((request) => request.status)).toEqual([503, 503, 200, 200]);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
  });

  it('retries a failing later page', async () => {
    server.fault({ kind: '5xx', times: 1, path: /page=2/ });
    const { channel } = channelFor(server);

    const releases = await channel.fetchReleases();

    expect(releases).toHaveLength(REAL_RELEASES);
    expect(server.apiRequests().map((request) => request.status)).toEqual([200, 502, 200]);
  });

  it('reports a timeout as temporary', async () => {
    server.fault({ kind: 'timeout' });
    const { channel } = channelFor(server, { timeoutMs: 200, maxRetries: 1 });

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('temporary');
    expect(error.message).toContain('timed out after 200 ms');
    expect(server.apiRequests()).toHaveLength(2);
  });

  it('retries a reset connection', async () => {
    server.fault({ kind: 'reset', times: 1 });
    const { channel, clock } = channelFor(server);

    const releases = await channel.fetchReleases();

    expect(releases).toHaveLength(REAL_RELEASES);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('rejects malformed JSON without retrying', async () => {
    server.fault({ kind: 'malformed-json' });
    const { channel, clock } = channelFor(server);

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('invalid-response');
    expect(error.message).toContain('malformed JSON');
    expect(server.apiRequests()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('GitHubReleasesChannel tokens and errors', () => {
  const token = 'ghp_fixtureToken0123456789abcdefABCDEF';

  it('sends the token but never logs it', async () => {
    await server.close();
    server = new GitHubFixtureServer({ token });
    await server.start();
    server.fault({ kind: '5xx' });
    const { channel, log, state } = channelFor(server, { token });

    const error = await rejection(channel.fetchReleases());

    expect(server.apiRequests().every((request) => request.headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(log.records().length).toBeGreaterThan(0);
    expect(log.text()).not.toContain(token);
    expect(error.message).not.toContain(token);
    expect(String(error.cause ?? '')).not.toContain(token);
    expect(state.get(channel.id)?.lastError).not.toContain(token);
    expect(JSON.stringify(server.apiRequests().map((request) => request.responseHeaders))).not.toContain(token);
  });

  it('explains a rejected token', async () => {
    await server.close();
    server = new GitHubFixtureServer({ token });
    await server.start();
    const wrong = 'ghp_wrongToken0123456789';
    const { channel, log } = channelFor(server, { token: wrong, tokenSource: 'the environment variable GITHUB_TOKEN' });

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('unauthorized');
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('check the token in the environment variable GITHUB_TOKEN');
    expect(error.message).not.toContain(wrong);
    expect(log.text()).not.toContain(wrong);
    expect(server.apiRequests()).toHaveLength(1);
  });

  it('names a missing repository', async () => {
    const { channel } = channelFor(server, { repository: 'juanfont/no-such-repo' });

    const error = await rejection(channel.fetchReleases());

    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('repository juanfont/no-such-repo not found');
    expect(server.apiRequests()).toHaveLength(1);
  });
});

describe('GitHubReleasesChannel parsing', () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'headsup-assets-'));
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('ignores non-release tags and drafts', async () => {
    const token = 'ghp_pushAccess0123456789';
    server.addRelease({ tag: 'backup/2026-07-20', prerelease: false });
    server.addRelease({ tag: 'v0.30.0-beta.1', draft: true });
    const { channel } = channelFor(server, { token });

    const releases = await channel.fetchReleases();

    expect(releases).toHaveLength(REAL_RELEASES);
    for (const tag of ['v0.28-fix', 'v0.22.0-nfpmtest', 'v0.23.0-alpha4-docker-ko-test', 'backup/2026-07-20', 'v0.30.0-beta.1']) {
      expect(tags(releases)).not.toContain(tag);
    }
  });

  it('lists every tag the fixture holds', async () => {
    const { channel } = channelFor(server, { perPage: 100 });

    await channel.fetchReleases();

    const listed = server.apiRequests().filter((request) => request.status === 200);
    expect(listed).toHaveLength(Math.ceil(LISTED_TAGS / 100));
  });

  it('maps body, URLs and asset digests', async () => {
    const binary = join(folder, 'headscale');
    writeFileSync(binary, Buffer.alloc(3 * 1024 * 1024, 7));
    const sha256 = createHash('sha256').update(Buffer.alloc(3 * 1024 * 1024, 7)).digest('hex');
    await server.setBinary('0.29.2', binary);
    server.addRelease({ tag: 'v0.29.3', body: '## Changes\n- fix', date: '2026-07-15T10:00:00Z' });
    const { channel } = channelFor(server);

    const releases = await channel.fetchReleases();

    const newest = releases?.[0];
    expect(newest?.tag).toBe('v0.29.3');
    expect(newest?.body).toBe('## Changes\n- fix');
    expect(newest?.publishedAt?.toISOString()).toBe('2026-07-15T10:00:00.000Z');
    expect(newest?.prerelease).toBe(false);
    expect(newest?.assets).toEqual([]);

    const patched = releases?.find((release) => release.tag === 'v0.29.2');
    expect(patched?.htmlUrl).toBe(`${server.url}/juanfont/headscale/releases/tag/v0.29.2`);
    expect(patched?.body).toBe('');
    const amd64 = patched?.assets.find((asset) => asset.name === 'headscale_0.29.2_linux_amd64');
    expect(amd64).toEqual({
      name: 'headscale_0.29.2_linux_amd64',
      url: `${server.url}/juanfont/headscale/releases/download/v0.29.2/headscale_0.29.2_linux_amd64`,
      size: 3 * 1024 * 1024,
      digest: `sha256:${sha256}`,
    });
    expect(patched?.assets.map((asset) => asset.name)).toContain('checksums.txt');
  });

  it('orders real prereleases before the release', async () => {
    const { channel } = channelFor(server);
    const releases = (await channel.fetchReleases()) ?? [];
    const byTag = (tag: string) => releases.find((release) => release.tag === tag)!;
    const chain = ['v0.23.0-alpha12', 'v0.23.0-beta3', 'v0.23.0-beta.4', 'v0.23.0-rc.1', 'v0.23.0', 'v0.24.0-beta.1'].map(byTag);

    for (let i = 1; i < chain.length; i++) {
      expect(compareVersions(chain[i - 1]!.version, chain[i]!.version)).toBeLessThan(0);
    }
    expect(chain.map((release) => release.prerelease)).toEqual([true, true, true, true, false, true]);
  });
});
