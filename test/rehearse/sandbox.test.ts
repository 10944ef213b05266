import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { readHeadscaleFiles } from '../../src/apply/headscale-config.js';
import { waitForHealth } from '../../src/apply/health.js';
import { systemClock } from '../../src/platform/clock.js';
import { fetchHttpClient } from '../../src/platform/http.js';
import { headscaleEnvironment } from '../../src/rehearse/headscale-cli.js';
import { createSandbox, type Sandbox } from '../../src/rehearse/sandbox.js';
import { nodeServerLauncher } from '../../src/rehearse/server-process.js';
import { headscaleBinary, Lab, seed, type HeadscaleInstance } from '../lab/index.js';
import { processSockets } from '../lab/sockets.js';
import { hashLiveFiles, newWorkDir, removeWorkDirs } from './harness.js';

const HOOK_TIMEOUT_MS = 120_000;

/** Lists every string in a parsed YAML tree with its dotted key path. */
function stringValues(tree: unknown, path = ''): Array<[string, string]> {
  if (typeof tree === 'string') return [[path, tree]];
  if (Array.isArray(tree)) return tree.flatMap((item, index) => stringValues(item, `${path}.${index}`));
  if (tree && typeof tree === 'object') return Object.entries(tree).flatMap(([key, value]) => stringValues(value, path ? `${path}.${key}` : key));

  return [];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

describe('sandbox of a running 0.28.0', { timeout: 120_000 }, () => {
  const lab = new Lab();
  let live: HeadscaleInstance;
  let sandbox: Sandbox;
  let config: Record<string, unknown>;
  let liveHashes: Record<string, string>;

  beforeAll(async () => {
    live = await lab.started('v0.28.0');
    await seed(live, { users: 2, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    liveHashes = hashLiveFiles(live);
    sandbox = await createSandbox({ liveConfigPath: live.configPath, files: await readHeadscaleFiles(live.configPath), root: await newWorkDir(), label: 'lab' });
    config = parse(readFileSync(sandbox.configPath, 'utf8')) as Record<string, unknown>;
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await sandbox?.dispose();
    await lab.disposeAll();
    await removeWorkDirs();
  }, HOOK_TIMEOUT_MS);

  it('names no path outside the sandbox', () => {
    const paths = stringValues(config).filter(([, value]) => value.startsWith('/'));

    expect(paths.map(([key]) => key).sort()).toEqual(['database.sqlite.path', 'derp.server.private_key_path', 'noise.private_key_path', 'policy.path', 'unix_socket']);
    for (const [key, value] of paths) expect(value.startsWith(`${sandbox.dir}/`), `${key}: ${value}`).toBe(true);
  });

  it('listens only on 127.0.0.1', () => {
    const derp = config.derp as { server: { stun_listen_addr: string }; urls: unknown[]; auto_update_enabled: boolean };

    expect(config.listen_addr).toBe(`127.0.0.1:${sandbox.ports.http}`);
    expect(config.metrics_listen_addr).toBe(`127.0.0.1:${sandbox.ports.metrics}`);
    expect(config.grpc_listen_addr).toBe(`127.0.0.1:${sandbox.ports.grpc}`);
    expect(derp.server.stun_listen_addr).toBe(`127.0.0.1:${sandbox.ports.stun}`);
    expect(config.server_url).toBe(`http://127.0.0.1:${sandbox.ports.http}`);
    expect(sandbox.ports.http).not.toBe(live.ports.http);
    expect(derp.urls).toEqual([]);
    expect(derp.auto_update_enabled).toBe(false);
    expect(config.disable_check_updates).toBe(true);
  });

  it('is readable only by its owner', () => {
    const files = filesUnder(sandbox.dir);

    expect(statSync(sandbox.dir).mode & 0o777).toBe(0o700);
    expect(files.map((file) => file.slice(sandbox.dir.length + 1)).sort()).toEqual(['config.yaml', 'db.sqlite', 'derp_server_private.key', 'noise_private.key', 'policy.hujson']);
    for (const file of files) expect(statSync(file).mode & 0o777, file).toBe(0o600);
  });

  it('copies keys and a consistent database', () => {
    const copy = new Database(sandbox.dbPath, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('SELECT count(*) AS count FROM users').get()).toEqual({ count: 2 });
      expect(copy.prepare('SELECT count(*) AS count FROM nodes').get()).toEqual({ count: 4 });
    } finally {
      copy.close();
    }
    expect(readFileSync(join(sandbox.dir, 'noise_private.key'))).toEqual(readFileSync(live.noiseKeyPath));
    expect(readFileSync(join(sandbox.dir, 'derp_server_private.key'))).toEqual(readFileSync(live.derpKeyPath));
    expect(hashLiveFiles(live)).toEqual(liveHashes);
  });

  it('serves only on 127.0.0.1', async () => {
    const server = await nodeServerLauncher.launch(headscaleBinary('v0.28.0'), ['serve', '-c', sandbox.configPath], { logPath: join(sandbox.dir, 'serve.log'), env: headscaleEnvironment() });
    try {
      const health = await waitForHealth({ url: sandbox.healthUrl, passes: 1, intervalMs: 100, timeoutMs: 30_000, http: fetchHttpClient, clock: systemClock });
      expect(health.healthy).toBe(true);

      const sockets = processSockets(server.pid);
      expect(sockets.map((socket) => socket.localPort)).toEqual(expect.arrayContaining([sandbox.ports.http, sandbox.ports.metrics, sandbox.ports.stun]));
      expect(sockets.filter((socket) => socket.localAddress !== '127.0.0.1')).toEqual([]);
    } finally {
      expect(await server.stop(10_000)).toBe('SIGTERM');
    }
  });
});

describe('sandbox refusals', () => {
  it('needs a runner for PostgreSQL', async () => {
    const files = { databaseType: 'postgres' as const, sqlitePath: null, keyFiles: [], policyFile: null, noiseKeyPath: null };
    const root = await newWorkDir();
    const liveConfigPath = join(root, 'config.yaml');
    await writeFile(liveConfigPath, 'database:\n  type: postgres\n  postgres: { host: 127.0.0.1, port: 5432, name: headscale, user: headscale }\n');

    await expect(createSandbox({ liveConfigPath, files, root })).rejects.toMatchObject({ code: 'REHEARSAL_POSTGRES_NO_RUNNER' });
    expect((await readdir(root)).filter((name) => name !== 'config.yaml')).toEqual([]);
    await removeWorkDirs();
  });
});
