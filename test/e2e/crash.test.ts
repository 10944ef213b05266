import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireVersion } from '../../src/judge/version.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';
import { GitHubFixtureServer } from '../fixture/github-server.js';
import { captureInvariants, Lab, seed, type HeadscaleInstance } from '../lab/index.js';
import { createHeadsupHome, serveBinaries, startFailingOn0292, type HeadsupHome } from './headsup-harness.js';

// Kills a real headsup process with SIGKILL at each step boundary of a live hop on a real Headscale
// (HEADSUP_TEST_CRASH_AT), then runs `headsup resume`: the instance must be healthy on the old or
// the new version with its users, nodes and pre-auth keys unchanged.

const root = resolve(import.meta.dirname, '..', '..');
const server = new GitHubFixtureServer();
const lab = new Lab();

beforeAll(async () => {
  const build = await nodeProcessRunner.run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, timeoutMs: 180_000 });
  if (build.exitCode !== 0) throw new Error(`building headsup failed:\n${build.stdout}${build.stderr}`);
  await server.start();
  await serveBinaries(server, ['0.29.2']);
}, 300_000);

afterAll(() => server.close());
afterEach(() => lab.disposeAll(), 120_000);

/** Runs bin/headsup.js in its own process and reports how it ended. */
function runHeadsup(home: HeadsupHome, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'headsup.js'), '--config', home.configPath, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, output }));
  });
}

/** True while the process runs; a zombie waiting to be reaped counts as stopped. */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

function hopOutcomes(statePath: string): Array<string | null> {
  const db = new Database(statePath, { readonly: true });
  try {
    return (db.prepare('SELECT outcome FROM hops ORDER BY id').all() as Array<{ outcome: string | null }>).map((row) => row.outcome);
  } finally {
    db.close();
  }
}

async function servedVersion(hs: HeadscaleInstance): Promise<string> {
  const response = await fetch(`${hs.serverUrl}/version`, { signal: AbortSignal.timeout(5000) });
  return ((await response.json()) as { version: string }).version;
}

const SUCCESSFUL_HOP: Array<[string, string, string]> = [
  ['before:preflight', '0.28.0', 'aborted'],
  ['after:preflight', '0.28.0', 'aborted'],
  ['before:stop', '0.28.0', 'aborted'],
  ['after:stop', '0.28.0', 'aborted'],
  ['before:backup', '0.28.0', 'aborted'],
  ['after:backup', '0.28.0', 'aborted'],
  ['before:swap', '0.28.0', 'rolled-back'],
  ['after:swap', '0.28.0', 'rolled-back'],
  ['before:start', '0.28.0', 'rolled-back'],
  ['after:start', '0.29.2', 'committed'],
  ['before:verify', '0.29.2', 'committed'],
  ['after:verify', '0.29.2', 'committed'],
  ['before:commit', '0.29.2', 'committed'],
  ['after:commit', '0.29.2', 'committed'],
];

describe('crash at every step boundary', { timeout: 240_000 }, () => {
  it.each(SUCCESSFUL_HOP)('SIGKILL at %s recovers to %s', async (point, version, outcome) => {
    const hs = await lab.started('v0.28.0');
    await seed(hs, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 1 });
    const before = await captureInvariants(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const crashed = await runHeadsup(home, ['upgrade', 'hs1'], { HEADSUP_TEST_CRASH_AT: point });
    expect(crashed.signal, crashed.output).toBe('SIGKILL');
    expect(hopOutcomes(home.statePath)).toEqual([null]);

    const resumed = await runHeadsup(home, ['resume']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(hopOutcomes(home.statePath)).toEqual([outcome]);
    expect(await servedVersion(hs)).toBe(`v${version}`);
    hs.version = requireVersion(version);
    expect(await captureInvariants(hs)).toEqual(before);
    expect(readdirSync(join(home.dir, 'state', 'locks'))).toEqual([]);
  });

  it.each(['before:rollback', 'after:rollback'])('SIGKILL at %s finishes the rollback', async (point) => {
    const hs = await lab.started('v0.28.0');
    await seed(hs, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 1 });
    const before = await captureInvariants(hs);
    const config = readFileSync(hs.configPath, 'utf8');
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs }, startCommand: startFailingOn0292 });

    const crashed = await runHeadsup(home, ['upgrade', 'hs1'], { HEADSUP_TEST_CRASH_AT: point });
    expect(crashed.signal, crashed.output).toBe('SIGKILL');

    const resumed = await runHeadsup(home, ['check', 'hs1']);
    expect(resumed.output).toContain('hs1: an earlier headsup run stopped in the middle of a hop; recovering');
    expect(hopOutcomes(home.statePath)).toEqual(['rolled-back']);
    expect(await servedVersion(hs)).toBe('v0.28.0');
    expect(readFileSync(hs.configPath, 'utf8')).toBe(config);
    expect(await captureInvariants(hs)).toEqual(before);
    expect(existsSync(`${hs.binaryPath}.headsup-tmp`)).toBe(false);
  });

  it('SIGKILL during the rehearsal leaves nothing running', async () => {
    const hs = await lab.started('v0.28.0');
    const livePid = readFileSync(hs.pidPath, 'utf8').trim();
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const crashed = await runHeadsup(home, ['upgrade', 'hs1'], { HEADSUP_TEST_CRASH_AT: 'during:rehearse' });
    expect(crashed.signal, crashed.output).toBe('SIGKILL');
    const rehearsals = join(home.dir, 'state', 'rehearsals');
    const sandbox = readdirSync(rehearsals).find((name) => existsSync(join(rehearsals, name, 'server.pid')))!;
    const strayPid = Number(readFileSync(join(rehearsals, sandbox, 'server.pid'), 'utf8'));
    expect(isRunning(strayPid)).toBe(true);

    const resumed = await runHeadsup(home, ['resume']);

    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toContain('left by a rehearsal whose run was interrupted');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(isRunning(strayPid)).toBe(false);
    expect(readdirSync(rehearsals)).toEqual([]);
    expect(readFileSync(hs.pidPath, 'utf8').trim()).toBe(livePid);
    expect(await servedVersion(hs)).toBe('v0.28.0');
  });
});
