import { z } from 'zod';
import { parseVersion } from '../../judge/version.js';
import type { Release } from '../release.js';

/**
 * The JSON kept in `channel_state.data` for the last good list of releases. Versions are stored as
 * their tags and parsed again on reading, so a stored list always yields real `Version` objects.
 * Bump `format` when the shape changes; a reader rejects formats it does not know.
 */
const STORED_FORMAT = 1;

const StoredAssetSchema = z.object({
  name: z.string(),
  url: z.string(),
  size: z.number().nullable(),
  digest: z.string().nullable(),
});

const StoredReleaseSchema = z.object({
  tag: z.string(),
  publishedAt: z.string().nullable(),
  prerelease: z.boolean(),
  body: z.string(),
  htmlUrl: z.string().nullable(),
  assets: z.array(StoredAssetSchema),
});

const StoredListSchema = z.object({
  format: z.literal(STORED_FORMAT),
  releases: z.array(StoredReleaseSchema),
});

/** Serialises releases for `ChannelStateRepository.recordSuccess`. */
export function serializeReleases(releases: readonly Release[]): string {
  return JSON.stringify({
    format: STORED_FORMAT,
    releases: releases.map((release) => ({
      tag: release.tag,
      publishedAt: release.publishedAt?.toISOString() ?? null,
      prerelease: release.prerelease,
      body: release.body,
      htmlUrl: release.htmlUrl,
      assets: release.assets,
    })),
  });
}

/**
 * Restores releases written by `serializeReleases`. Throws an Error naming the problem when the
 * text is not such a list; skips entries whose tag is no longer a release version.
 */
export function deserializeReleases(text: string): Release[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`stored releases are not valid JSON: ${(error as Error).message}`, { cause: error });
  }

  const parsed = StoredListSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`stored releases have an unexpected shape at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }

  const releases: Release[] = [];
  for (const stored of parsed.data.releases) {
    const version = parseVersion(stored.tag);
    if (!version) continue;
    releases.push({ ...stored, version, publishedAt: stored.publishedAt ? new Date(stored.publishedAt) : null });
  }
  return releases;
}
