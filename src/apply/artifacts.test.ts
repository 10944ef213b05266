import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubFixtureServer } from '../../test/fixture/github-server.js';
import { headscaleBinary } from '../../test/lab/index.js';
import { requireVersion } from '../judge/version.js';
import { fetchHttpClient } from '../platform/http.js';
import { silentLogger } from '../platform/logger.js';
import type { Release } from '../watch/release.js';
import { assetNameFor, fetchArtifact, parseChecksums, sha256File, type ArtifactPins } from './artifacts.js';

const server = new GitHubFixtureServer();

beforeAll(async () => {
  await server.start();
  await server.setBinary('0.29.2', headscaleBinary('v0.29.2'));
}, 120_000);

afterAll(() => server.close());

/** Fetches the 0.29.2 release as the fixture's API lists it. */
async function release(): Promise<Release> {
  const response = await fetch(`${server.url}/repos/juanfont/headscale/releases?per_page=100`);
  const list = (await response.json()) as Array<{ tag_name: string; assets: Array<{ name: string; browser_download_url: string; size: number; digest: string }> }>;
  const json = list.find((entry) => entry.tag_name === 'v0.29.2')!;
  return {
    version: requireVersion('0.29.2'),
    tag: 'v0.29.2',
    publishedAt: null,
    prerelease: false,
    body: '',
    htmlUrl: null,
    assets: json.assets.map((asset) => ({ name: asset.name, url: asset.browser_download_url, size: asset.size, digest: asset.digest })),
  };
}

function fetchInto(cacheDir: string, target: Release) {
  return fetchArtifact({ release: target, cacheDir, http: fetchHttpClient, logger: silentLogger(), platform: 'linux', arch: 'x64' });
}

describe('artifacts', () => {
  it('names assets like goreleaser', () => {
    expect(assetNameFor('0.29.2', 'linux', 'x64')).toBe('headscale_0.29.2_linux_amd64');
    expect(assetNameFor('0.26.1', 'linux', 'arm')).toBe('headscale_0.26.1_linux_armv7');
    expect(() => assetNameFor('0.29.2', 'win32', 'x64')).toThrow('Headscale publishes no binary for win32/x64');
  });

  it('parses checksums.txt lines', () => {
    const sums = parseChecksums(`${'a'.repeat(64)}  headscale_0.29.2_linux_amd64\n${'B'.repeat(64)}  checksums-extra\nnot a line\n`);
    expect(sums.get('headscale_0.29.2_linux_amd64')).toBe('a'.repeat(64));
    expect(sums.get('checksums-extra')).toBe('b'.repeat(64));
    expect(sums.size).toBe(2);
  });

  it('downloads and verifies the binary', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'headsup-artifacts-'));
    const artifact = await fetchInto(cacheDir, await release());

    expect(artifact.sha256).toBe(await sha256File(headscaleBinary('v0.29.2')));
    expect(artifact.path).toBe(join(cacheDir, 'artifacts', '0.29.2', 'headscale_0.29.2_linux_amd64'));
  });

  it('rejects bytes that differ from checksums.txt', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'headsup-artifacts-'));
    server.tamperAsset('0.29.2', { bytes: 'flip' });
    try {
      await expect(fetchInto(cacheDir, await release())).rejects.toThrow(/verification of headscale_0.29.2_linux_amd64 \(0.29.2\) failed: the downloaded file has SHA-256/);
      expect(existsSync(join(cacheDir, 'artifacts', '0.29.2', 'headscale_0.29.2_linux_amd64'))).toBe(false);
    } finally {
      server.untamperAsset('0.29.2');
    }
  });

  it('rejects a digest that contradicts checksums.txt', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'headsup-artifacts-'));
    server.tamperAsset('0.29.2', { digest: 'wrong' });
    try {
      await expect(fetchInto(cacheDir, await release())).rejects.toThrow(/asset digest is/);
    } finally {
      server.untamperAsset('0.29.2');
    }
  });

  it('downloads again over a damaged cached file', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'headsup-artifacts-'));
    const first = await fetchInto(cacheDir, await release());
    writeFileSync(first.path, 'damaged');

    const second = await fetchInto(cacheDir, await release());
    expect(second.sha256).toBe(first.sha256);
    expect(readFileSync(second.path).length).toBeGreaterThan(1000);
  });

  it('explains a release without assets', async () => {
    const bare: Release = { ...(await release()), assets: [] };
    await expect(fetchInto(mkdtempSync(join(tmpdir(), 'headsup-artifacts-')), bare)).rejects.toThrow('release v0.29.2 has no asset named headscale_0.29.2_linux_amd64');
  });

  it('rejects a checksum that changed since verification', async () => {
    const pinned = new Map<string, { sha256: string; firstVerifiedAt: string }>();
    const pins: ArtifactPins = {
      get: (version, asset) => pinned.get(`${version}/${asset}`) ?? null,
      record: (version, asset, sha256, at) => {
        if (!pinned.has(`${version}/${asset}`)) pinned.set(`${version}/${asset}`, { sha256, firstVerifiedAt: at.toISOString() });
      },
    };
    const target = await release();
    const first = await fetchArtifact({ release: target, cacheDir: mkdtempSync(join(tmpdir(), 'headsup-artifacts-')), http: fetchHttpClient, logger: silentLogger(), platform: 'linux', arch: 'x64', pins });
    expect(pinned.get('0.29.2/headscale_0.29.2_linux_amd64')!.sha256).toBe(first.sha256);

    await server.setBinary('0.29.2', headscaleBinary('v0.28.0'));
    try {
      await expect(
        fetchArtifact({ release: await release(), cacheDir: mkdtempSync(join(tmpdir(), 'headsup-artifacts-')), http: fetchHttpClient, logger: silentLogger(), platform: 'linux', arch: 'x64', pins }),
      ).rejects.toThrow(`but headsup verified ${first.sha256} for it on`);
    } finally {
      await server.setBinary('0.29.2', headscaleBinary('v0.29.2'));
    }
  });
});
