import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { readPostgresSettings } from '../../src/apply/postgres/settings.js';
import { compareVersions, requireVersion } from '../../src/judge/version.js';
import { labVersions } from '../lab/binaries.js';
import type { HeadscaleInstance } from '../lab/instance.js';
import { Lab } from '../lab/instance.js';
import { captureInvariants } from '../lab/invariants.js';
import { seed } from '../lab/seed.js';
import { publicTables } from './fingerprint.js';
import { readTestServerSettings } from './server.js';

const HOOK_TIMEOUT_MS = 120_000;

async function upgradeInPlace(instance: HeadscaleInstance, version: string): Promise<void> {
  await instance.stop();
  await instance.installBinary(version);
  await instance.start();
  await instance.waitHealthy();
}

describe('Headscale versions on PostgreSQL', { timeout: 180_000 }, () => {
  const lab = new Lab();

  beforeAll(() => {
    readTestServerSettings();
  });

  afterEach(() => lab.disposeAll(), HOOK_TIMEOUT_MS);

  it.each(labVersions())('%s starts on an empty database', async (version) => {
    const instance = await lab.started(version, { postgres: true });
    const settings = await readPostgresSettings(instance.configPath);

    expect(await publicTables(settings)).toEqual(expect.arrayContaining(['users', 'nodes', 'pre_auth_keys', 'migrations']));
  });

  it('invariants survive every upgrade hop', async () => {
    const [first, ...rest] = labVersions().sort((a, b) => compareVersions(requireVersion(a), requireVersion(b)));
    const instance = await lab.started(first!, { postgres: true });
    await seed(instance, { users: 2, preAuthKeysPerUser: 2, nodesPerUser: 2 });
    const before = await captureInvariants(instance);

    for (const version of rest) {
      await upgradeInPlace(instance, version);

      expect(await captureInvariants(instance), `invariants after the upgrade to ${version}`).toEqual(before);
    }
  });
});
