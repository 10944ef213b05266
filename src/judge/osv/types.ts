/**
 * The part of an OSV record (https://ossf.github.io/osv-schema/) that headsup reads. Fields that
 * headsup ignores, such as `details`, `references` and `ecosystem_specific`, are left out.
 */
export interface OsvRecord {
  readonly id: string;
  readonly aliases?: readonly string[];
  /** RFC 3339 timestamps. */
  readonly published?: string;
  readonly modified: string;
  /** The time the record was withdrawn. A withdrawn record affects no version. */
  readonly withdrawn?: string;
  readonly summary?: string;
  readonly severity?: readonly OsvSeverity[];
  readonly affected?: readonly OsvAffected[];
  /** Free-form data. GHSA records put `severity`, `cwe_ids` and `github_reviewed` here. */
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

/** A severity rating. Its `score` is the vector string (e.g. `CVSS:3.1/AV:N/…`), not a number. */
export interface OsvSeverity {
  readonly type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu';
  readonly score: string;
}

export interface OsvAffected {
  readonly package: OsvPackage;
  readonly ranges?: readonly OsvRange[];
  /** Exact versions that are affected, in addition to those the ranges cover. */
  readonly versions?: readonly string[];
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

export interface OsvPackage {
  /** The OSV ecosystem name, `Go` for Headscale. */
  readonly ecosystem: string;
  /** The package name in that ecosystem, `github.com/juanfont/headscale` for Headscale. */
  readonly name: string;
}

export type OsvRangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT';

export interface OsvRange {
  readonly type: OsvRangeType;
  readonly events: readonly OsvEvent[];
}

/** A range event. The schema allows exactly one of these keys per event. */
export type OsvEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly last_affected: string }
  | { readonly limit: string };
