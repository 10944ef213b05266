import { readFile, writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requireVersion } from '../../src/judge/version.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';
import { policyHash } from '../../src/rehearse/policy-snapshot.js';
import { captureSnapshot, type Snapshot } from '../../src/rehearse/snapshot.js';
import { Lab, LAB_POLICY, labVersions, seed, type HeadscaleInstance } from '../lab/index.js';
import { addRouter, createApiKey } from './harness.js';

const HOOK_TIMEOUT_MS = 120_000;

function snapshotOf(instance: HeadscaleInstance): Promise<Snapshot> {
  return captureSnapshot({ runner: nodeProcessRunner, binaryPath: instance.binaryPath, configPath: instance.configPath, version: instance.version });
}

describe.each(labVersions())('snapshot of Headscale %s', { timeout: 90_000 }, (tag) => {
  const lab = new Lab();
  let snapshot: Snapshot;
  let routerId: number;
  let apiKey: string;

  beforeAll(async () => {
    const instance = await lab.started(tag);
    await seed(instance, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    routerId = await addRouter(instance, 'user1', 'router', ['10.1.0.0/16', '0.0.0.0/0', '::/0'], ['10.1.0.0/16', '0.0.0.0/0']);
    apiKey = await createApiKey(instance);
    snapshot = await snapshotOf(instance);
  }, HOOK_TIMEOUT_MS);

  afterAll(() => lab.disposeAll(), HOOK_TIMEOUT_MS);

  it('lists advertised and approved routes', () => {
    const router = snapshot.nodes.find((node) => node.id === routerId);
    // Approving 0.0.0.0/0 approves ::/0 as well. 0.29.2's `debug create-node` stores no announced routes.
    const advertised = requireVersion(tag).minor >= 29 ? [] : ['0.0.0.0/0', '10.1.0.0/16', '::/0'];

    expect(router?.advertisedRoutes).toEqual(advertised);
    expect(router?.approvedRoutes).toEqual(['0.0.0.0/0', '10.1.0.0/16', '::/0']);
    expect(snapshot.nodes.filter((node) => node.id !== routerId).map((node) => node.approvedRoutes)).toEqual([[], []]);
  });

  it('lists API keys by prefix without the secret', () => {
    expect(snapshot.apiKeys).toHaveLength(1);
    expect(apiKey.startsWith(snapshot.apiKeys[0]!.prefix)).toBe(true);
    expect(snapshot.apiKeys[0]!.prefix.length).toBeLessThan(apiKey.length / 2);
    expect(snapshot.apiKeys[0]?.expiration).not.toBeNull();
    expect(JSON.stringify(snapshot)).not.toContain(apiKey);
  });

  it('hashes the policy file', () => {
    expect(snapshot.policy).toEqual({ source: 'file', sha256: policyHash(LAB_POLICY) });
  });

  it('lists the owner of a tagged node as the version does', () => {
    const tagged = snapshot.nodes.find((node) => node.tags.length > 0);

    expect(tagged?.owner).toBe(requireVersion(tag).minor >= 28 ? null : 'user1');
  });
});

describe.each(['v0.26.1', 'v0.29.2'])('database policy on Headscale %s', { timeout: 90_000 }, (tag) => {
  const lab = new Lab();
  let instance: HeadscaleInstance;

  beforeAll(async () => {
    instance = await lab.create(tag);
    const config = await readFile(instance.configPath, 'utf8');
    await writeFile(instance.configPath, config.replace('mode: file', 'mode: database'));
    await instance.start();
    await instance.waitHealthy();
  }, HOOK_TIMEOUT_MS);

  afterAll(() => lab.disposeAll(), HOOK_TIMEOUT_MS);

  it('reads no policy before one is stored', async () => {
    expect((await snapshotOf(instance)).policy).toBeNull();
  });

  it('hashes the stored policy', async () => {
    // `policy set` prints `Policy updated.` even with `-o json`.
    const stored = await instance.cli(['policy', 'set', '--file', instance.policyPath!]);
    expect(stored.exitCode, stored.stderr).toBe(0);

    expect((await snapshotOf(instance)).policy).toEqual({ source: 'database', sha256: policyHash(LAB_POLICY) });
  });
});
