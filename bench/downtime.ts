/**
 * The three ways of moving a running Headscale 0.28.0 to 0.29.2 whose downtime the bench
 * compares, each watched by a HealthWatch from the first failing `/health` probe to the first
 * passing one after it.
 */
import { chmod, copyFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { headscaleTag, HeadscaleInstance } from '../test/lab/index.js';
import type { GitHubFixtureServer } from '../test/fixture/github-server.js';
import { readHopSteps, runUpgrade, stepMs, withHome } from './headsup-cli.js';
import { HealthWatch, POLL_INTERVAL_MS, type Outage } from './outage.js';
import { FROM_VERSION, TO_VERSION } from './seed-db.js';

export type Method = 'headsup' | 'limit' | 'naive';
export const METHODS: readonly Method[] = ['headsup', 'limit', 'naive'];

export interface DowntimeSample {
  method: Method;
  nodes: number;
  downtimeMs: number;
  /** The version `/version` returned when health came back. */
  version: string | null;
  /** Milliseconds per headsup journal step (stop, backup, swap, start, verify); empty for the other methods. */
  steps: Record<string, number>;
  /** Size in bytes of headsup's backup folder and of the database files it backed up; null for the other methods. */
  backupBytes: number | null;
  databaseBytes: number;
}

const HEALTHY_TIMEOUT_MS = 900_000;
/** Time the poller gets after the action returns, so that it records the recovery the action waited for. */
const SETTLE_MS = 5 * POLL_INTERVAL_MS;

/** Creates a 0.28.0 instance on a copy of `template`, starts it and waits until it is healthy. */
export async function startFromTemplate(template: string): Promise<HeadscaleInstance> {
  const instance = await HeadscaleInstance.create(FROM_VERSION);
  try {
    await copyFile(template, instance.dbPath);
    await instance.start();
    await instance.waitHealthy(HEALTHY_TIMEOUT_MS);
    return instance;
  } catch (error) {
    await instance.dispose().catch(() => undefined);
    throw error;
  }
}

/** Runs `action` while a HealthWatch probes the instance and returns the one outage it caused. */
export async function watchOutage(instance: HeadscaleInstance, action: () => Promise<void>): Promise<Outage[]> {
  const watch = HealthWatch.start(instance.healthUrl);
  try {
    await watch.waitAnswering();
    await action();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  } catch (error) {
    await watch.stop().catch(() => undefined);
    throw error;
  }
  return (await watch.stop()).outages;
}

/** Runs one upgrade by `method` on a fresh instance seeded from `template`. */
export async function measureDowntime(method: Method, nodes: number, template: string, server: GitHubFixtureServer): Promise<DowntimeSample> {
  const instance = await startFromTemplate(template);
  try {
    const databaseBytes = await databaseSize(instance.dbPath);
    let steps: Record<string, number> = {};
    let backupBytes: number | null = null;
    const outages = await watchOutage(instance, async () => {
      if (method === 'limit') await physicalLimit(instance);
      else if (method === 'naive') await naiveScript(instance, server);
      else ({ steps, backupBytes } = await headsupUpgrade(instance, server));
    });

    const outage = singleOutage(outages, method);
    return { method, nodes, downtimeMs: outage.upAt - outage.downAt, version: outage.version, steps, backupBytes, databaseBytes };
  } finally {
    await instance.dispose();
  }
}

function singleOutage(outages: Outage[], method: Method): Outage & { upAt: number } {
  const [outage] = outages;
  if (outages.length !== 1 || !outage || outage.upAt === null) {
    throw new Error(`the ${method} upgrade caused ${outages.length} outages (${JSON.stringify(outages)}); expected exactly one that ended`);
  }
  if (outage.version !== headscaleTag(TO_VERSION)) {
    throw new Error(`after the ${method} upgrade /version returned ${outage.version}; expected ${headscaleTag(TO_VERSION)}`);
  }
  return outage as Outage & { upAt: number };
}

/** Measures the floor: the new binary is already at the path, so only stop, start and Headscale's own start-up remain. */
async function physicalLimit(instance: HeadscaleInstance): Promise<void> {
  await instance.installBinary(TO_VERSION);
  await instance.stop();
  await instance.start();
  await instance.waitHealthy(HEALTHY_TIMEOUT_MS);
}

/** Does what a short shell script does: download first, then stop, copy the binary over the old one, start. */
async function naiveScript(instance: HeadscaleInstance, server: GitHubFixtureServer): Promise<void> {
  const url = `${server.url}/juanfont/headscale/releases/download/${headscaleTag(TO_VERSION)}/headscale_${TO_VERSION}_linux_amd64`;
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (response.status !== 200) throw new Error(`GET ${url} returned HTTP ${response.status}`);

  const download = join(instance.dir, 'headscale.download');
  await writeFile(download, Buffer.from(await response.arrayBuffer()));
  await chmod(download, 0o755);

  await instance.stop();
  await copyFile(download, instance.binaryPath);
  await instance.start();
  await instance.waitHealthy(HEALTHY_TIMEOUT_MS);
}

async function headsupUpgrade(instance: HeadscaleInstance, server: GitHubFixtureServer): Promise<{ steps: Record<string, number>; backupBytes: number }> {
  return withHome({ apiUrl: server.url, instances: { hs1: instance } }, async (home) => {
    const result = await runUpgrade(home, ['hs1', '--to', TO_VERSION]);
    if (result.exitCode !== 0) throw new Error(`headsup upgrade exited with ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);

    const journal = readHopSteps(home.statePath);
    if (journal.outcome !== 'committed') throw new Error(`headsup recorded the hop as ${journal.outcome}, not committed`);
    if (!journal.backupDir) throw new Error('headsup recorded no backup folder for the hop');

    const steps: Record<string, number> = {};
    for (const step of journal.steps) steps[step.step] = stepMs(journal.steps, step.step);
    return { steps, backupBytes: await folderSize(journal.backupDir) };
  });
}

/** Bytes of the database file with its `-wal` and `-shm` files. */
export async function databaseSize(path: string): Promise<number> {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) total += await fileSize(`${path}${suffix}`);
  return total;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Bytes of every file in a folder tree. */
export async function folderSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
