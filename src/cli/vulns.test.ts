import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

async function run(...args: string[]) {
  const home = mkdtempSync(join(tmpdir(), 'headsup-vulns-'));
  const out: string[] = [];
  const err: string[] = [];
  const exitCode = await main(args, { out: (text) => out.push(text), err: (text) => err.push(text), env: { XDG_CONFIG_HOME: home, XDG_STATE_HOME: join(home, 'state') } });
  return { exitCode, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('headsup vulns', () => {
  it('lists the exposure of 0.22.3', async () => {
    const result = await run('vulns', '--current', '0.22.3', '--offline', '--json');
    const report = JSON.parse(result.stdout);
    const ids = report.instances[0].vulnerabilities.map((vulnerability: { displayId: string }) => vulnerability.displayId);

    expect(result.exitCode).toBe(0);
    expect(ids).toContain('GHSA-wp76-cf2j-rqq7');
    expect(ids).toHaveLength(3);
    expect(report.instances[0].lowestFixingVersion).toBe('0.26.1');
  });

  it('reports an unfixed prerelease of the fixed series', async () => {
    const result = await run('vulns', '--current', '0.23.0-alpha1', '--offline');

    expect(result.stdout).toMatch(/0\.23\.0-alpha1\s+GHSA-wp76-cf2j-rqq7\s+high\s+0\.23\.0/);
  });

  it('exits 11 at the fail-on severity', async () => {
    expect((await run('vulns', '--current', '0.22.3', '--offline', '--fail-on', 'critical')).exitCode).toBe(11);
    expect((await run('vulns', '--current', '0.24.0', '--offline', '--fail-on', 'critical')).exitCode).toBe(11);
    expect((await run('vulns', '--current', '0.29.2', '--offline', '--fail-on', 'low')).exitCode).toBe(0);
  });

  it('rejects an unknown severity', async () => {
    const result = await run('vulns', '--current', '0.22.3', '--fail-on', 'severe');

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--fail-on "severe" is not a severity');
  });
});
