import { z } from 'zod';
import { parseVersion } from '../../judge/version.js';
import type { Release, ReleaseAsset } from '../release.js';

/**
 * The fields headsup reads from GitHub's "List releases" response (REST API version 2022-11-28).
 * Unknown fields are ignored. `body`, `published_at` and an asset's `digest` are nullable there;
 * `digest` only exists on assets uploaded since 2025-06-03.
 */
const AssetSchema = z.object({
  name: z.string(),
  browser_download_url: z.string(),
  size: z.number().int().nonnegative().nullable().optional(),
  digest: z.string().nullable().optional(),
});

const ReleaseSchema = z.object({
  tag_name: z.string(),
  draft: z.boolean(),
  prerelease: z.boolean(),
  published_at: z.string().nullable(),
  body: z.string().nullable().optional(),
  html_url: z.string().nullable().optional(),
  assets: z.array(AssetSchema),
});

const PageSchema = z.array(ReleaseSchema);

type GitHubRelease = z.infer<typeof ReleaseSchema>;

/** The outcome of reading one page; `error` names the first field that does not fit, e.g. `3.tag_name: …`. */
export type PageParseResult = { ok: true; releases: Release[] } | { ok: false; error: string };

/**
 * Converts one page of the GitHub response into releases. Drafts are dropped, and so are tags
 * that are not Headscale release versions (`v0.28-fix`, `backup/…`, `v0.22.0-nfpmtest`).
 */
export function parseReleasePage(json: unknown): PageParseResult {
  const parsed = PageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, error: `${where}${issue?.message ?? 'unexpected shape'}` };
  }

  const releases: Release[] = [];
  for (const item of parsed.data) {
    const release = toRelease(item);
    if (release) releases.push(release);
  }
  return { ok: true, releases };
}

function toRelease(item: GitHubRelease): Release | null {
  if (item.draft) return null;

  const version = parseVersion(item.tag_name);
  if (!version) return null;

  return {
    version,
    tag: item.tag_name,
    publishedAt: parseDate(item.published_at),
    prerelease: item.prerelease,
    body: item.body ?? '',
    htmlUrl: item.html_url ?? null,
    assets: item.assets.map(toAsset),
  };
}

function toAsset(asset: z.infer<typeof AssetSchema>): ReleaseAsset {
  return {
    name: asset.name,
    url: asset.browser_download_url,
    size: asset.size ?? null,
    digest: normaliseDigest(asset.digest),
  };
}

/** Keeps a digest only in the form `sha256:<64 hex digits>`, lower-cased; other algorithms become null. */
export function normaliseDigest(digest: string | null | undefined): string | null {
  if (!digest) return null;

  const match = /^sha256:([0-9a-f]{64})$/i.exec(digest.trim());
  return match ? `sha256:${match[1]!.toLowerCase()}` : null;
}

function parseDate(value: string | null): Date | null {
  if (!value) return null;

  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
