import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { OsvRecord } from '../osv/types.js';
import { securityCatalogSchema, type CatalogEntry } from './schema.js';

export { catalogEntrySchema, securityCatalogSchema, type CatalogEntry } from './schema.js';

/** The Go module path under which OSV and GHSA records list Headscale. */
export const HEADSCALE_PACKAGE = 'github.com/juanfont/headscale';

/** The catalog shipped in the package. Both `src/judge/catalog/` and `dist/judge/catalog/` sit three levels below the root. */
export const SHIPPED_CATALOG_URL = new URL('../../../data/security-catalog.json', import.meta.url);

/** Curated Headscale security fixes, as entries and as the OSV records the range evaluator reads. */
export interface SecurityCatalog {
  readonly entries: readonly CatalogEntry[];
  readonly records: readonly OsvRecord[];
}

/** A catalog file that is not valid JSON or does not match the schema. The message lists each issue with its path. */
export class SecurityCatalogError extends Error {
  constructor(
    readonly origin: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid security catalog ${origin}:\n${issues.map((issue) => `  ${issue}`).join('\n')}`);
    this.name = 'SecurityCatalogError';
  }
}

/**
 * Reads and validates a security catalog, by default the one shipped with headsup.
 *
 * @throws SecurityCatalogError when the file is not valid JSON or an entry breaks the schema.
 */
export function loadSecurityCatalog(file: URL = SHIPPED_CATALOG_URL): SecurityCatalog {
  const text = readFileSync(file, 'utf8');

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SecurityCatalogError(file.pathname, [(error as Error).message]);
  }
  return parseSecurityCatalog(json, file.pathname);
}

/**
 * Validates parsed catalog JSON and converts its entries into OSV records.
 *
 * @param origin names the input in error messages, such as a file path.
 * @throws SecurityCatalogError listing every issue as `path: message`, e.g. `entries.2.affected.0.fixed: …`.
 */
export function parseSecurityCatalog(json: unknown, origin: string): SecurityCatalog {
  const parsed = securityCatalogSchema.safeParse(json);
  if (!parsed.success) {
    throw new SecurityCatalogError(origin, parsed.error.issues.map(formatIssue));
  }

  const entries = parsed.data.entries;
  return { entries, records: entries.map(toOsvRecord) };
}

/**
 * Maps every alias and id of each entry to its first fixed tag, in the form `isAffected` takes as
 * `firstFixedTags`. A formal advisory whose record ends in `last_affected` (GHSA-wp76-cf2j-rqq7
 * ends at 0.22.3) then also covers the prereleases tagged before the fix.
 */
export function firstFixedTags(entries: readonly CatalogEntry[]): Record<string, string> {
  const tags: Record<string, string> = {};

  for (const entry of entries) {
    for (const name of [entry.id, ...entry.aliases]) tags[name] = entry.firstFixed;
  }
  return tags;
}

/** Converts an entry into an OSV record with one `ECOSYSTEM` range per catalog range. */
export function toOsvRecord(entry: CatalogEntry): OsvRecord {
  const timestamp = `${entry.published}T00:00:00Z`;
  const vector = entry.severity?.startsWith('CVSS:') ? entry.severity : null;
  const label = entry.severity !== null && vector === null ? entry.severity : null;

  return {
    id: entry.id,
    aliases: entry.aliases,
    summary: entry.summary,
    published: timestamp,
    // The catalog records no modification time, so the release date is used in its place.
    modified: timestamp,
    ...(vector === null ? {} : { severity: [{ type: 'CVSS_V3', score: vector }] }),
    affected: [
      {
        package: { ecosystem: 'Go', name: HEADSCALE_PACKAGE },
        ranges: entry.affected.map((range) => ({
          type: 'ECOSYSTEM',
          events: [{ introduced: range.introduced }, { fixed: range.fixed }],
        })),
      },
    ],
    database_specific: {
      ...(label === null ? {} : { severity: label }),
      first_fixed: entry.firstFixed,
      source: entry.source,
      ...(entry.notes === undefined ? {} : { notes: entry.notes }),
    },
  };
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${path}: ${issue.message}`;
}
