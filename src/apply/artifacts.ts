import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HeadsupError } from '../errors.js';
import type { HttpClient } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import type { Release, ReleaseAsset } from '../watch/release.js';

export interface Artifact {
  version: string;
  assetName: string;
  path: string;
  sha256: string;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'armv7' };
const GO_OS: Record<string, string> = { linux: 'linux', darwin: 'darwin', freebsd: 'freebsd' };

/**
 * Returns the release asset name of the Headscale binary for a platform, e.g. `headscale_0.29.2_linux_amd64`
 * (the goreleaser name template of every release since 0.15).
 */
export function assetNameFor(version: string, platform: string = process.platform, arch: string = process.arch): string {
  const os = GO_OS[platform];
  const goArch = GO_ARCH[arch];
  if (!os || !goArch) {
    throw new HeadsupError('PLATFORM_UNSUPPORTED', `Headscale publishes no binary for ${platform}/${arch}`, {
      hint: 'run headsup on linux, darwin or freebsd on amd64 or arm64',
    });
  }
  return `headscale_${version}_${os}_${goArch}`;
}

/** Parses a goreleaser `checksums.txt`: one `<sha256 hex>  <file name>` line per asset. */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64})\s+\*?(\S+)\s*$/i.exec(line.trim());
    if (match) sums.set(match[2]!, match[1]!.toLowerCase());
  }
  return sums;
}

/** Hashes verified before, by version and asset name; see VerifiedArtifactRepository. */
export interface ArtifactPins {
  get(version: string, asset: string): { sha256: string; firstVerifiedAt: string } | null;
  record(version: string, asset: string, sha256: string, at: Date): void;
}

export interface FetchArtifactOptions {
  release: Release;
  pins?: ArtifactPins;
  now?: Date;
  cacheDir: string;
  http: HttpClient;
  logger: Logger;
  platform?: string;
  arch?: string;
  timeoutMs?: number;
}

/**
 * Downloads a release's Headscale binary into the cache and verifies its SHA-256 against the
 * release's `checksums.txt` and, when GitHub provides one, the asset's digest. A cached file is
 * verified again before use. Nothing unverified is ever left at the returned path.
 */
export async function fetchArtifact(options: FetchArtifactOptions): Promise<Artifact> {
  const { release, cacheDir, http, logger } = options;
  const version = release.version.text;
  const assetName = assetNameFor(version, options.platform, options.arch);
  const asset = findAsset(release, assetName);
  const checksumsAsset = findAsset(release, 'checksums.txt');

  const expected = await expectedChecksum(http, checksumsAsset, assetName, version, options.timeoutMs);
  const pin = options.pins?.get(version, assetName);
  if (pin && pin.sha256 !== expected) {
    throw new HeadsupError(
      'CHECKSUM_CHANGED',
      `checksums.txt of ${version} now lists ${expected} for ${assetName}, but headsup verified ${pin.sha256} for it on ${pin.firstVerifiedAt}`,
      { hint: 'a published release should never change; check the release page and the channel before trusting it. Nothing was changed' },
    );
  }
  const digest = parseDigest(asset.digest);
  if (digest && digest !== expected) {
    throw mismatch(version, assetName, `checksums.txt lists ${expected} but the release API's asset digest is ${digest}`);
  }

  const directory = join(cacheDir, 'artifacts', version);
  const finalPath = join(directory, assetName);
  await mkdir(directory, { recursive: true, mode: 0o700 });

  if (await exists(finalPath)) {
    const cached = await sha256File(finalPath);
    if (cached === expected) {
      logger.info({ version, path: finalPath }, 'artifacts: using verified cached binary');
      options.pins?.record(version, assetName, expected, options.now ?? new Date());
      return { version, assetName, path: finalPath, sha256: cached };
    }
    logger.warn({ version, path: finalPath, cached, expected }, 'artifacts: cached binary does not match checksums.txt; downloading again');
    await rm(finalPath, { force: true });
  }

  const partial = `${finalPath}.partial-${process.pid}`;
  try {
    const actual = await download(http, asset.url, partial, options.timeoutMs);
    if (actual !== expected) {
      throw mismatch(version, assetName, `the downloaded file has SHA-256 ${actual}, checksums.txt lists ${expected}`);
    }
    await chmod(partial, 0o755);
    await rename(partial, finalPath);
  } finally {
    await rm(partial, { force: true });
  }
  logger.info({ version, path: finalPath, sha256: expected }, 'artifacts: downloaded and verified binary');
  options.pins?.record(version, assetName, expected, options.now ?? new Date());
  return { version, assetName, path: finalPath, sha256: expected };
}

function findAsset(release: Release, name: string): ReleaseAsset {
  const asset = release.assets.find((candidate) => candidate.name === name);
  if (!asset) {
    throw new HeadsupError('ASSET_MISSING', `release ${release.tag} has no asset named ${name}`, {
      hint:
        release.assets.length === 0
          ? 'the release lists no files at all. When the releases come from the offline snapshot (see `headsup check`), rerun once the GitHub channel is reachable; otherwise install this version by hand'
          : 'Headscale may not publish a binary for this platform; install that version by hand',
    });
  }
  return asset;
}

async function expectedChecksum(http: HttpClient, asset: ReleaseAsset, assetName: string, version: string, timeoutMs?: number): Promise<string> {
  const response = await http.fetch(asset.url, { timeoutMs: timeoutMs ?? 30_000 });
  if (!response.ok) {
    throw new HeadsupError('CHECKSUMS_UNAVAILABLE', `downloading checksums.txt of ${version} failed with HTTP ${response.status}`, {
      hint: 'retry later; headsup never installs a binary it cannot verify',
    });
  }
  const sums = parseChecksums(await response.text());
  const expected = sums.get(assetName);
  if (!expected) {
    throw new HeadsupError('CHECKSUM_MISSING', `checksums.txt of ${version} lists no checksum for ${assetName}`, {
      hint: 'headsup never installs a binary it cannot verify; install this version by hand after checking it',
    });
  }
  return expected;
}

async function download(http: HttpClient, url: string, destination: string, timeoutMs?: number): Promise<string> {
  const response = await http.fetch(url, { timeoutMs: timeoutMs ?? 600_000 });
  if (!response.ok || !response.body) {
    throw new HeadsupError('DOWNLOAD_FAILED', `downloading ${url} failed with HTTP ${response.status}`, { hint: 'retry later' });
  }
  const hash = createHash('sha256');
  const source = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  source.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(source, createWriteStream(destination, { mode: 0o600 }));
  return hash.digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function parseDigest(digest: string | null): string | null {
  if (!digest) return null;
  const match = /^sha256:([0-9a-f]{64})$/i.exec(digest);
  return match ? match[1]!.toLowerCase() : null;
}

function mismatch(version: string, assetName: string, detail: string): HeadsupError {
  return new HeadsupError('CHECKSUM_MISMATCH', `verification of ${assetName} (${version}) failed: ${detail}`, {
    hint: 'the download was discarded and nothing was changed; retry later, and report it if it persists',
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
