import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { dumpDatabase } from '../../src/apply/postgres/dump.js';
import { restoreDatabase } from '../../src/apply/postgres/restore.js';
import { readPostgresSettings, type PostgresSettings } from '../../src/apply/postgres/settings.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';
import type { HeadscaleInstance } from '../lab/instance.js';
import { Lab } from '../lab/instance.js';
import { captureInvariants } from '../lab/invariants.js';
import { seed } from '../lab/seed.js';
import { databaseFingerprint, publicTables } from './fingerprint.js';
import { readTestServerSettings } from './server.js';

const HOOK_TIMEOUT_MS = 120_000;

/** Stops the instance, replaces its binary and starts it again, as an operator upgrades by hand. */
async function restartWith(instance: HeadscaleInstance, version: string): Promise<void> {
  await instance.stop();
  await instance.installBinary(version);
  await instance.start();
  await instance.waitHealthy();
}

describe('Headscale on PostgreSQL', { timeout: 180_000 }, () => {
  const lab = new Lab();
  let workDir: string;

  beforeAll(async () => {
    readTestServerSettings();
    workDir = await mkdtemp(join(tmpdir(), 'headsup-pg-test-'));
  });

  afterEach(() => lab.disposeAll(), HOOK_TIMEOUT_MS);
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  async function seededInstance(version: string): Promise<{ instance: HeadscaleInstance; settings: PostgresSettings }> {
    const instance = await lab.started(version, { postgres: true });
    await seed(instance, { users: 2, preAuthKeysPerUser: 2, nodesPerUser: 2 });
    return { instance, settings: await readPostgresSettings(instance.configPath) };
  }

  it('seeded 0.28.0 starts healthy', async () => {
    const { instance, settings } = await seededInstance('v0.28.0');

    const response = await fetch(instance.healthUrl);
    const invariants = await captureInvariants(instance);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'pass' });
    expect(invariants.users.map((user) => user.name)).toEqual(['user1', 'user2']);
    expect(invariants.nodes).toHaveLength(4);
    expect(invariants.preAuthKeys).toHaveLength(4);
    expect(await publicTables(settings)).toEqual(expect.arrayContaining(['users', 'nodes', 'pre_auth_keys']));
    expect(existsSync(instance.dbPath)).toBe(false);
  });

  it('restore undoes later changes', async () => {
    const { instance, settings } = await seededInstance('v0.28.0');
    const dumpFile = join(workDir, 'changes.dump');
    const before = await captureInvariants(instance);
    await dumpDatabase(nodeProcessRunner, settings, dumpFile);
    const dumped = await databaseFingerprint(settings);

    await seed(instance, { users: 1, preAuthKeysPerUser: 0, nodesPerUser: 1, tagNodes: false, userPrefix: 'later' });
    const changed = await captureInvariants(instance);
    await instance.stop();
    await restoreDatabase(nodeProcessRunner, settings, dumpFile);
    const restored = await databaseFingerprint(settings);
    await instance.start();
    await instance.waitHealthy();

    expect(changed.users).toHaveLength(3);
    expect(changed.nodes).toHaveLength(5);
    expect(restored).toEqual(dumped);
    expect(await captureInvariants(instance)).toEqual(before);
  });

  it('restore twice gives the same state', async () => {
    const { instance, settings } = await seededInstance('v0.28.0');
    const dumpFile = join(workDir, 'twice.dump');
    await dumpDatabase(nodeProcessRunner, settings, dumpFile);
    const dumped = await databaseFingerprint(settings);
    await instance.stop();

    await restoreDatabase(nodeProcessRunner, settings, dumpFile);
    await restoreDatabase(nodeProcessRunner, settings, dumpFile);

    expect(await databaseFingerprint(settings)).toEqual(dumped);
  });

  it('restore undoes the 0.29.2 migrations', async () => {
    const { instance, settings } = await seededInstance('v0.28.0');
    const dumpFile = join(workDir, 'before-0.29.dump');
    const before = await captureInvariants(instance);
    await instance.stop();
    await dumpDatabase(nodeProcessRunner, settings, dumpFile);
    const dumped = await databaseFingerprint(settings);

    await restartWith(instance, 'v0.29.2');
    await seed(instance, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 1, tagNodes: false, userPrefix: 'on029' });
    const migrated = await databaseFingerprint(settings);
    await instance.stop();
    await restoreDatabase(nodeProcessRunner, settings, dumpFile);
    const restored = await databaseFingerprint(settings);
    await restartWith(instance, 'v0.28.0');

    expect(Object.keys(migrated.tables)).toContain('database_versions');
    expect(migrated).not.toEqual(dumped);
    expect(restored).toEqual(dumped);
    expect(await publicTables(settings)).not.toContain('database_versions');
    expect(await captureInvariants(instance)).toEqual(before);
  });
});
