import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubFixtureServer } from '../fixture/github-server.js';
import { Lab, seed, type HeadscaleInstance } from '../lab/index.js';
import { createHeadsupHome, serveBinaries } from './headsup-harness.js';

// Upgrade failures seen in the field, reproduced on real Headscale data: each must be caught by
// the pre-flight checks or the rehearsal, before the live server is stopped. Defects that 0.25 and
// later refuse at every start (orphan foreign keys, for example) cannot exist on a running server
// of the versions built here; the pre-flight tests cover them on database copies.

const server = new GitHubFixtureServer();
const lab = new Lab();

beforeAll(async () => {
  await server.start();
  await serveBinaries(server, ['0.27.1', '0.29.2']);
}, 180_000);

afterAll(() => server.close());
afterEach(() => lab.disposeAll(), 120_000);

/** Changes the stopped instance's database the way older Headscale versions allowed, then starts it again. */
async function tamper(hs: HeadscaleInstance, sql: string): Promise<void> {
  await hs.stop();
  const db = new Database(hs.dbPath);
  try {
    db.pragma('foreign_keys = OFF');
    db.exec(sql);
  } finally {
    db.close();
  }
  await hs.start();
  await hs.waitHealthy();
}

function pidOf(hs: HeadscaleInstance): string {
  return readFileSync(hs.pidPath, 'utf8').trim();
}

describe('failure classes caught before production', { timeout: 300_000 }, () => {
  it('blocks a node whose client the target rejects', async () => {
    const hs = await lab.started('v0.28.0');
    await seed(hs, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    // 0.29 accepts Tailscale clients from 1.80 on; this node reports 1.76.
    await tamper(hs, `UPDATE nodes SET host_info = '{"IPNVersion":"1.76.6-t1234abcd"}' WHERE id = 1`);
    const pid = pidOf(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const result = await home.run('upgrade', 'hs1');

    expect(result.exitCode, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/client-versions: .*1\.76/);
    expect(pidOf(hs)).toBe(pid);
  });

  it('blocks a table the 0.27 schema rejects', async () => {
    const hs = await lab.started('v0.26.1');
    // 0.26 tolerates tables it does not know, such as a replication tool's sidecar tables; from
    // 0.27 on, Headscale validates the SQLite schema at start and refuses them.
    await tamper(hs, 'CREATE TABLE sidecar_state (id INTEGER PRIMARY KEY, note TEXT)');
    const pid = pidOf(hs);
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    const result = await home.run('upgrade', 'hs1', '--to', '0.27.1');

    expect(result.exitCode, result.stdout).toBe(1);
    expect(result.stdout).toContain('nothing was stopped or changed');
    expect(result.stdout).toContain('sidecar_state');
    expect(pidOf(hs)).toBe(pid);
  });
});
