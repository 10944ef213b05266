/**
 * Rollback after a failed 0.28.0 → 0.29.2 hop: headsup's automatic rollback against the same
 * restore done by hand. In both, 0.29.2 fails at start-up because `randomize_client_port: false`
 * is added to the config just before it starts, which 0.29 rejects.
 */
import { appendFile, copyFile, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

import { startFailingOn0292 } from '../test/e2e/headsup-harness.js';
import type { GitHubFixtureServer } from '../test/fixture/github-server.js';
import { headscaleTag, type HeadscaleInstance } from '../test/lab/index.js';
import { startFromTemplate, watchOutage } from './downtime.js';
import { readHopSteps, runUpgrade, withHome } from './headsup-cli.js';
import type { Outage } from './outage.js';
import { FROM_VERSION, TO_VERSION } from './seed-db.js';

export type RollbackMethod = 'headsup' | 'manual';

export interface RollbackSample {
  method: RollbackMethod;
  /** From the moment the failure was known to the first passing `/health` of the old version. */
  rollbackMs: number;
  /** The whole outage, from the stop of 0.28.0 to its return. */
  outageMs: number;
  /** headsup's own `rollback` step, which ends after its health gate passed; null for the manual method. */
  rollbackStepMs: number | null;
}

const FAILED_UPGRADE_EXIT_CODE = 20;
const DETECT_POLL_MS = 20;
const DETECT_TIMEOUT_MS = 60_000;

export async function measureRollback(method: RollbackMethod, template: string, server: GitHubFixtureServer): Promise<RollbackSample> {
  const instance = await startFromTemplate(template);
  try {
    let detectedAt = 0;
    let rollbackStepMs: number | null = null;
    const outages = await watchOutage(instance, async () => {
      if (method === 'manual') detectedAt = await manualRollback(instance);
      else ({ detectedAt, rollbackStepMs } = await headsupRollback(instance, server));
    });

    const outage = returnedToOldVersion(outages, method);
    return { method, rollbackMs: outage.upAt - detectedAt, outageMs: outage.upAt - outage.downAt, rollbackStepMs };
  } finally {
    await instance.dispose();
  }
}

function returnedToOldVersion(outages: Outage[], method: RollbackMethod): Outage & { upAt: number } {
  const [outage] = outages;
  if (outages.length !== 1 || !outage || outage.upAt === null || outage.version !== headscaleTag(FROM_VERSION)) {
    throw new Error(`the ${method} rollback did not end in one outage after which ${headscaleTag(FROM_VERSION)} passed /health: ${JSON.stringify(outages)}`);
  }
  return outage as Outage & { upAt: number };
}

/** Returns when headsup knew the hop failed (the end of its failed step) and how long its rollback step took. */
async function headsupRollback(instance: HeadscaleInstance, server: GitHubFixtureServer): Promise<{ detectedAt: number; rollbackStepMs: number }> {
  return withHome({ apiUrl: server.url, instances: { hs1: instance }, startCommand: startFailingOn0292 }, async (home) => {
    const result = await runUpgrade(home, ['hs1', '--to', TO_VERSION]);
    if (result.exitCode !== FAILED_UPGRADE_EXIT_CODE) {
      throw new Error(`headsup upgrade exited with ${result.exitCode}, expected ${FAILED_UPGRADE_EXIT_CODE} (rolled back):\n${result.stdout}\n${result.stderr}`);
    }

    const journal = readHopSteps(home.statePath);
    const failed = journal.steps.find((step) => step.status === 'failed');
    const rollback = journal.steps.find((step) => step.step === 'rollback');
    if (journal.outcome !== 'rolled-back' || !failed?.finishedAt || !rollback?.finishedAt) {
      throw new Error(`headsup's journal does not show a failed step followed by a finished rollback: ${JSON.stringify(journal)}`);
    }
    return { detectedAt: failed.finishedAt, rollbackStepMs: rollback.finishedAt - rollback.startedAt };
  });
}

/**
 * Stops 0.28.0, copies database, binary and config aside, installs 0.29.2 with the config it
 * rejects and starts it. Once the process has exited (the failure is known), copies the files back
 * and starts 0.28.0. Returns the moment the failure was detected.
 */
async function manualRollback(instance: HeadscaleInstance): Promise<number> {
  const saved = join(instance.dir, 'manual-backup');
  const files = [instance.dbPath, `${instance.dbPath}-wal`, `${instance.dbPath}-shm`, instance.binaryPath, instance.configPath];
  await mkdir(saved);
  await instance.stop();
  const present = files.filter((file) => existsSync(file));
  for (const file of present) await copyFile(file, join(saved, basename(file)));

  await instance.installBinary(TO_VERSION);
  await appendFile(instance.configPath, 'randomize_client_port: false\n');
  await instance.start();
  const detectedAt = await waitUntilExited(instance);

  await instance.stop();
  for (const file of files) {
    if (present.includes(file)) await copyFile(join(saved, basename(file)), file);
    else await rm(file, { force: true });
  }
  await instance.start();
  await instance.waitHealthy();
  return detectedAt;
}

async function waitUntilExited(instance: HeadscaleInstance): Promise<number> {
  const deadline = Date.now() + DETECT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!(await instance.isRunning())) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, DETECT_POLL_MS));
  }
  throw new Error(`Headscale ${TO_VERSION} with the rejected config still ran ${DETECT_TIMEOUT_MS / 1000} s after the start`);
}
