import { parseVersion, type Version } from '../judge/version.js';
import type { ProcessRunner } from '../platform/exec.js';
import type { HttpClient } from '../platform/http.js';
import type { InstalledBinaryRepository } from '../store/installed-binaries.js';
import { sha256File } from './artifacts.js';
import { readBinaryVersion } from './headscale-version.js';

export type VersionSource = 'binary' | 'recorded-install' | 'unknown';

export interface DetectedVersion {
  version: Version | null;
  source: VersionSource;
  /** The binary's output, or the reason the version is unknown. */
  detail: string;
}

/**
 * Finds the version of the Headscale binary at `binaryPath`: what `headscale version` prints, or,
 * for a build that prints `dev`, the version headsup recorded when it installed that exact file
 * (matched by SHA-256). Otherwise the version is unknown.
 */
export async function detectBinaryVersion(
  runner: ProcessRunner,
  installs: InstalledBinaryRepository,
  binaryPath: string,
): Promise<DetectedVersion> {
  const printed = await readBinaryVersion(runner, binaryPath);
  if (printed.kind === 'release') return { version: printed.version, source: 'binary', detail: printed.raw };

  const recorded = installs.versionOf(await sha256File(binaryPath));
  const version = recorded ? parseVersion(recorded) : null;
  if (version) {
    return { version, source: 'recorded-install', detail: `the binary prints "${printed.raw}"; headsup installed it as ${version.text}` };
  }
  const what = printed.kind === 'dev' ? `a development build ("${printed.raw}")` : `unrecognised output "${printed.raw.split('\n')[0]}"`;
  return { version: null, source: 'unknown', detail: `the binary reports ${what} and headsup did not install it` };
}

/**
 * The version the running server reports on `GET /version` (Headscale 0.27 and later); null when
 * the endpoint does not exist (older versions return 404) or cannot be reached.
 */
export async function readServedVersion(http: HttpClient, versionUrl: string): Promise<Version | null> {
  try {
    const response = await http.fetch(versionUrl, { timeoutMs: 5000 });
    if (response.status !== 200) {
      await response.arrayBuffer();
      return null;
    }
    const body = (await response.json()) as { version?: unknown };
    return typeof body.version === 'string' ? parseVersion(body.version) : null;
  } catch {
    return null;
  }
}

/** Derives the `/version` URL beside a `/health` URL, e.g. `http://127.0.0.1:8080/version`. */
export function versionUrlFor(healthUrl: string): string {
  const url = new URL(healthUrl);
  url.pathname = url.pathname.replace(/\/health\/?$/, '/version');
  if (!url.pathname.endsWith('/version')) url.pathname = '/version';
  return url.toString();
}
