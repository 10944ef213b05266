import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentProcessStamp } from '../../src/apply/lock.js';
import { GitHubFixtureServer } from '../fixture/github-server.js';
import { WebhookReceiver } from '../fixture/webhook-receiver.js';
import { Lab, type HeadscaleInstance } from '../lab/index.js';
import { createHeadsupHome, serveBinaries, startFailingOn0292, type HeadsupHome } from './headsup-harness.js';

// `headsup run` end to end: real Headscale binaries on 127.0.0.1 supervised by the lab's scripts,
// the fixture GitHub, Atom and OSV APIs, and a real webhook receiver. The clock of each run is set
// with HEADSUP_TEST_NOW, so the policy meets windows, release ages and freezes at chosen times.

const root = fileURLToPath(new URL('../..', import.meta.url));
const server = new GitHubFixtureServer();
const lab = new Lab();
let receiver: WebhookReceiver;

/** Saturday 2026-12-05, 02:30 in Berlin: inside the regular window. */
const IN_WINDOW = '2026-12-05T01:30:00Z';
/** Friday 2026-12-04, 13:00 in Berlin: outside it. */
const OUT_OF_WINDOW = '2026-12-04T12:00:00Z';

beforeAll(async () => {
  await server.start();
  await serveBinaries(server, ['0.29.2']);
  receiver = await WebhookReceiver.start();
}, 180_000);

afterAll(async () => {
  await server.close();
  await receiver.close();
});

afterEach(async () => {
  server.clearFaults();
  server.osv.setRecords([]);
  receiver.requests.length = 0;
  await lab.disposeAll();
}, 120_000);

function policy(extra = '', autoApprove = 'patch'): string {
  return `policy:
  auto_approve: ${autoApprove}
  minimum_release_age: 3d
  windows:
    regular: { cron: "0 2 * * 6", duration: 2h, timezone: Europe/Berlin }
  upgrade_window: regular
  fast_track: { min_severity: high }
${extra}
alerts:
  - webhook: { url: ${receiver.url('/hook')} }`;
}

async function home(hs: HeadscaleInstance, policyExtra = '', autoApprove = 'patch'): Promise<HeadsupHome> {
  return createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs }, extra: policy(policyExtra, autoApprove) });
}

async function servedVersion(hs: HeadscaleInstance): Promise<string> {
  const response = await fetch(`${hs.serverUrl}/version`, { signal: AbortSignal.timeout(5000) });
  return ((await response.json()) as { version: string }).version;
}

function hops(statePath: string): string[] {
  const db = new Database(statePath, { readonly: true });
  try {
    return (db.prepare('SELECT from_version, to_version, outcome FROM hops ORDER BY id').all() as Array<Record<string, string>>).map((row) => `${row.from_version}>${row.to_version}:${row.outcome}`);
  } finally {
    db.close();
  }
}

function alertKinds(): string[] {
  return receiver.requests.map((request) => (request.json as { kind: string }).kind);
}

function spawnRun(home: HeadsupHome, at: string, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'headsup.js'), '--config', home.configPath, 'run', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HEADSUP_TEST_NOW: at },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

describe('headsup run on real Headscale', { timeout: 300_000 }, () => {
  it('applies a patch in the window once', async () => {
    const hs = await lab.started('v0.29.1');
    const headsup = await home(hs);

    const plan = await headsup.runAt(IN_WINDOW, 'plan', '--json');
    expect(JSON.parse(plan.stdout).instances[0]).toMatchObject({ action: 'apply', target: '0.29.2', level: 'patch', window: 'regular' });

    const first = await headsup.runAt(IN_WINDOW, 'run');
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(await servedVersion(hs)).toBe('v0.29.2');
    expect(alertKinds()).toEqual(['upgrade-started', 'upgrade-succeeded']);

    // A second run in the same window finds nothing to do and sends nothing again.
    const second = await headsup.runAt('2026-12-05T01:40:00Z', 'run');
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('hs1: up to date');
    expect(hops(headsup.statePath)).toEqual(['0.29.1>0.29.2:committed']);

    // A release published later is announced once, however many runs see it.
    server.addRelease({ tag: 'v0.29.3', date: '2026-12-05T00:00:00Z', body: 'Bug fixes.' });
    try {
      await headsup.runAt('2026-12-05T01:50:00Z', 'run');
      await headsup.runAt('2026-12-05T02:00:00Z', 'run');
      expect(alertKinds()).toEqual(['upgrade-started', 'upgrade-succeeded', 'new-release']);
      const payloads = receiver.requests.map((request) => request.json as { key: string; source: string });
      expect(new Set(payloads.map((payload) => payload.key)).size).toBe(payloads.length);
      expect(payloads.every((payload) => payload.source === 'headsup')).toBe(true);
    } finally {
      server.removeRelease('v0.29.3');
    }

    // After a person rolls back, run leaves the instance alone until the version is approved again.
    const rollback = await headsup.runAt('2026-12-05T02:10:00Z', 'rollback', 'hs1');
    expect(rollback.exitCode, rollback.stdout + rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain('headsup run will not upgrade hs1 to 0.29.2 again until it is approved again');
    const held = await headsup.runAt('2026-12-05T02:20:00Z', 'run');
    expect(held.stdout).toContain('hs1: blocked');
    expect(await servedVersion(hs)).toBe('v0.29.1');
    await headsup.runAt('2026-12-05T02:25:00Z', 'approve', 'hs1', '0.29.2', '--reason', 'fixed the cause', '--by', 'ops');
    const plan2 = JSON.parse((await headsup.runAt('2026-12-05T02:30:00Z', 'plan', '--json')).stdout).instances[0];
    expect(plan2).toMatchObject({ action: 'apply', target: '0.29.2' });
    expect(plan2.reason).toContain('approved by ops on 2026-12-05 02:25 UTC');
  });

  it('holds a rolled-back target until approved', async () => {
    const hs = await lab.started('v0.29.1');
    const headsup = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs }, extra: policy(), startCommand: startFailingOn0292 });

    const failed = await headsup.runAt(IN_WINDOW, 'run');
    expect(failed.exitCode, failed.stdout + failed.stderr).toBe(20);
    expect(await servedVersion(hs)).toBe('v0.29.1');
    expect(alertKinds()).toEqual(['upgrade-started', 'upgrade-rolled-back']);
    const rolledBack = receiver.requests[1]!.json as { severity: string; text: string };
    expect(rolledBack.severity).toBe('critical');
    expect(rolledBack.text).toContain('Rolled back: 0.29.1 runs again');

    const next = await headsup.runAt('2026-12-05T01:45:00Z', 'run');
    expect(next.exitCode).toBe(1);
    expect(next.stdout).toContain('an upgrade to 0.29.2 failed or was rolled back at 2026-12-05 01:3');
    expect(hops(headsup.statePath)).toEqual(['0.29.1>0.29.2:rolled-back']);

    await headsup.runAt('2026-12-05T01:50:00Z', 'approve', 'hs1', '0.29.2', '--reason', 'config fixed', '--by', 'ops');
    await headsup.runAt('2026-12-05T01:51:00Z', 'run');
    expect(hops(headsup.statePath)).toEqual(['0.29.1>0.29.2:rolled-back', '0.29.1>0.29.2:rolled-back']);
    expect(alertKinds()).toEqual(['upgrade-started', 'upgrade-rolled-back', 'upgrade-started', 'upgrade-rolled-back']);
  });

  it('reports an upgrade that cannot start and goes on', async () => {
    const hs = await lab.started('v0.29.1');
    const headsup = await home(hs);
    // A manual command holds the instance lock (this test process plays that command).
    mkdirSync(join(dirname(headsup.statePath), 'locks'), { recursive: true });
    writeFileSync(join(dirname(headsup.statePath), 'locks', 'hs1.lock'), `${currentProcessStamp()}\n`);

    const result = await headsup.runAt(IN_WINDOW, 'run');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('hs1: the upgrade to 0.29.2 did not start: instance hs1 is locked by headsup process');
    expect(await servedVersion(hs)).toBe('v0.29.1');
    expect(alertKinds()).toEqual(['upgrade-started', 'upgrade-failed']);
  });

  it('leaves a minor upgrade waiting outside the window', async () => {
    const hs = await lab.started('v0.28.0');
    const headsup = await home(hs, '', 'minor');

    const result = await headsup.runAt(OUT_OF_WINDOW, 'run');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('hs1: waiting for window');
    expect(result.stdout).toMatch(/waiting for the regular window \(Saturdays at 02:00 Europe\/Berlin for 2h\), next opening 2026-12-05 01:00 UTC/);
    expect(await servedVersion(hs)).toBe('v0.28.0');
    expect(hops(headsup.statePath)).toEqual([]);
    expect(alertKinds()).toEqual([]);
  });

  it('fast-tracks a young release that fixes a high-severity vulnerability', async () => {
    const hs = await lab.started('v0.29.1');
    const headsup = await home(hs);
    // Thursday 2026-07-02: 0.29.2 is a day old, below the minimum age, and the window is closed.
    const at = '2026-07-02T12:00:00Z';
    expect(JSON.parse((await headsup.runAt(at, 'plan', '--json')).stdout).instances[0]).toMatchObject({ action: 'held', target: '0.29.2' });

    server.osv.setRecords([
      {
        id: 'GHSA-test-fast-trak',
        modified: '2026-07-01T15:00:00Z',
        published: '2026-07-01T15:00:00Z',
        summary: 'A test advisory fixed in 0.29.2',
        database_specific: { severity: 'HIGH' },
        affected: [{ package: { ecosystem: 'Go', name: 'github.com/juanfont/headscale' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.29.2' }] }] }],
      },
    ]);
    const result = await headsup.runAt(at, 'run');
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/fast-tracked: fixes GHSA-test-fast-trak \(high, due in 6 days\)/);
    expect(await servedVersion(hs)).toBe('v0.29.2');
    expect(alertKinds()).toEqual(['upgrade-started', 'upgrade-succeeded']);
  });

  it('does nothing during a freeze, inside the window and with an open vulnerability', async () => {
    const hs = await lab.started('v0.29.1');
    const headsup = await home(hs, '  freezes: [{ from: 2026-12-01, to: 2026-12-31, reason: year-end change freeze }]');

    const result = await headsup.runAt(IN_WINDOW, 'run');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('hs1: frozen\n');
    expect(result.stdout).toContain('frozen until 2027-01-01 00:00 UTC (year-end change freeze)');
    expect(await servedVersion(hs)).toBe('v0.29.1');
    expect(hops(headsup.statePath)).toEqual([]);
  });

  it('upgrades once when two runs start at the same time', async () => {
    const hs = await lab.started('v0.29.1');
    const headsup = await home(hs);

    const [a, b] = await Promise.all([spawnRun(headsup, IN_WINDOW), spawnRun(headsup, IN_WINDOW)]);
    const codes = [a.code, b.code].sort();
    expect(codes, a.output + b.output).toEqual([0, 13]);
    expect([a.output, b.output].join('\n')).toContain('Another headsup run holds the run lock');
    expect(hops(headsup.statePath)).toEqual(['0.29.1>0.29.2:committed']);
    expect(alertKinds()).toEqual(['upgrade-started', 'upgrade-succeeded']);

    // With --wait the second run waits for the first and then finds nothing to do.
    const [c, d] = await Promise.all([spawnRun(headsup, IN_WINDOW, ['--wait', '2m']), spawnRun(headsup, IN_WINDOW, ['--wait', '2m'])]);
    expect([c.code, d.code]).toEqual([0, 0]);
    expect(hops(headsup.statePath)).toEqual(['0.29.1>0.29.2:committed']);
  });
});
