import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { compareVersions, requireVersion, tagOf } from '../../src/judge/version.js';

const VERSIONS_FILE = fileURLToPath(new URL('../headscale-versions.txt', import.meta.url));

/** Returns the cache that scripts/setup-headscale.sh builds into: `$HEADSUP_HEADSCALE_CACHE` or `~/.cache/headsup/headscale`. */
export function headscaleCacheDir(): string {
  return process.env.HEADSUP_HEADSCALE_CACHE || join(homedir(), '.cache', 'headsup', 'headscale');
}

/** Normalises `0.28.0` or `v0.28.0` to the tag form used as the cache folder name. */
export function headscaleTag(version: string): string {
  return tagOf(requireVersion(version));
}

/**
 * Returns the path of the cached Headscale build of `version`. Throws when it is missing, so a test
 * that needs the binary fails with the command to run instead of being skipped.
 */
export function headscaleBinary(version: string): string {
  const tag = headscaleTag(version);
  const path = join(headscaleCacheDir(), tag, 'headscale');
  if (!existsSync(path)) {
    throw new Error(`Headscale ${tag} is not built: ${path} is missing. Run \`scripts/setup-headscale.sh ${tag}\` to build it.`);
  }

  return path;
}

/** Lists the built versions that the lab can seed and snapshot through their CLI: 0.26 and later. */
export function labVersions(): string[] {
  return builtVersions().filter((tag) => requireVersion(tag).minor >= 26);
}

/** Every version in test/headscale-versions.txt, which scripts/setup-headscale.sh builds. */
export function builtVersions(): string[] {
  return readFileSync(VERSIONS_FILE, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(headscaleTag);
}

/** Lists the lab versions plus every other build found in the cache, oldest first. */
export function cachedHeadscaleVersions(): string[] {
  const tags = new Set(builtVersions());
  const cacheDir = headscaleCacheDir();
  if (existsSync(cacheDir)) {
    for (const entry of readdirSync(cacheDir)) {
      if (existsSync(join(cacheDir, entry, 'headscale')) && isTag(entry)) tags.add(entry);
    }
  }

  return [...tags].sort((a, b) => compareVersions(requireVersion(a), requireVersion(b)));
}

function isTag(name: string): boolean {
  try {
    return headscaleTag(name) === name;
  } catch {
    return false;
  }
}
