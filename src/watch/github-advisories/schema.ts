import { z } from 'zod';

/**
 * The fields headsup reads from GitHub's "List global security advisories" response (REST API
 * version 2022-11-28). Unknown fields are ignored, and most fields are nullable there.
 * `first_patched_version` is a string in this API; the `{ identifier }` object of older GitHub
 * advisory APIs is accepted too.
 */
const cvssSchema = z
  .object({
    vector_string: z.string().nullable().optional(),
    score: z.number().nullable().optional(),
  })
  .nullable()
  .optional();

const vulnerabilitySchema = z.object({
  package: z.object({ ecosystem: z.string(), name: z.string() }).nullable().optional(),
  vulnerable_version_range: z.string().nullable().optional(),
  first_patched_version: z
    .union([z.string(), z.object({ identifier: z.string() }).transform((value) => value.identifier)])
    .nullable()
    .optional(),
});

export const advisorySchema = z.object({
  ghsa_id: z.string().min(1),
  cve_id: z.string().nullable().optional(),
  summary: z.string().nullable().optional(),
  /** `low`, `medium`, `high`, `critical` or `unknown`. */
  severity: z.string().nullable().optional(),
  published_at: z.string().nullable().optional(),
  updated_at: z.string(),
  withdrawn_at: z.string().nullable().optional(),
  cvss: cvssSchema,
  cvss_severities: z.object({ cvss_v3: cvssSchema, cvss_v4: cvssSchema }).nullable().optional(),
  cwes: z.array(z.object({ cwe_id: z.string() })).nullable().optional(),
  vulnerabilities: z.array(vulnerabilitySchema).nullable().optional(),
});

export const advisoryPageSchema = z.array(z.unknown());

export type GitHubAdvisory = z.infer<typeof advisorySchema>;
export type GitHubVulnerability = z.infer<typeof vulnerabilitySchema>;
