import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubFixtureServer } from '../fixture/github-server.js';
import { Lab, type HeadscaleInstance } from '../lab/index.js';
import { createHeadsupHome, serveBinaries } from './headsup-harness.js';

// A file policy that Headscale 0.25 accepts and 0.26 rejects: policy v2 (0.26) wants users written
// `name@`. The rehearsal on a copy must catch it before the live 0.25.1 server is stopped.

const server = new GitHubFixtureServer();
const lab = new Lab();

beforeAll(async () => {
  await server.start();
  await serveBinaries(server, ['0.26.1']);
}, 180_000);

afterAll(() => server.close());
afterEach(() => lab.disposeAll(), 120_000);

const BARE_USERNAME_POLICY = JSON.stringify({
  groups: { 'group:admins': ['user1'] },
  acls: [{ action: 'accept', src: ['group:admins'], dst: ['*:*'] }],
});

function pidOf(hs: HeadscaleInstance): string {
  return readFileSync(hs.pidPath, 'utf8').trim();
}

describe('policy made stricter by the target', { timeout: 300_000 }, () => {
  it('fails the rehearsal on bare usernames', async () => {
    const hs = await lab.started('v0.25.1', { policy: BARE_USERNAME_POLICY });
    const pid = pidOf(hs);
    const policy = readFileSync(hs.policyPath!, 'utf8');
    const config = readFileSync(hs.configPath, 'utf8');
    const home = await createHeadsupHome({ apiUrl: server.url, instances: { hs1: hs } });

    // The lab's 0.25 config also lacks `dns.override_local_dns`, which 0.26 requires; the approved
    // config change fixes that, so the rehearsal gets to the policy.
    const result = await home.run('upgrade', 'hs1', '--to', '0.26.1', '--apply-config-changes');

    expect(result.exitCode, result.stdout).toBe(1);
    expect(result.stdout).toContain('the rehearsal on a copy failed, so production was not touched');
    expect(result.stdout).toMatch(/FAIL rehearse .*(policy|@)/);
    expect(pidOf(hs)).toBe(pid);
    expect(readFileSync(hs.policyPath!, 'utf8')).toBe(policy);
    expect(readFileSync(hs.configPath, 'utf8')).toBe(config);
  });
});
