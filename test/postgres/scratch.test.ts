import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { dumpDatabase } from '../../src/apply/postgres/dump.js';
import { createScratchCopy, dropScratchCopy, SCRATCH_PREFIX } from '../../src/apply/postgres/scratch.js';
import { readPostgresSettings, type PostgresSettings } from '../../src/apply/postgres/settings.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';
import type { HeadscaleInstance } from '../lab/instance.js';
import { Lab } from '../lab/instance.js';
import { captureInvariants } from '../lab/invariants.js';
import { seed } from '../lab/seed.js';
import { databaseFingerprint, publicTables, query } from './fingerprint.js';
import { readTestServerSettings } from './server.js';

const HOOK_TIMEOUT_MS = 120_000;

async function databaseExists(settings: PostgresSettings, name: string): Promise<boolean> {
  const rows = await query(settings, `SELECT 1 FROM pg_database WHERE datname = '${name}';`);
  return rows.length > 0;
}

describe('PostgreSQL scratch copies', { timeout: 180_000 }, () => {
  const lab = new Lab();
  let workDir: string;
  let original: HeadscaleInstance;
  let settings: PostgresSettings;
  let dumpFile: string;

  beforeAll(async () => {
    readTestServerSettings();
    workDir = await mkdtemp(join(tmpdir(), 'headsup-pg-scratch-'));
    original = await lab.started('v0.28.0', { postgres: true });
    await seed(original, { users: 2, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    settings = await readPostgresSettings(original.configPath);
    dumpFile = join(workDir, 'original.dump');
    await dumpDatabase(nodeProcessRunner, settings, dumpFile);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await lab.disposeAll();
    await rm(workDir, { recursive: true, force: true });
  }, HOOK_TIMEOUT_MS);

  const rehearsals = new Lab();
  afterEach(() => rehearsals.disposeAll(), HOOK_TIMEOUT_MS);

  it('copy equals the dump', async () => {
    const copy = await createScratchCopy(nodeProcessRunner, settings, dumpFile);
    try {
      expect(copy.name.startsWith(SCRATCH_PREFIX)).toBe(true);
      expect(copy).toEqual({ ...settings, name: copy.name });
      expect(await databaseFingerprint(copy)).toEqual(await databaseFingerprint(settings));
    } finally {
      await dropScratchCopy(nodeProcessRunner, settings, copy);
    }
  });

  it('upgrading the copy leaves the original unchanged', async () => {
    const before = await databaseFingerprint(settings);
    const invariantsBefore = await captureInvariants(original);
    const copy = await createScratchCopy(nodeProcessRunner, settings, dumpFile);

    // A rehearsal: Headscale 0.29.2 migrates the copy, then gets a new user and node.
    const rehearsal = await rehearsals.started('v0.29.2', { postgres: { ...copy, password: copy.password ?? '' } });
    await seed(rehearsal, { users: 1, preAuthKeysPerUser: 0, nodesPerUser: 1, tagNodes: false, userPrefix: 'rehearsal' });
    const copyTables = await publicTables(copy);
    await dropScratchCopy(nodeProcessRunner, settings, copy);

    expect(copyTables).toContain('database_versions');
    expect(await databaseExists(settings, copy.name)).toBe(false);
    expect(await publicTables(settings)).not.toContain('database_versions');
    expect(await databaseFingerprint(settings)).toEqual(before);
    expect(await captureInvariants(original)).toEqual(invariantsBefore);
  });

  it('drop ends open connections', async () => {
    const copy = await createScratchCopy(nodeProcessRunner, settings, dumpFile);
    await rehearsals.started('v0.28.0', { postgres: { ...copy, password: copy.password ?? '' } });

    await dropScratchCopy(nodeProcessRunner, settings, copy);

    expect(await databaseExists(settings, copy.name)).toBe(false);
  });

  it('drop of a missing copy succeeds', async () => {
    await expect(dropScratchCopy(nodeProcessRunner, settings, `${SCRATCH_PREFIX}never_created`)).resolves.toBeUndefined();
  });

  it('drop rejects other databases', async () => {
    await expect(dropScratchCopy(nodeProcessRunner, settings, settings.name)).rejects.toMatchObject({ code: 'POSTGRES_SCRATCH_NAME_INVALID' });
    await expect(dropScratchCopy(nodeProcessRunner, settings, 'postgres')).rejects.toMatchObject({ code: 'POSTGRES_SCRATCH_NAME_INVALID' });
    expect(await databaseExists(settings, settings.name)).toBe(true);
  });

  it('create rejects an existing name', async () => {
    const copy = await createScratchCopy(nodeProcessRunner, settings, dumpFile);
    try {
      await expect(createScratchCopy(nodeProcessRunner, settings, dumpFile, copy.name)).rejects.toMatchObject({ code: 'POSTGRES_SCRATCH_FAILED' });
      expect(await databaseFingerprint(copy)).toEqual(await databaseFingerprint(settings));
    } finally {
      await dropScratchCopy(nodeProcessRunner, settings, copy);
    }
  });

  it('failed restore drops the new copy', async () => {
    const name = `${SCRATCH_PREFIX}damaged`;
    const damaged = join(workDir, 'damaged.dump');
    await writeFile(damaged, 'not a dump');

    await expect(createScratchCopy(nodeProcessRunner, settings, damaged, name)).rejects.toMatchObject({ code: 'POSTGRES_RESTORE_FAILED' });
    expect(await databaseExists(settings, name)).toBe(false);
  });
});
