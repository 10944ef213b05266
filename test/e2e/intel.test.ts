import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { advisoryJson } from '../fixture/advisories-route.js';
import { GitHubFixtureServer } from '../fixture/github-server.js';
import { headscaleBinary } from '../lab/index.js';
import { WebhookReceiver } from '../fixture/webhook-receiver.js';
import { runCli } from './headsup-harness.js';

// headsup against a fixture server on 127.0.0.1 that speaks the GitHub releases API, the releases
// Atom feed, the OSV API and GitHub's global advisories. The public services cannot be reached
// here. The instance is the real Headscale 0.28.0 binary, asked only for its version.

const server = new GitHubFixtureServer();
const DAY = 86_400_000;

beforeAll(async () => {
  await server.start();
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  server.clearFaults();
});

async function home(extra = ''): Promise<{ configPath: string; run: (env: NodeJS.ProcessEnv, ...args: string[]) => ReturnType<typeof runCli> }> {
  const dir = await mkdtemp(join(tmpdir(), 'headsup-intel-'));
  const configPath = join(dir, 'headsup.yaml');
  await writeFile(
    configPath,
    `state: ${join(dir, 'state.db')}
cache_dir: ${join(dir, 'cache')}
channels:
  github: { api_url: ${server.url}, timeout: 5s }
  github_atom: { web_url: ${server.url}, timeout: 5s }
  osv: { api_url: ${server.url}, timeout: 5s }
  stale_after: 2d
${extra}
instances:
  hs1:
    binary: ${headscaleBinary('0.28.0')}
    config: ${join(dir, 'headscale.yaml')}
    health_url: http://127.0.0.1:9/health
    service: { start: "true", stop: "true" }
`,
  );
  return { configPath, run: (env, ...args) => runCli(['--config', configPath, ...args], env) };
}

describe('vulnerability intelligence from every channel', () => {
  it('merges OSV, GitHub advisories and the catalog, and shows the exposure in check', async () => {
    const { run } = await home();
    const result = await run({}, 'check', '--current', '0.22.3', '--json');
    const report = JSON.parse(result.stdout);

    expect(result.exitCode).toBe(10);
    expect(report.channels.map((channel: { id: string; status: string }) => `${channel.id}:${channel.status}`)).toEqual([
      'github-releases:fresh',
      'github-atom:fresh',
      'osv:fresh',
      'github-advisories:fresh',
    ]);
    expect(report.vulnerabilitySources.join('\n')).toMatch(/^osv: 1 record, fetched .*\ngithub-advisories: 1 record, fetched .*\nthe security-fix catalog shipped with headsup: 5 records$/);
    const ids = report.instances[0].exposure.vulnerabilities.map((item: { displayId: string }) => item.displayId);
    expect(ids.filter((id: string) => id === 'GHSA-wp76-cf2j-rqq7')).toHaveLength(1);
    expect(report.crossCheck.compared).toBe(true);
    expect(report.crossCheck.missing).toEqual([]);
  });

  it('reports an advisory that only GitHub publishes, with a deadline that never moves', async () => {
    server.advisories.add(advisoryJson({ ghsaId: 'GHSA-2222-3333-4444', range: '< 0.28.1', firstPatched: '0.28.1', severity: 'high', publishedAt: '2026-11-30T00:00:00Z' }));
    server.addRelease({ tag: 'v0.28.1', date: '2026-12-01T00:00:00Z', body: 'Fixes GHSA-2222-3333-4444, an ACL bypass.' });
    try {
      const { configPath, run } = await home();
      const now = { HEADSUP_TEST_NOW: '2026-12-03T23:00:00Z' };
      const first = JSON.parse((await run(now, 'vulns', '--instance', 'hs1', '--json')).stdout);
      const row = first.instances[0].vulnerabilities.find((item: { displayId: string }) => item.displayId === 'GHSA-2222-3333-4444');
      expect(row).toMatchObject({ severity: 'high', fixedIn: '0.28.1', deadline: '2026-12-08T00:00:00.000Z', deadlineStatus: 'due in 4 days' });
      expect(first.instances[0].possibleSecurityReleases[0]).toMatchObject({ tag: 'v0.28.1', terms: ['GHSA-2222-3333-4444', 'acl bypass'] });

      // A shorter window set afterwards does not move the recorded deadline.
      const { readFile } = await import('node:fs/promises');
      await writeFile(configPath, `${await readFile(configPath, 'utf8')}policy: { deadlines: { high: 1d } }\n`);
      const later = JSON.parse((await run({ HEADSUP_TEST_NOW: '2026-12-10T00:00:00Z' }, 'vulns', '--instance', 'hs1', '--json')).stdout);
      const again = later.instances[0].vulnerabilities.find((item: { displayId: string }) => item.displayId === 'GHSA-2222-3333-4444');
      expect(again).toMatchObject({ deadline: '2026-12-08T00:00:00.000Z', deadlineStatus: 'overdue by 2 days', overdue: true });

      const failing = await run(now, 'vulns', '--instance', 'hs1', '--fail-on', 'high');
      expect(failing.exitCode).toBe(11);
      expect(failing.stdout).toMatch(/GHSA-2222-3333-4444\s+high\s+0\.28\.1\s+2026-12-08/);
    } finally {
      server.advisories.remove('GHSA-2222-3333-4444');
      server.removeRelease('v0.28.1');
    }
  });
});

describe('redundant release channels', () => {
  it('reports releases missing from a channel', async () => {
    const own = new GitHubFixtureServer();
    const url = await own.start();
    const dir = await mkdtemp(join(tmpdir(), 'headsup-intel-'));
    const configPath = join(dir, 'headsup.yaml');
    await writeFile(configPath, `state: ${join(dir, 'state.db')}\nchannels:\n  github: { api_url: ${url} }\n  github_atom: { web_url: ${url} }\n  osv: { api_url: ${url} }\n`);
    const run = (_env: NodeJS.ProcessEnv, ...args: string[]) => runCli(['--config', configPath, ...args]);
    own.atom.hideTag('v0.29.2');
    own.atom.addFeedOnly({ tag: 'v0.30.0', body: 'A new minor release.' });

    const report = JSON.parse((await run({}, 'check', '--current', '0.29.1', '--json')).stdout);
    expect(report.crossCheck.missing).toEqual(
      expect.arrayContaining([
        { tag: 'v0.29.2', missingFrom: 'github-atom' },
        { tag: 'v0.30.0', missingFrom: 'github-releases' },
      ]),
    );
    const table = await run({}, 'check', '--current', '0.29.1');
    expect(table.stdout).toContain('Cross-check: v0.29.2 is missing from github-atom');
    await own.close();
  });

  it('falls back to the feed when the API fails, and says so', async () => {
    const { run } = await home();
    expect((await run({}, 'check', '--current', '0.29.1')).exitCode).toBe(10);

    server.fault({ kind: '5xx', path: /^\/(repos|repositories)\// });
    const result = await run({}, 'check', '--current', '0.29.1');
    expect(result.stdout.split('\n')[0]).toMatch(/^Releases: github-atom, fetched .*github-releases failed: 127\.0\.0\.1:\d+ returned HTTP 502/);
    expect(result.exitCode).toBe(10);
  });

  it('exits 12 once a channel has failed for longer than stale_after, not before', async () => {
    const { run } = await home();
    const start = Date.parse('2026-12-04T00:00:00Z');
    expect((await run({ HEADSUP_TEST_NOW: new Date(start).toISOString() }, 'check', '--current', '0.29.2')).exitCode).toBe(0);

    server.fault({ kind: '5xx', status: 503, path: /^\/v1\/query/ });
    const soon = await run({ HEADSUP_TEST_NOW: new Date(start + DAY).toISOString() }, 'check', '--current', '0.29.2');
    expect(soon.exitCode).toBe(0);

    const late = await run({ HEADSUP_TEST_NOW: new Date(start + 3 * DAY).toISOString() }, 'check', '--current', '0.29.2');
    expect(late.exitCode).toBe(12);
    expect(late.stdout).toMatch(/STALE: channel osv has had no successful poll since 2026-12-04T00:00:\d\d.\d+Z \(limit channels.stale_after = 2d\); last error: 127\.0\.0\.1:\d+ returned HTTP 503/);
    // --offline polls nothing, so it reports the staleness without failing on it.
    expect((await run({ HEADSUP_TEST_NOW: new Date(start + 3 * DAY).toISOString() }, 'check', '--current', '0.29.2', '--offline')).exitCode).toBe(0);
  });

  it('counts a silent channel from its first attempt', async () => {
    const { run } = await home();
    server.fault({ kind: '5xx', path: /^\/advisories/ });
    const start = Date.parse('2026-12-04T00:00:00Z');
    expect((await run({ HEADSUP_TEST_NOW: new Date(start).toISOString() }, 'check', '--current', '0.29.2')).exitCode).toBe(0);
    const late = await run({ HEADSUP_TEST_NOW: new Date(start + 3 * DAY).toISOString() }, 'check', '--current', '0.29.2', '--json');
    expect(late.exitCode).toBe(12);
    expect(JSON.parse(late.stdout).channels.find((channel: { id: string }) => channel.id === 'github-advisories')).toMatchObject({ status: 'never-succeeded', stale: true });
  });
});

describe('headsup run and the channels', () => {
  it('alerts a stale channel once, reminds a day later, and exits 12', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const { run } = await home(`alerts:\n  - webhook: { url: ${receiver.url('/hook')} }\n`);
      const start = Date.parse('2026-12-04T00:00:00Z');
      const at = (hours: number) => ({ HEADSUP_TEST_NOW: new Date(start + hours * 3_600_000).toISOString() });
      expect((await run(at(0), 'run')).exitCode).toBe(0);

      server.fault({ kind: '5xx', path: /^\/v1\/query/ });
      expect((await run(at(24), 'run')).exitCode).toBe(0);
      const stale = await run(at(72), 'run');
      expect(stale.exitCode).toBe(12);
      expect((await run(at(80), 'run')).exitCode).toBe(12);
      expect((await run(at(97), 'run')).exitCode).toBe(12);

      const alerts = receiver.requests.map((request) => request.json as { kind: string; key: string; title: string });
      expect(alerts.map((alert) => alert.key)).toEqual(['channel-stale:osv', 'channel-stale:osv']);
      expect(alerts[0]!.title).toMatch(/^Channel osv has had no successful poll since 2026-12-04T00:00/);
    } finally {
      await receiver.close();
    }
  });
});

describe('alerts that failed to arrive', () => {
  it('are sent again by the next run', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const { run } = await home(`alerts:\n  - webhook: { url: ${receiver.url('/hook')} }\n`);
      expect((await run({}, 'run')).exitCode).toBe(0);

      server.addRelease({ tag: 'v0.29.3', body: 'Bug fixes.' });
      receiver.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
      const failed = await run({}, 'run');
      expect(failed.stdout).toContain('Alerts: 0 sent, 0 already sent before, 1 failed.');

      const retried = await run({}, 'run');
      expect(retried.stdout).toContain('Alerts: 1 sent, 0 already sent before, 0 failed.');
      const delivered = receiver.requests.filter((request) => request.json !== null).map((request) => (request.json as { key: string }).key);
      expect(delivered.filter((key) => key === 'new-release:v0.29.3')).toHaveLength(5);

      expect((await run({}, 'run')).stdout).toContain('Alerts: 0 sent, 0 already sent before, 0 failed.');
    } finally {
      server.removeRelease('v0.29.3');
      await receiver.close();
    }
  });
});
