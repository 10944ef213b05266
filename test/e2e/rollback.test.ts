import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireVersion } from '../../src/judge/version.js';
import { GitHubFixtureServer } from '../fixture/github-server.js';
import { captureInvariants, Lab, seed, type HeadscaleInstance } from '../lab/index.js';
import { createHeadsupHome, serveBinaries } from './headsup-harness.js';

// Real Headscale on 127.0.0.1, upgraded by headsup against the fixture GitHub API, then rolled
// back with `headsup rollback`, supervised by the lab's scripts.

const server = new GitHubFixtureServer();
const lab = new Lab();

beforeAll(async () => {
  await server.start();
  await serveBinaries(server, ['0.27.1', '0.28.0', '0.29.2']);
}, 180_000);

afterAll(() => server.close());
afterEach(() => lab.disposeAll(), 120_000);

async function servedVersion(hs: HeadscaleInstance): Promise<string> {
  const response = await fetch(`${hs.serverUrl}/version`, { signal: AbortSignal.timeout(5000) });
  return ((await response.json()) as { version: string }).version;
}

describe('headsup rollback and backups', { timeout: 300_000 }, () => {
  it('restores the pre-upgrade version and data', async () => {
    const hs = await lab.started('v0.28.0');
    await seed(hs, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    const beforeUpgrade = await captureInvariants(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });
    expect((await home.run('upgrade', 'hs1')).exitCode).toBe(0);
    hs.version = requireVersion('0.29.2');
    await hs.cli(['users', 'create', 'added-after-upgrade']);
    const afterUpgrade = await captureInvariants(hs);

    const result = await home.run('rollback', 'hs1');

    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('hs1 runs 0.28.0 again');
    expect(await servedVersion(hs)).toBe('v0.28.0');
    hs.version = requireVersion('0.28.0');
    expect(await captureInvariants(hs)).toEqual(beforeUpgrade);

    const listed = JSON.parse((await home.run('backups', '--json')).stdout) as Array<{ fromVersion: string; toVersion: string; dir: string }>;
    expect(listed.map((backup) => `${backup.fromVersion}→${backup.toVersion}`)).toEqual(['0.29.2→0.28.0', '0.28.0→0.29.2']);

    // The state the rollback replaced is kept: rolling back once more returns to it. The folder
    // can be given by its name alone, as `headsup backups` lists it.
    const again = await home.run('rollback', 'hs1', '--backup', basename(listed[0]!.dir));
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(await servedVersion(hs)).toBe('v0.29.2');
    hs.version = requireVersion('0.29.2');
    expect(await captureInvariants(hs)).toEqual(afterUpgrade);
  });

  it('keeps only the configured number of backups', async () => {
    const hs = await lab.started('v0.26.1');
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs }, keep: 1 });

    expect((await home.run('upgrade', 'hs1', '--to', '0.28.0')).exitCode).toBe(0);

    const folders = readdirSync(join(home.backupsDir, 'hs1'));
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/-0\.27\.1-to-0\.28\.0-/);
    const table = await home.run('backups');
    expect(table.stdout).toMatch(/hs1\s+\S+\s+0\.27\.1 → 0\.28\.0/);
    expect(table.stdout).toContain('The newest 1 backups of each instance are kept');
  });

  it('rejects an unknown backup folder', async () => {
    const hs = await lab.started('v0.28.0');
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const result = await home.run('rollback', 'hs1', '--backup', '/nonexistent');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error BACKUP_NOT_FOUND: no complete backup of hs1 is named /nonexistent');
  });
});
