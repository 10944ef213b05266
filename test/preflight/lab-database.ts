import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { nodeProcessRunner, type RunResult } from '../../src/platform/exec.js';
import { headscaleBinary } from '../lab/binaries.js';
import { Lab } from '../lab/instance.js';
import { writeOfflineConfig, type OfflineConfig } from '../lab/offline-config.js';
import { seed, type SeedResult } from '../lab/seed.js';

/** A seeded lab database of one Headscale version, taken after a clean stop. */
export interface LabDatabase {
  version: string;
  /** The stopped lab database; tests copy it and never change it. */
  path: string;
  seeded: SeedResult;
  /** Where copies go; removed by dispose. */
  scratch: string;
  dispose(): Promise<void>;
}

/**
 * Starts `version` on loopback, seeds 2 users with 2 pre-auth keys and 2 nodes each (the second
 * node of each user tagged), stops it and keeps its database.
 */
export async function seededLabDatabase(version: string): Promise<LabDatabase> {
  const lab = new Lab();
  const scratch = await mkdtemp(join(tmpdir(), 'headsup-preflight-'));
  try {
    const instance = await lab.started(version);
    const seeded = await seed(instance, { users: 2, preAuthKeysPerUser: 2, nodesPerUser: 2 });
    await instance.stop();

    const path = join(scratch, 'lab.sqlite');
    await copyFile(instance.dbPath, path);
    await lab.disposeAll();

    return { version, path, seeded, scratch, dispose: () => rm(scratch, { recursive: true, force: true }) };
  } catch (error) {
    await lab.disposeAll().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}

let copies = 0;

/**
 * Copies the lab database into a new folder of the scratch space and runs `sql` on the copy with
 * foreign keys off, as Headscale before 0.23 wrote its rows. Returns the copy's path.
 */
export async function corruptedCopy(lab: LabDatabase, sql = ''): Promise<string> {
  const dir = await mkdtemp(join(lab.scratch, `copy-${++copies}-`));
  const path = join(dir, 'db.sqlite');
  await copyFile(lab.path, path);
  if (sql !== '') runSql(path, sql);

  return path;
}

export function runSql(path: string, sql: string): void {
  const db = new Database(path);
  try {
    db.pragma('foreign_keys = OFF');
    db.exec(sql);
  } finally {
    db.close();
  }
}

/**
 * Runs `headscale configtest` of `version` on a copy of `databasePath` inside a new folder with the
 * offline lab config. configtest runs the migrations, so it shows whether `version` starts on the
 * data.
 */
export async function configtestOnCopy(version: string, databasePath: string, scratch: string): Promise<RunResult> {
  const dir = await mkdtemp(join(scratch, `configtest-${version}-`));
  const config: OfflineConfig = await writeOfflineConfig(version, dir);
  await copyFile(databasePath, config.dbPath);

  return runConfigtest(version, config.configPath);
}

export function runConfigtest(version: string, configPath: string): Promise<RunResult> {
  return nodeProcessRunner.run(headscaleBinary(version), ['configtest', '-c', configPath], { timeoutMs: 30_000, env: withoutHeadscaleVariables() });
}

/** Unsets HEADSCALE_* variables, because Headscale reads every config key from them as well. */
export function withoutHeadscaleVariables(): Record<string, undefined> {
  const cleared: Record<string, undefined> = {};
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('HEADSCALE_')) cleared[name] = undefined;
  }

  return cleared;
}
