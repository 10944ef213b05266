import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { HeadsupError } from '../errors.js';
import { describeFailure } from '../platform/exec.js';
import { runCli, type HeadscaleCli } from './headscale-cli.js';

/** The policy a server enforces, as a hash: a policy names people and hosts and does not belong in logs. */
export interface PolicySnapshot {
  /** Source of the policy: the file of `policy.path`, or the database (`policy.mode: database`). */
  source: 'file' | 'database';
  /** SHA-256 of the normalised text, in hex. */
  sha256: string;
}

/** Policy mode and file as a Headscale config sets them. */
export interface PolicySettings {
  mode: 'file' | 'database';
  /** Absolute path of `policy.path` (`acl_policy_path` before 0.23); null when unset or empty. */
  path: string | null;
}

/**
 * Reads `policy.mode` and `policy.path` (or `acl_policy_path` of the layout before 0.23) from a
 * Headscale config. The mode defaults to `file`, as in Headscale. Relative paths resolve against
 * the config file's folder, as Headscale resolves them.
 */
export async function readPolicySettings(configPath: string): Promise<PolicySettings> {
  let tree: Record<string, unknown>;
  try {
    tree = (parse(await readFile(configPath, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new HeadsupError('HEADSCALE_CONFIG_UNREADABLE', `cannot read the Headscale config ${configPath}: ${(error as Error).message}`, { cause: error });
  }

  const policy = (tree.policy ?? {}) as Record<string, unknown>;
  const mode = policy.mode === 'database' ? 'database' : 'file';
  const path = policy.path ?? tree.acl_policy_path;
  if (typeof path !== 'string' || path === '') return { mode, path: null };

  return { mode, path: isAbsolute(path) ? path : resolve(dirname(configPath), path) };
}

/**
 * Captures the policy: in file mode by reading the file (`policy get` prints the same text plus a
 * newline on 0.26.1–0.29.2), in database mode through `policy get`. Returns null when there is
 * none: no file configured, or nothing stored in the database.
 */
export async function capturePolicy(cli: HeadscaleCli, settings: PolicySettings): Promise<PolicySnapshot | null> {
  if (settings.mode === 'file') {
    if (settings.path === null) return null;

    return { source: 'file', sha256: policyHash(await readPolicyFile(settings.path)) };
  }

  const result = await runCli(cli, ['policy', 'get']);
  if (result.exitCode === 0 && !result.timedOut) return { source: 'database', sha256: policyHash(result.stdout) };

  // 0.26 prints this error to stderr and 0.29 to stdout, both as JSON.
  if (/acl policy not found/i.test(result.stdout + result.stderr)) return null;

  throw new HeadsupError('HEADSCALE_CLI_FAILED', `Reading the policy stored in the database failed: ${describeFailure(result)}`);
}

/** Hashes the policy text with LF line endings, without trailing whitespace on each line and at the end. */
export function policyHash(text: string): string {
  const normalised = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();
  return createHash('sha256').update(normalised).digest('hex');
}

async function readPolicyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new HeadsupError('POLICY_FILE_UNREADABLE', `cannot read the policy file ${path}: ${(error as Error).message}`, {
      hint: 'check `policy.path` in the Headscale config',
      cause: error,
    });
  }
}
