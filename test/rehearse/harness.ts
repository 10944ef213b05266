import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readHeadscaleFiles } from '../../src/apply/headscale-config.js';
import { requireVersion } from '../../src/judge/version.js';
import { systemClock } from '../../src/platform/clock.js';
import { nodeProcessRunner, type ProcessRunner } from '../../src/platform/exec.js';
import { fetchHttpClient } from '../../src/platform/http.js';
import { silentLogger } from '../../src/platform/logger.js';
import type { RehearsalInput } from '../../src/rehearse/rehearse.js';
import { cliDialect, headscaleBinary, type HeadscaleInstance } from '../lab/index.js';

/** Work folders made by tests; removed by removeWorkDirs. */
const workDirs: string[] = [];

export async function newWorkDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'headsup-rehearse-'));
  workDirs.push(dir);
  return dir;
}

export async function removeWorkDirs(): Promise<void> {
  await Promise.all(workDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/**
 * Builds the rehearsal input for a running lab instance and a path through `targets`, each hop
 * with the cached build of its target version.
 */
export async function rehearsalInput(instance: HeadscaleInstance, targets: string[], overrides: Partial<RehearsalInput> = {}): Promise<RehearsalInput> {
  const versions = [instance.version, ...targets.map(requireVersion)];
  return {
    instanceName: 'lab',
    liveConfigPath: instance.configPath,
    files: await readHeadscaleFiles(instance.configPath),
    from: instance.version,
    hops: targets.map((target, index) => ({ hop: { from: versions[index]!, to: versions[index + 1]! }, binaryPath: headscaleBinary(target) })),
    liveBinaryPath: instance.binaryPath,
    runner: nodeProcessRunner as ProcessRunner,
    http: fetchHttpClient,
    clock: systemClock,
    logger: silentLogger(),
    workDir: await newWorkDir(),
    ...overrides,
  };
}

/**
 * The files of a lab instance that a rehearsal must not change, by name. `db.sqlite-shm` is left
 * out: it is SQLite's WAL index in shared memory, which every reader updates, and the live
 * server's own reads for a CLI list command change it (measured on 0.28.0 without a rehearsal).
 */
export const LIVE_FILES = ['bin/headscale', 'config.yaml', 'policy.hujson', 'db.sqlite', 'db.sqlite-wal', 'noise_private.key', 'derp_server_private.key'];

/** SHA-256 of each live file, or `missing`. */
export function hashLiveFiles(instance: HeadscaleInstance, names: readonly string[] = LIVE_FILES): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const name of names) {
    const path = join(instance.dir, name);
    hashes[name] = existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing';
  }

  return hashes;
}

export function livePid(instance: HeadscaleInstance): string {
  return readFileSync(instance.pidPath, 'utf8').trim();
}

/**
 * Registers a node of `user` that announces `routes` and approves `approve` of them. 0.29.2's
 * `debug create-node` does not store the announced routes, so there the node lists none.
 */
export async function addRouter(instance: HeadscaleInstance, user: string, name: string, routes: string[], approve: string[]): Promise<number> {
  const dialect = cliDialect(instance.version);
  const registrationId = dialect.newRegistrationId();
  await instance.cliJson(['debug', 'create-node', '--name', name, '--user', user, '--key', registrationId, ...routes.flatMap((route) => ['--route', route])]);
  const node = await instance.cliJson<{ id: number | string }>(dialect.registerArgs(user, registrationId));
  await instance.cliJson(['nodes', 'approve-routes', '--identifier', String(node.id), '--routes', approve.join(',')]);

  return Number(node.id);
}

/** Creates an API key and returns the secret, which starts with the prefix `apikeys list` shows. */
export async function createApiKey(instance: HeadscaleInstance): Promise<string> {
  return instance.cliJson<string>(['apikeys', 'create', '--expiration', '90d']);
}
