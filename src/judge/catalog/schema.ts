import { z } from 'zod';
import { cvss3BaseScore, InvalidCvssVectorError, normaliseSeverityLabel } from '../cvss/index.js';
import { compareVersions, parseVersion } from '../version.js';

const version = z.string().refine((text) => parseVersion(text) !== null, {
  message: 'expected a Headscale release version such as 0.26.1 or 0.23.0-alpha2',
});

/** An OSV-style range: affected from `introduced` ("0" for every earlier release) up to, not including, `fixed`. */
const range = z
  .strictObject({
    introduced: z.union([z.literal('0'), version]),
    fixed: version,
  })
  .refine((value) => value.introduced === '0' || compareVersions(parseVersion(value.introduced)!, parseVersion(value.fixed)!) < 0, {
    message: 'introduced must sort below fixed',
    path: ['fixed'],
  });

/** A CVSS v3.x vector, a severity label (low, medium, high, critical), or null when no rating was proposed. */
const severity = z
  .string()
  .refine(isVectorOrLabel, { message: 'expected a CVSS v3 vector (CVSS:3.1/AV:…) or one of low, medium, high, critical' })
  .nullable();

export const catalogEntrySchema = z
  .strictObject({
    id: z.string().regex(/^HEADSUP-\d{4}-\d{4}$/, 'expected an id such as HEADSUP-2025-0001'),
    /** Other names of the same fix: advisory ids (GHSA, CVE, GO, AIKIDO) and pull requests as owner/repo#N. */
    aliases: z.array(z.string().min(1)),
    summary: z.string().min(1),
    affected: z.array(range).min(1),
    /** Free text on the origin of the ranges' bounds and what is not known, e.g. an undetermined start version. */
    notes: z.string().min(1).optional(),
    /** The first release tag that contains the fix, prereleases included. */
    firstFixed: z.string().regex(/^v/, 'expected a release tag such as v0.26.1').pipe(version),
    severity,
    /** The release date of the first tag with the fix, YYYY-MM-DD. */
    published: z.iso.date(),
    /** URLs, pull requests, commits and changelog lines that the entry's facts come from. */
    source: z.array(z.string().min(1)).min(1),
  })
  .refine(firstFixedIsLowestFixed, {
    message: 'firstFixed must be the lowest fixed version of the affected ranges',
    path: ['firstFixed'],
  });

export const securityCatalogSchema = z
  .strictObject({ entries: z.array(catalogEntrySchema) })
  .superRefine((catalog, context) => {
    const seen = new Set<string>();
    catalog.entries.forEach((entry, index) => {
      if (seen.has(entry.id)) {
        context.addIssue({ code: 'custom', message: `duplicate id ${entry.id}`, path: ['entries', index, 'id'] });
      }
      seen.add(entry.id);
    });
  });

export type CatalogEntry = z.infer<typeof catalogEntrySchema>;
export type SecurityCatalogFile = z.infer<typeof securityCatalogSchema>;

function isVectorOrLabel(text: string): boolean {
  if (!text.startsWith('CVSS:')) return normaliseSeverityLabel(text) !== null;

  try {
    cvss3BaseScore(text);
    return true;
  } catch (error) {
    if (error instanceof InvalidCvssVectorError) return false;
    throw error;
  }
}

function firstFixedIsLowestFixed(entry: { affected: { fixed: string }[]; firstFixed: string }): boolean {
  const first = parseVersion(entry.firstFixed);
  const fixed = entry.affected.map((item) => parseVersion(item.fixed));
  if (first === null || fixed.some((item) => item === null)) return true; // already reported by the field checks

  const lowest = fixed.reduce((low, item) => (compareVersions(item!, low!) < 0 ? item : low));
  return compareVersions(first, lowest!) === 0;
}
