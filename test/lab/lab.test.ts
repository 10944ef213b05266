import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { requireVersion } from '../../src/judge/version.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';
import { labVersions } from './binaries.js';
import type { HeadscaleInstance } from './instance.js';
import { Lab } from './instance.js';
import { captureInvariants } from './invariants.js';
import { LAB_TAGS } from './offline-config.js';
import { seed } from './seed.js';
import { processSockets } from './sockets.js';

const HOOK_TIMEOUT_MS = 120_000;
const TEST_TIMEOUT_MS = 90_000;

/** 0.29 refuses `randomize_client_port`; older versions get it as their example configs have it. */
function exampleRandomizeClientPort(tag: string): boolean | undefined {
  return requireVersion(tag).minor >= 29 ? undefined : false;
}

async function runningPid(instance: HeadscaleInstance): Promise<number> {
  return Number((await readFile(instance.pidPath, 'utf8')).trim());
}

/** True while the process runs; a zombie waiting for its parent to reap it counts as gone. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }

  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function servedVersion(instance: HeadscaleInstance): Promise<string> {
  // GET /version exists from 0.27 on.
  const response = await fetch(`${instance.serverUrl}/version`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { version: string };
  return body.version;
}

describe.each(labVersions())('Headscale %s on loopback', { timeout: TEST_TIMEOUT_MS }, (tag) => {
  const lab = new Lab();
  let instance: HeadscaleInstance;

  beforeAll(async () => {
    instance = await lab.started(tag, { randomizeClientPort: exampleRandomizeClientPort(tag) });
  }, HOOK_TIMEOUT_MS);

  afterAll(() => lab.disposeAll(), HOOK_TIMEOUT_MS);

  it('answers /health with pass', async () => {
    const response = await fetch(instance.healthUrl);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'pass' });
  });

  it('binds only to 127.0.0.1', async () => {
    const sockets = processSockets(await runningPid(instance));

    expect(sockets.map((socket) => socket.localPort)).toEqual(expect.arrayContaining([instance.ports.http, instance.ports.metrics, instance.ports.stun]));
    expect(sockets.filter((socket) => socket.localAddress !== '127.0.0.1')).toEqual([]);
  });

  it('keeps its state files in the lab directory', () => {
    expect(existsSync(instance.dbPath)).toBe(true);
    expect(existsSync(instance.noiseKeyPath)).toBe(true);
    expect(existsSync(instance.derpKeyPath)).toBe(true);
    expect(existsSync(instance.socketPath)).toBe(true);
  });

  it('captures the seeded counts', async () => {
    const seeded = await seed(instance, { users: 2, preAuthKeysPerUser: 3, nodesPerUser: 2 });

    const invariants = await captureInvariants(instance);

    expect(invariants.users.map((user) => user.name)).toEqual(['user1', 'user2']);
    expect(invariants.users.map((user) => user.id)).toEqual(seeded.users.map((user) => user.id));
    expect(invariants.preAuthKeys).toHaveLength(6);
    expect(invariants.preAuthKeys.filter((key) => key.reusable)).toHaveLength(4);
    expect(invariants.preAuthKeys.filter((key) => key.ephemeral)).toHaveLength(2);
    expect(invariants.preAuthKeys.filter((key) => key.tags.includes(LAB_TAGS[1]))).toHaveLength(2);
    expect(invariants.preAuthKeys.every((key) => !key.used && key.expiration !== null)).toBe(true);
    expect(invariants.nodes.map((node) => node.name)).toEqual(['user1-node1', 'user1-node2', 'user2-node1', 'user2-node2']);
    expect(invariants.nodes.map((node) => node.owner)).toEqual(['user1', null, 'user2', null]);
    expect(invariants.nodes.map((node) => node.tags)).toEqual([[], [LAB_TAGS[0]], [], [LAB_TAGS[0]]]);
    expect(new Set(invariants.nodes.flatMap((node) => node.ipAddresses)).size).toBe(8);
  });
});

describe('Headscale 0.29 and randomize_client_port', { timeout: TEST_TIMEOUT_MS }, () => {
  const lab = new Lab();

  afterEach(() => lab.disposeAll(), HOOK_TIMEOUT_MS);

  it.each([false, true])('serve rejects randomize_client_port: %s', async (value) => {
    const instance = await lab.create('v0.29.2', { randomizeClientPort: value });

    const result = await nodeProcessRunner.run(instance.binaryPath, ['serve', '-c', instance.configPath], { timeoutMs: 30_000 });

    expect(result.timedOut).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('The "randomize_client_port" configuration key has been removed');
  });

  it('waitHealthy reports the rejection from the log', async () => {
    const instance = await lab.create('v0.29.2', { randomizeClientPort: false });
    await instance.start();

    await expect(instance.waitHealthy(20_000)).rejects.toThrow(/exited before \/health passed[\s\S]*randomize_client_port/);
  });

  it('0.28.0 accepts randomize_client_port: true', async () => {
    const instance = await lab.started('v0.28.0', { randomizeClientPort: true });

    expect(await instance.isRunning()).toBe(true);
  });
});

describe('lab service scripts', { timeout: TEST_TIMEOUT_MS }, () => {
  const lab = new Lab();

  afterEach(() => lab.disposeAll(), HOOK_TIMEOUT_MS);

  it('stop succeeds when not running', async () => {
    const instance = await lab.create('v0.28.0');

    const result = await nodeProcessRunner.run(instance.scripts.stop, []);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('not running');
  });

  it('status exits 3 when stopped and 0 when running', async () => {
    const instance = await lab.create('v0.28.0');

    const before = await nodeProcessRunner.run(instance.scripts.status, []);
    await instance.start();
    const during = await nodeProcessRunner.run(instance.scripts.status, []);
    await instance.stop();
    const after = await nodeProcessRunner.run(instance.scripts.status, []);

    expect(before.exitCode).toBe(3);
    expect(during.exitCode).toBe(0);
    expect(after.exitCode).toBe(3);
  });

  it('start twice keeps one server', async () => {
    const instance = await lab.started('v0.28.0');
    const firstPid = await runningPid(instance);

    await instance.start();

    expect(await runningPid(instance)).toBe(firstPid);
    expect(processAlive(firstPid)).toBe(true);
  });

  it('stop waits for the exit and removes the pid file', async () => {
    const instance = await lab.started('v0.28.0');
    const pid = await runningPid(instance);

    await instance.stop();

    expect(processAlive(pid)).toBe(false);
    expect(existsSync(instance.pidPath)).toBe(false);
  });

  it('stop ignores a pid file naming another program', async () => {
    const instance = await lab.create('v0.28.0');
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await writeFile(instance.pidPath, `${other.pid}\n`);

      expect(await instance.isRunning()).toBe(false);
      await instance.stop();
      expect(processAlive(other.pid ?? -1)).toBe(true);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('stop sends SIGKILL after the grace period', async () => {
    const instance = await lab.create('v0.28.0');
    // A stand-in server that ignores SIGTERM; the scripts recognise it by its config argument.
    await writeFile(instance.binaryPath, "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.2; done\n");
    await instance.start();
    const pid = await runningPid(instance);

    const result = await nodeProcessRunner.run(instance.scripts.stop, [], { env: { HEADSUP_LAB_STOP_GRACE_SECONDS: '1' } });

    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('sending SIGKILL');
    expect(processAlive(pid)).toBe(false);
  });

  it('start runs the binary present at that moment', async () => {
    const instance = await lab.started('v0.28.0');
    const before = await servedVersion(instance);

    await instance.stop();
    await instance.installBinary('v0.29.2');
    await instance.start();
    await instance.waitHealthy();

    expect(before).toBe('v0.28.0');
    expect(await servedVersion(instance)).toBe('v0.29.2');
  });
});
