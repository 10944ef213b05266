import { createHash } from 'node:crypto';
import { readFile, statfs } from 'node:fs/promises';

import { VOLATILE_FILESYSTEMS } from './disk-space.js';
import { finding, type PreflightFinding, type PreflightInput } from './types.js';

export const NOISE_KEY_CHECK = 'noise-key';

/** Folders whose content is gone after a reboot on common Linux systems. */
export const VOLATILE_DIRECTORIES = ['/tmp', '/run', '/var/run', '/dev/shm'];

export interface NoiseKeyDetails {
  path: string;
  /** SHA-256 of the key file in hex, to compare after the hop. */
  sha256: string;
}

/**
 * Checks the Noise private key, which identifies the server to every client: it must exist,
 * be readable and live on persistent storage. When it is missing Headscale writes a new one at
 * start ("No private key file at path, creating..."), and every client must register again.
 * The SHA-256 of the file goes into `details` so the caller can compare it after the hop.
 */
export async function checkNoiseKey(input: PreflightInput): Promise<PreflightFinding[]> {
  const path = input.files.noiseKeyPath;
  if (path === null) {
    return [finding(NOISE_KEY_CHECK, 'fail', `${input.headscaleConfigPath} sets no noise.private_key_path; Headscale exits with "headscale now requires a new \`noise.private_key_path\` field"`, 'set `noise.private_key_path: /var/lib/headscale/noise_private.key` in the Headscale config')];
  }

  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return [finding(NOISE_KEY_CHECK, 'warn', `the Noise private key ${path} does not exist; Headscale will create a new one and every client must register again`, `restore ${path} from a backup before the upgrade`, { path })];
    }

    return [finding(NOISE_KEY_CHECK, 'warn', `cannot read the Noise private key ${path}: ${(error as Error).message}`, `check the permissions of ${path} and run headsup as a user that can read it`, { path })];
  }

  const details: NoiseKeyDetails = { path, sha256: createHash('sha256').update(content).digest('hex') };
  const volatile = await volatileReason(path);
  if (volatile !== null) {
    return [finding(NOISE_KEY_CHECK, 'warn', `the Noise private key ${path} is ${volatile}; after a reboot Headscale creates a new key and every client must register again`, `move the key to persistent storage (e.g. /var/lib/headscale/noise_private.key) and set noise.private_key_path to it`, details)];
  }

  return [finding(NOISE_KEY_CHECK, 'pass', `the Noise private key ${path} exists on persistent storage (SHA-256 ${details.sha256})`, null, details)];
}

async function volatileReason(path: string): Promise<string | null> {
  const folder = VOLATILE_DIRECTORIES.find((dir) => path === dir || path.startsWith(`${dir}/`));
  if (folder) return `under ${folder}`;

  const type = (await statfs(path)).type >>> 0;
  const name = VOLATILE_FILESYSTEMS[type];
  return name ? `on ${name}` : null;
}
