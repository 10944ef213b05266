import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

function setUp(config: string) {
  const dir = mkdtempSync(join(tmpdir(), 'headsup-policy-'));
  const path = join(dir, 'headsup.yaml');
  writeFileSync(path, `state: ${join(dir, 'state.db')}\n${config}`);
  return async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const exitCode = await main(['--config', path, ...args], { out: (text) => out.push(text), err: (text) => err.push(text), env: { USER: 'alice' } });
    return { exitCode, stdout: out.join('\n'), stderr: err.join('\n') };
  };
}

const INSTANCE = `instances:
  hs1:
    environment: staging
    binary: /usr/local/bin/headscale
    config: /etc/headscale/config.yaml
    health_url: http://127.0.0.1:8080/health
    service: { systemd: headscale.service }
`;

describe('policy in the config', () => {
  it.each([
    ['policy:\n  freezes: [{ from: 2026-12-20, to: 2027-01-04 }]\n', 'policy.freezes.0.reason'],
    ['policy:\n  auto_approv: patch\n', 'auto_approv'],
    ['policy:\n  windows: { regular: { cron: "0 2 * * 8", duration: 2h } }\n  upgrade_window: regular\n', 'policy.windows.regular.cron'],
    ['policy:\n  upgrade_window: weekend\n', 'policy.upgrade_window names the window "weekend"'],
    ['policy:\n  freezes: [{ from: 2027-01-04, to: 2026-12-20, reason: year-end }]\n', 'policy.freezes.0.to: the freeze ends (2026-12-20) before it starts (2027-01-04); swap from and to'],
    ['policy:\n  freezes: [{ from: 2026-13-01, to: 2026-12-20, reason: x }]\n', 'policy.freezes.0.from: "2026-13-01" is not a valid date'],
    ['policy:\n  freezes: [{ from: 2026-02-30, to: 2026-12-20, reason: x }]\n', '"2026-02-30" is not a valid date'],
    ['policy:\n  windows: { regular: { cron: "0 2 * * 6", duration: 0m } }\n  upgrade_window: regular\n', 'shorter than one minute'],
    ['policy:\n  windows: { regular: { cron: "0 2 * * 6", duration: 1h, timezone: Europe/Berln } }\n  upgrade_window: regular\n', 'use an IANA name such as Europe/Berlin'],
    [`environments:\n  staging:\n    policy: { minimum_release_age: soon }\n${INSTANCE}`, 'environments.staging.policy.minimum_release_age'],
  ])('rejects %j naming %s', async (config, expected) => {
    const run = setUp(config);
    const result = await run('policy');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(expected);
  });

  it('writes the effective policy as a document, with what each instance changes', async () => {
    const run = setUp(`policy:
  auto_approve: patch
  windows:
    regular: { cron: "0 2 * * 6", duration: 2h, timezone: Europe/Berlin }
  upgrade_window: regular
  freezes: [{ from: 2026-12-20, to: 2027-01-04, reason: year-end }]
environments:
  staging:
    policy: { auto_approve: minor, minimum_release_age: 1d }
${INSTANCE}`);
    const result = await run('policy', '--markdown');

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('- **regular:** Saturdays at 02:00 Europe/Berlin for 2h (cron `0 2 * * 6`).');
    expect(result.stdout).toContain('- From 2026-12-20 00:00 UTC until 2027-01-05 00:00 UTC: year-end.');
    expect(result.stdout).toContain('| high | 7 days |');
    expect(result.stdout).toMatch(/### hs1 \(staging\)\n\nDiffers from the default policy:\n\n- \*\*Approved automatically:\*\* patch and minor upgrades/);
    expect(result.stdout).toContain('## Rollback procedure');
  });

  it('records approvals and rejects bad ones', async () => {
    const run = setUp(INSTANCE);
    expect((await run('approve', 'hs1', '0.29.2')).stderr).toContain('an approval needs a reason');
    expect((await run('approve', 'hs1', '0.29.2-dev', '--reason', 'x')).stderr).toContain('"0.29.2-dev" is not a Headscale release version');
    expect((await run('approve', 'hs9', '0.29.2', '--reason', 'x')).stderr).toContain('no instance named "hs9"');

    const result = await run('approve', 'hs1', 'v0.29.2', '--reason', 'tested in staging');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Approved 0\.29\.2 for hs1 \(by alice, \d{4}-\d\d-\d\dT[\d:.]+Z\): tested in staging$/);

    const unknown = await run('approve', 'hs1', '0.99.0', '--reason', 'typo');
    expect(unknown.stdout).toContain('Note: 0.99.0 is not a known release (the newest known is 0.29.2); check for a typo.');
  });

  it('lists approvals and revokes one with who, when and why', async () => {
    const run = setUp(INSTANCE);
    await run('approve', 'hs1', '0.29.2', '--reason', 'tested in staging');
    expect((await run('revoke', 'hs1', '0.29.2')).stderr).toContain('a revocation needs a reason');
    expect((await run('revoke', 'hs1', '0.28.0', '--reason', 'x')).stderr).toContain('hs1 has no approval of 0.28.0 in force');

    const revoked = await run('revoke', 'hs1', 'v0.29.2', '--reason', 'breaks OIDC login', '--by', 'bob');
    expect(revoked.exitCode).toBe(0);
    expect(revoked.stdout).toMatch(/^Revoked the approval of 0\.29\.2 for hs1 \(by bob, .*\): breaks OIDC login$/);

    const listing = JSON.parse((await run('approvals', '--json')).stdout);
    expect(listing).toEqual([expect.objectContaining({ instance: 'hs1', version: '0.29.2', approvedBy: 'alice', reason: 'tested in staging', revoked: expect.objectContaining({ by: 'bob', reason: 'breaks OIDC login' }) })]);
    expect((await run('approvals')).stdout).toMatch(/hs1\s+0\.29\.2\s+alice, .* UTC\s+tested in staging\s+revoked by bob: breaks OIDC login/);
    expect((await run('revoke', 'hs1', '0.29.2', '--reason', 'again')).exitCode).toBe(2);
  });

  it('rejects a bad --at', async () => {
    const result = await setUp(INSTANCE)('plan', '--at', 'next saturday');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--at "next saturday" is not a time with a zone');
    expect((await setUp(INSTANCE)('plan', '--at', '2026-12-05 02:30')).stderr).toContain('is not a time with a zone');
  });
});
