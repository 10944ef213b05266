import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readHeadscaleFiles } from '../../src/apply/headscale-config.js';
import { runPreflight, type PreflightFinding, type PreflightInput } from '../../src/judge/preflight/index.js';
import { requireVersion } from '../../src/judge/version.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';
import { silentLogger } from '../../src/platform/logger.js';
import { Lab, type HeadscaleInstance } from '../lab/instance.js';
import { seed } from '../lab/seed.js';

const DATABASE_CHECKS = ['database:orphan-auth-keys', 'database:foreign-keys', 'database:node-keys', 'database:duplicate-users', 'database:null-columns', 'database:unknown-tables', 'client-versions'];

function byCheck(findings: PreflightFinding[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const item of findings) result[item.check] = [...(result[item.check] ?? []), item.verdict];
  return result;
}

describe('runPreflight on a stopped 0.28.0 lab instance', { timeout: 120_000 }, () => {
  const lab = new Lab();
  let instance: HeadscaleInstance;
  let scratch: string;
  let input: PreflightInput;

  beforeAll(async () => {
    // randomize_client_port: false as in every example config up to 0.28, which 0.29 rejects.
    instance = await lab.started('v0.28.0', { randomizeClientPort: false });
    await seed(instance, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 1 });
    await instance.stop();

    scratch = await mkdtemp(join(tmpdir(), 'headsup-run-preflight-'));
    const copy = join(scratch, 'copy.sqlite');
    await copyFile(instance.dbPath, copy);
    input = {
      headscaleConfigPath: instance.configPath,
      files: await readHeadscaleFiles(instance.configPath),
      from: requireVersion('0.28.0'),
      to: requireVersion('0.29.2'),
      databaseCopyPath: copy,
      backupsDir: join(scratch, 'backups'),
      binaryPath: instance.binaryPath,
      runner: nodeProcessRunner,
      logger: silentLogger(),
    };
  }, 180_000);

  afterAll(async () => {
    await lab.disposeAll();
    await rm(scratch, { recursive: true, force: true });
  });

  it('returns every check with its verdict', async () => {
    const findings = await runPreflight(input);

    expect(byCheck(findings)).toEqual({
      'disk-space': ['pass'],
      'filesystem-type': ['pass'],
      // The lab lives under the temporary folder.
      'noise-key': ['warn'],
      'config:randomize-client-port': ['fail'],
      config: ['warn'],
      'database:orphan-auth-keys': ['pass'],
      'database:foreign-keys': ['pass'],
      'database:node-keys': ['pass'],
      'database:duplicate-users': ['pass'],
      'database:null-columns': ['pass'],
      'database:unknown-tables': ['pass'],
      // Nodes made without a Tailscale client report no version.
      'client-versions': ['warn'],
    });
  });

  it('returns the noise key fingerprint', async () => {
    const findings = await runPreflight(input);
    const noise = findings.find((item) => item.check === 'noise-key');

    expect(noise?.details).toEqual({ path: instance.noiseKeyPath, sha256: createHash('sha256').update(await readFile(instance.noiseKeyPath)).digest('hex') });
  });

  it('proposes the config without randomize_client_port', async () => {
    const findings = await runPreflight(input);
    const proposal = findings.find((item) => item.check === 'config')?.details as { proposed: string };

    expect(proposal.proposed).not.toContain('randomize_client_port');
    expect(await readFile(instance.configPath, 'utf8')).toContain('randomize_client_port: false');
  });

  it('warns for each database check without a copy', async () => {
    const findings = await runPreflight({ ...input, databaseCopyPath: null });
    const database = findings.filter((item) => item.check === 'database-copy' || DATABASE_CHECKS.includes(item.check));

    expect(database.map((item) => `${item.check}=${item.verdict}`)).toEqual(['database-copy=warn', ...DATABASE_CHECKS.map((check) => `${check}=warn`)]);
  });
});
