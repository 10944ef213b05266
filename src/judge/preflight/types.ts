import type { HeadscaleFiles } from '../../apply/headscale-config.js';
import type { ProcessRunner } from '../../platform/exec.js';
import type { Logger } from '../../platform/logger.js';
import type { Version } from '../version.js';

export type Verdict = 'pass' | 'warn' | 'fail';

/** The result of one pre-flight check on one subject. */
export interface PreflightFinding {
  /** Stable id of the check, e.g. `disk-space` or `database:orphan-auth-keys`. */
  check: string;
  verdict: Verdict;
  /** Description of the problem or result, naming the value it concerns. */
  message: string;
  /** The exact command or config change that fixes it; null when nothing needs fixing or no fix is known. */
  fix: string | null;
  /** Machine-readable facts behind the message: ids, sizes, the proposed config, a fingerprint. */
  details?: unknown;
}

/** Everything the pre-flight checks read. Nothing here is written to. */
export interface PreflightInput {
  headscaleConfigPath: string;
  files: HeadscaleFiles;
  /** The version that runs now. */
  from: Version;
  /** The version of the next hop. */
  to: Version;
  /**
   * A consistent copy of the SQLite database made by the caller (with the service stopped, or
   * through SQLite's backup API). The probes open it read-only and never touch the live database,
   * though SQLite creates empty `-wal` and `-shm` files beside a copy in WAL mode. Null when no
   * copy was made, and the database checks then return 'warn'.
   */
  databaseCopyPath: string | null;
  backupsDir: string;
  /** The Headscale binary; its size counts towards the space a backup needs. */
  binaryPath?: string;
  /**
   * Runs programs. NOTE: none of the current checks starts a program; the field is here so that
   * callers already pass it to checks that will.
   */
  runner?: ProcessRunner;
  logger: Logger;
}

/** Builds a finding; `details` is left out when undefined so that findings compare cleanly. */
export function finding(check: string, verdict: Verdict, message: string, fix: string | null = null, details?: unknown): PreflightFinding {
  return details === undefined ? { check, verdict, message, fix } : { check, verdict, message, fix, details };
}

const ORDER: Record<Verdict, number> = { pass: 0, warn: 1, fail: 2 };

/** Returns the maximum verdict of a list (fail > warn > pass); 'pass' for an empty list. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'pass';
  for (const verdict of verdicts) if (ORDER[verdict] > ORDER[worst]) worst = verdict;
  return worst;
}
