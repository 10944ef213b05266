import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { requireVersion } from '../../judge/version.js';
import type { Release } from '../release.js';

/**
 * The release list shipped with headsup in `data/releases-snapshot.json`, written by
 * `scripts/make-release-snapshot.mjs`. It is the last resort when no channel can be reached and
 * nothing is cached, so it is only as new as its `snapshotDate`.
 */
export interface ReleaseSnapshot {
  /** The day the list was taken, `YYYY-MM-DD`. */
  snapshotDate: string;
  /** Releases in tag-date order, oldest first, without notes or assets. */
  releases: Release[];
}

const SnapshotSchema = z.object({
  snapshotDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string(),
  releases: z.array(
    z.object({
      tag: z.string(),
      publishedAt: z.string().nullable(),
      prerelease: z.boolean(),
    }),
  ),
});

/**
 * `src/watch/snapshot/index.ts` under vitest and `dist/watch/snapshot/index.js` after the build
 * are both three levels below the package root, which contains `data/`.
 */
const SNAPSHOT_URL = new URL('../../../data/releases-snapshot.json', import.meta.url);

/** Reads the shipped snapshot; throws when the file is missing or malformed, which is a packaging bug. */
export function loadReleaseSnapshot(): ReleaseSnapshot {
  const path = fileURLToPath(SNAPSHOT_URL);
  const snapshot = readSnapshotFile(path);

  return {
    snapshotDate: snapshot.snapshotDate,
    releases: snapshot.releases.map((release) => ({
      version: requireVersion(release.tag),
      tag: release.tag,
      publishedAt: release.publishedAt ? new Date(release.publishedAt) : null,
      prerelease: release.prerelease,
      body: '',
      htmlUrl: null,
      assets: [],
    })),
  };
}

function readSnapshotFile(path: string): z.infer<typeof SnapshotSchema> {
  try {
    return SnapshotSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new Error(`cannot read the release snapshot ${path}: ${(error as Error).message}`, { cause: error });
  }
}
