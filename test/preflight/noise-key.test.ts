import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkNoiseKey } from '../../src/judge/preflight/noise-key.js';
import type { PreflightInput } from '../../src/judge/preflight/types.js';
import { requireVersion } from '../../src/judge/version.js';
import { silentLogger } from '../../src/platform/logger.js';

const KEY = 'privkey:2f3c9e0a6b1d4e7f8a9b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f7\n';

function inputFor(noiseKeyPath: string | null): PreflightInput {
  return {
    headscaleConfigPath: '/etc/headscale/config.yaml',
    files: { databaseType: 'sqlite', sqlitePath: '/var/lib/headscale/db.sqlite', keyFiles: [], policyFile: null, noiseKeyPath },
    from: requireVersion('0.28.0'),
    to: requireVersion('0.29.2'),
    databaseCopyPath: null,
    backupsDir: '/var/lib/headsup/backups',
    logger: silentLogger(),
  };
}

describe('noise key', () => {
  let persistent: string;
  let temporary: string;

  beforeAll(async () => {
    // Under the home folder, which is neither under /tmp nor on tmpfs.
    await mkdir(join(homedir(), '.cache', 'headsup'), { recursive: true });
    persistent = await mkdtemp(join(homedir(), '.cache', 'headsup', 'test-noise-'));
    temporary = await mkdtemp('/tmp/headsup-noise-');
  });

  afterAll(async () => {
    await rm(persistent, { recursive: true, force: true });
    await rm(temporary, { recursive: true, force: true });
  });

  it('passes with the fingerprint on persistent storage', async () => {
    const path = join(persistent, 'noise_private.key');
    await writeFile(path, KEY, { mode: 0o600 });
    const [noise] = await checkNoiseKey(inputFor(path));

    expect(noise?.verdict).toBe('pass');
    expect(noise?.details).toEqual({ path, sha256: createHash('sha256').update(KEY).digest('hex') });
  });

  it('warns under /tmp', async () => {
    const path = join(temporary, 'noise_private.key');
    await writeFile(path, KEY);
    const [noise] = await checkNoiseKey(inputFor(path));

    expect(noise?.verdict).toBe('warn');
    expect(noise?.message).toContain('is under /tmp;');
    expect(noise?.details).toMatchObject({ sha256: createHash('sha256').update(KEY).digest('hex') });
  });

  it('warns that a missing key means re-registration', async () => {
    const [noise] = await checkNoiseKey(inputFor(join(persistent, 'missing.key')));

    expect(noise?.verdict).toBe('warn');
    expect(noise?.message).toContain('Headscale will create a new one and every client must register again');
  });

  it('fails without noise.private_key_path', async () => {
    const [noise] = await checkNoiseKey(inputFor(null));

    expect(noise?.verdict).toBe('fail');
    expect(noise?.fix).toBe('set `noise.private_key_path: /var/lib/headscale/noise_private.key` in the Headscale config');
  });
});
