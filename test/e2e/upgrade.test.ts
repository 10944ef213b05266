import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireVersion } from '../../src/judge/version.js';
import { GitHubFixtureServer } from '../fixture/github-server.js';
import { captureInvariants, headscaleBinary, Lab, seed, type HeadscaleInstance } from '../lab/index.js';
import { createHeadsupHome, serveBinaries, startFailingOn0292 } from './headsup-harness.js';

// Real Headscale binaries on 127.0.0.1, supervised by the lab's shell scripts through headsup's
// command service manager, and a fixture GitHub API serving those binaries as release assets.

const server = new GitHubFixtureServer();
const lab = new Lab();

beforeAll(async () => {
  await server.start();
  await serveBinaries(server, ['0.27.1', '0.28.0', '0.29.2']);
}, 180_000);

afterAll(async () => {
  await server.close();
});

afterEach(async () => {
  server.clearFaults();
  await lab.disposeAll();
}, 120_000);

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function pidOf(hs: HeadscaleInstance): string {
  return readFileSync(hs.pidPath, 'utf8').trim();
}

async function servedVersion(hs: HeadscaleInstance): Promise<string> {
  const response = await fetch(`${hs.serverUrl}/version`, { signal: AbortSignal.timeout(5000) });
  return ((await response.json()) as { version: string }).version;
}

function recordedHops(statePath: string): Array<{ from_version: string; to_version: string; outcome: string }> {
  const db = new Database(statePath, { readonly: true });
  try {
    return db.prepare('SELECT from_version, to_version, outcome FROM hops ORDER BY id').all() as Array<{ from_version: string; to_version: string; outcome: string }>;
  } finally {
    db.close();
  }
}

describe('headsup upgrade on real Headscale', { timeout: 300_000 }, () => {
  it('upgrades 0.28.0 to 0.29.2 keeping users, nodes and keys', async () => {
    const hs = await lab.started('v0.28.0');
    await seed(hs, { users: 2, preAuthKeysPerUser: 2, nodesPerUser: 2 });
    const before = await captureInvariants(hs);
    const noiseKey = sha256(hs.noiseKeyPath);
    const oldBinary = sha256(hs.binaryPath);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const result = await home.run('upgrade', 'hs1');

    expect(result.stderr).toBe('');
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('hs1 upgraded from 0.28.0 to 0.29.2.');
    expect(await servedVersion(hs)).toBe('v0.29.2');
    hs.version = requireVersion('0.29.2');
    expect(await captureInvariants(hs)).toEqual(before);
    expect(sha256(hs.noiseKeyPath)).toBe(noiseKey);
    expect(sha256(`${hs.binaryPath}.headsup-previous`)).toBe(oldBinary);
    expect(statSync(hs.binaryPath).mode & 0o111).not.toBe(0);
    expect(recordedHops(home.statePath)).toEqual([{ from_version: '0.28.0', to_version: '0.29.2', outcome: 'committed' }]);

    const backups = readdirSync(join(home.backupsDir, 'hs1'));
    expect(backups).toHaveLength(1);
    const backupDir = join(home.backupsDir, 'hs1', backups[0]!);
    expect(statSync(backupDir).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(backupDir)) expect(statSync(join(backupDir, file)).mode & 0o777, file).toBe(0o600);
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as { entries: Array<{ role: string; existed: boolean }> };
    expect(manifest.entries.filter((entry) => entry.existed).map((entry) => entry.role)).toEqual(expect.arrayContaining(['binary', 'config', 'database', 'key', 'policy']));

    const check = await home.run('check', '--json');
    expect(check.exitCode).toBe(0);
    expect(JSON.parse(check.stdout).instances[0]).toMatchObject({ name: 'hs1', running: '0.29.2', status: 'up-to-date' });
  });

  it('rolls back when 0.29 rejects the config', async () => {
    const hs = await lab.started('v0.28.0');
    await seed(hs, { users: 2, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    const before = await captureInvariants(hs);
    const config = readFileSync(hs.configPath, 'utf8');
    const binary = sha256(hs.binaryPath);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs }, startCommand: startFailingOn0292 });

    const result = await home.run('upgrade', 'hs1');

    expect(result.exitCode, result.stdout).toBe(20);
    expect(result.stdout).toContain('ok   rehearse');
    expect(result.stdout).toContain('verify failed');
    expect(result.stdout).toMatch(/First error in the Headscale log: .*randomize_client_port/);
    expect(result.stdout).toContain('Rolled back: 0.28.0 runs again');
    expect(await servedVersion(hs)).toBe('v0.28.0');
    expect(sha256(hs.binaryPath)).toBe(binary);
    expect(readFileSync(hs.configPath, 'utf8')).toBe(config);
    expect(await captureInvariants(hs)).toEqual(before);
    expect(recordedHops(home.statePath)).toEqual([{ from_version: '0.28.0', to_version: '0.29.2', outcome: 'rolled-back' }]);
  });

  it('blocks a config 0.29 rejects before stopping', async () => {
    const hs = await lab.started('v0.28.0', { randomizeClientPort: false });
    const pid = pidOf(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const result = await home.run('upgrade', 'hs1');

    expect(result.exitCode, result.stdout).toBe(1);
    expect(result.stdout).toContain('pre-flight checks failed, so nothing was stopped or changed');
    expect(result.stdout).toContain('-randomize_client_port: false');
    expect(result.stdout).toContain('rerun with --apply-config-changes');
    expect(pidOf(hs)).toBe(pid);
    expect(existsSync(home.backupsDir)).toBe(false);
  });

  it('applies an approved config change within the hop', async () => {
    const hs = await lab.started('v0.28.0', { randomizeClientPort: false });
    await seed(hs, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 1 });
    const before = await captureInvariants(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const result = await home.run('upgrade', 'hs1', '--apply-config-changes');

    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('the approved config change was written to');
    expect(readFileSync(hs.configPath, 'utf8')).not.toContain('randomize_client_port');
    expect(await servedVersion(hs)).toBe('v0.29.2');
    hs.version = requireVersion('0.29.2');
    expect(await captureInvariants(hs)).toEqual(before);

    const backups = readdirSync(join(home.backupsDir, 'hs1'));
    const manifest = JSON.parse(readFileSync(join(home.backupsDir, 'hs1', backups[0]!, 'manifest.json'), 'utf8')) as { entries: Array<{ role: string; stored: string }> };
    const savedConfig = manifest.entries.find((entry) => entry.role === 'config')!;
    expect(readFileSync(join(home.backupsDir, 'hs1', backups[0]!, savedConfig.stored), 'utf8')).toContain('randomize_client_port: false');
  });

  it('rolls back when data changes during the hop', async () => {
    const hs = await lab.started('v0.28.0');
    await seed(hs, { users: 2, preAuthKeysPerUser: 1, nodesPerUser: 1 });
    const before = await captureInvariants(hs);
    // A start command that renames a user behind Headscale's back just before 0.29.2 starts, as a
    // faulty migration would: /health passes, but the data is not what it was.
    const sqlite = fileURLToPath(new URL('../../node_modules/better-sqlite3', import.meta.url));
    const home = await createHeadsupHome({
      apiUrl: server.url,
      instances: { hs1: hs },
      startCommand: (instance) =>
        `sh -c 'if ${instance.binaryPath} version | grep -q v0.29.2; then node -e "new (require(\\"${sqlite}\\"))(\\"${instance.dbPath}\\").exec(\\"UPDATE users SET name = (name || char(45) || char(120)) WHERE id = 1\\")"; fi; exec ${instance.scripts.start}'`,
    });

    const result = await home.run('upgrade', 'hs1');

    expect(result.exitCode, result.stdout).toBe(20);
    expect(result.stdout).toContain('the data changed during the hop');
    expect(result.stdout).toMatch(/user 1 \(\S+\): name changed/);
    expect(await servedVersion(hs)).toBe('v0.28.0');
    expect(await captureInvariants(hs)).toEqual(before);
  });

  it('rolls back when the Noise key changes', async () => {
    const hs = await lab.started('v0.28.0');
    const noiseKey = sha256(hs.noiseKeyPath);
    // A start command that loses the key file, as a misconfigured volume would: Headscale then
    // generates a new Noise key, and every client would have to register again.
    const home = await createHeadsupHome({
      apiUrl: server.url,
      instances: { hs1: hs },
      startCommand: (instance) => `sh -c 'if ${instance.binaryPath} version | grep -q v0.29.2; then rm -f ${instance.noiseKeyPath}; fi; exec ${instance.scripts.start}'`,
    });

    const result = await home.run('upgrade', 'hs1');

    expect(result.exitCode, result.stdout).toBe(20);
    expect(result.stdout).toContain('the Noise private key changed during the hop');
    expect(await servedVersion(hs)).toBe('v0.28.0');
    expect(sha256(hs.noiseKeyPath)).toBe(noiseKey);
  });

  it('rejects a checksum mismatch before stopping', async () => {
    const hs = await lab.started('v0.28.0');
    const pid = pidOf(hs);
    const binary = sha256(hs.binaryPath);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });
    server.tamperAsset('0.29.2', { bytes: 'flip' });

    try {
      const result = await home.run('upgrade', 'hs1');

      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('error CHECKSUM_MISMATCH');
      expect(pidOf(hs)).toBe(pid);
      expect(await hs.isRunning()).toBe(true);
      expect(sha256(hs.binaryPath)).toBe(binary);
      expect(existsSync(home.backupsDir)).toBe(false);
      expect(existsSync(join(home.cacheDir, 'artifacts', '0.29.2', 'headscale_0.29.2_linux_amd64'))).toBe(false);
    } finally {
      server.untamperAsset('0.29.2');
    }
  });

  it('rejects a binary of the wrong version before stopping', async () => {
    const hs = await lab.started('v0.28.0');
    const pid = pidOf(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });
    await server.setBinary('0.29.2', headscaleBinary('v0.28.0'));

    try {
      const result = await home.run('upgrade', 'hs1');

      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('error ARTIFACT_WRONG_VERSION: the downloaded binary for 0.29.2 reports "headscale version v0.28.0"');
      expect(pidOf(hs)).toBe(pid);
      expect(existsSync(home.backupsDir)).toBe(false);
    } finally {
      await server.setBinary('0.29.2', headscaleBinary('v0.29.2'));
    }
  });

  it('walks 0.26.1 to 0.28.0 through 0.27.1', async () => {
    const hs = await lab.started('v0.26.1');
    await seed(hs, { users: 2, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    const before = await captureInvariants(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const plan = await home.run('upgrade', 'hs1', '--to', '0.28.0', '--dry-run');
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain('Plan for hs1: 0.26.1 → 0.27.1 → 0.28.0 (2 hops)');

    const result = await home.run('upgrade', 'hs1', '--to', '0.28.0');

    expect(result.exitCode, result.stdout).toBe(0);
    expect(await servedVersion(hs)).toBe('v0.28.0');
    expect(recordedHops(home.statePath)).toEqual([
      { from_version: '0.26.1', to_version: '0.27.1', outcome: 'committed' },
      { from_version: '0.27.1', to_version: '0.28.0', outcome: 'committed' },
    ]);
    hs.version = requireVersion('0.28.0');
    expect(await captureInvariants(hs)).toEqual(before);
  });

  it('dry run changes nothing', async () => {
    const hs = await lab.started('v0.28.0');
    const pid = pidOf(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const result = await home.run('upgrade', 'hs1', '--dry-run');

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('hop 1: 0.28.0 → 0.29.2');
    expect(result.stdout).toContain(`swap     install at ${hs.binaryPath}`);
    expect(result.stdout).toContain('Dry run: nothing was downloaded, stopped or changed.');
    expect(pidOf(hs)).toBe(pid);
    expect(existsSync(home.backupsDir)).toBe(false);
    expect(existsSync(join(home.cacheDir, 'artifacts'))).toBe(false);
  });

  it('dry run shows the blocking checks', async () => {
    const hs = await lab.started('v0.28.0', { randomizeClientPort: false });
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const blocked = await home.run('upgrade', 'hs1', '--dry-run');
    expect(blocked.exitCode, blocked.stdout).toBe(1);
    expect(blocked.stdout).toContain('Pre-flight checks, run now on a private copy:');
    expect(blocked.stdout).toContain('The upgrade would stop before changing anything:');
    expect(blocked.stdout).toContain('config:randomize-client-port');

    const approved = await home.run('upgrade', 'hs1', '--dry-run', '--apply-config-changes');
    expect(approved.exitCode, approved.stdout).toBe(0);
    expect(approved.stdout).toContain('1 fixed by the approved config change');
  });

  it('rejects a pre-release target without the flag', async () => {
    const hs = await lab.started('v0.28.0');
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const result = await home.run('upgrade', 'hs1', '--to', '0.29.0-beta.4', '--dry-run');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--to 0.29.0-beta.4 is a pre-release');
    expect(result.stderr).toContain('pass --allow-prerelease');
  });

  it('reports the update in check', async () => {
    const hs = await lab.started('v0.28.0');
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const table = await home.run('check');
    expect(table.exitCode).toBe(10);
    expect(table.stdout).toMatch(/hs1\s+0\.28\.0\s+0\.29\.2\s+3\s+update available: 0\.28\.0 → 0\.29\.2/);

    const json = JSON.parse((await home.run('check', '--json')).stdout);
    expect(json.releases).toMatchObject({ source: 'channel', latest: '0.29.2' });
    expect(json.instances[0]).toMatchObject({ running: '0.28.0', versionSource: 'binary', behind: 3, path: ['0.29.2'] });
  });
});

describe('failing release channel', { timeout: 300_000 }, () => {
  it('falls back to the labelled snapshot and changes nothing', async () => {
    const hs = await lab.started('v0.28.0');
    const pid = pidOf(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });
    server.fault({ kind: '5xx', status: 503 });

    const check = await home.run('check');
    expect(check.exitCode).toBe(10);
    expect(check.stdout).toMatch(/^Releases: offline snapshot of 2026-07-21 \(.*HTTP 503/);

    const upgrade = await home.run('upgrade', 'hs1');
    expect(upgrade.exitCode).toBe(1);
    expect(upgrade.stderr).toContain('error ASSET_MISSING');
    expect(upgrade.stderr).toContain('offline snapshot');
    expect(pidOf(hs)).toBe(pid);
    expect(existsSync(home.backupsDir)).toBe(false);
  });

  it('uses the last good list when the channel fails later', async () => {
    const hs = await lab.started('v0.28.0');
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs }, channelTimeout: '1s' });
    expect((await home.run('check')).exitCode).toBe(10);
    server.fault({ kind: 'timeout' });

    const check = await home.run('check', '--json');
    const report = JSON.parse(check.stdout);
    expect(report.releases.source).toBe('cached');
    expect(report.releases.description).toMatch(/^cached github-releases list of/);
    expect(report.instances[0]).toMatchObject({ running: '0.28.0', latest: '0.29.2' });
  });

  it('gives a clear error for an unreachable channel without instances', async () => {
    const home = await createHeadsupHome({ apiUrl: 'http://127.0.0.1:9', instances: {} });

    const result = await home.run('check', '--current', '0.26.0');
    expect(result.exitCode).toBe(10);
    expect(result.stdout).toMatch(/Releases: offline snapshot of 2026-07-21 \(github-releases failed: 127\.0\.0\.1:9 unreachable/);
    expect(result.stdout).toContain('update available: 0.26.0 → 0.26.1 → 0.27.1 → 0.28.0 → 0.29.2');
  });
});
