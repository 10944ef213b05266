import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSettings } from '../../src/apply/postgres/index.js';
import { requireVersion } from '../../src/judge/version.js';
import { GitHubFixtureServer } from '../fixture/github-server.js';
import { captureInvariants, Lab, seed, type HeadscaleInstance } from '../lab/index.js';
import { publicTables } from '../postgres/fingerprint.js';
import { createHeadsupHome, serveBinaries, startFailingOn0292 } from './headsup-harness.js';

// Real Headscale on a real PostgreSQL server on 127.0.0.1 (prepared by scripts/setup-postgres.sh),
// upgraded by headsup against the fixture GitHub API.

const server = new GitHubFixtureServer();
const lab = new Lab();

beforeAll(async () => {
  await server.start();
  await serveBinaries(server, ['0.29.2']);
}, 180_000);

afterAll(() => server.close());
afterEach(() => lab.disposeAll(), 120_000);

function databaseOf(hs: HeadscaleInstance): PostgresSettings {
  return { ...hs.postgres!, sslMode: 'disable' };
}

async function servedVersion(hs: HeadscaleInstance): Promise<string> {
  const response = await fetch(`${hs.serverUrl}/version`, { signal: AbortSignal.timeout(5000) });
  return ((await response.json()) as { version: string }).version;
}

describe('upgrade on PostgreSQL', { timeout: 300_000 }, () => {
  it('rehearses and upgrades 0.28.0 to 0.29.2', async () => {
    const hs = await lab.started('v0.28.0', { postgres: true });
    await seed(hs, { users: 2, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    const before = await captureInvariants(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const result = await home.run('upgrade', 'hs1');

    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('ok   rehearse');
    expect(await servedVersion(hs)).toBe('v0.29.2');
    hs.version = requireVersion('0.29.2');
    expect(await captureInvariants(hs)).toEqual(before);
    expect(await publicTables(databaseOf(hs))).toContain('database_versions');
  });

  it('restores the dump when the live hop fails', async () => {
    const hs = await lab.started('v0.28.0', { postgres: true });
    await seed(hs, { users: 2, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    const before = await captureInvariants(hs);
    const tablesBefore = await publicTables(databaseOf(hs));
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs }, startCommand: startFailingOn0292 });

    const result = await home.run('upgrade', 'hs1');

    expect(result.exitCode, result.stdout + result.stderr).toBe(20);
    expect(result.stdout).toContain('Rolled back: 0.28.0 runs again');
    expect(await servedVersion(hs)).toBe('v0.28.0');
    expect(await captureInvariants(hs)).toEqual(before);
    expect(await publicTables(databaseOf(hs))).toEqual(tablesBefore);
  });
});
