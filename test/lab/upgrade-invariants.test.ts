import { afterEach, describe, expect, it } from 'vitest';

import { Lab } from './instance.js';
import type { HeadscaleInstance } from './instance.js';
import { captureInvariants } from './invariants.js';
import { seed } from './seed.js';

const HOOK_TIMEOUT_MS = 120_000;

/** Upgrades by hand as an operator would: stop, replace the binary file, start, wait for /health. */
async function upgradeInPlace(instance: HeadscaleInstance, version: string): Promise<void> {
  await instance.stop();
  await instance.installBinary(version);
  await instance.start();
  await instance.waitHealthy();
}

async function servedVersion(instance: HeadscaleInstance): Promise<string> {
  // GET /version exists from 0.27 on.
  const response = await fetch(`${instance.serverUrl}/version`, { signal: AbortSignal.timeout(5_000) });
  return ((await response.json()) as { version: string }).version;
}

describe('invariants across an in-place upgrade', { timeout: 180_000 }, () => {
  const lab = new Lab();

  afterEach(() => lab.disposeAll(), HOOK_TIMEOUT_MS);

  it.each([
    ['v0.28.0', ['v0.29.2']],
    ['v0.26.1', ['v0.27.1', 'v0.28.0']],
  ])('from %s through %j compare equal', async (from, path) => {
    const instance = await lab.started(from);
    await seed(instance, { users: 2, preAuthKeysPerUser: 3, nodesPerUser: 3 });
    const before = await captureInvariants(instance);

    for (const version of path) {
      await upgradeInPlace(instance, version);

      expect(await servedVersion(instance)).toBe(version);
      expect(await captureInvariants(instance), `invariants after the upgrade to ${version}`).toEqual(before);
    }
  });
});
