import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

import { describeFailure, nodeProcessRunner, type RunResult } from '../src/platform/exec.js';
import { createHeadsupHome, type HeadsupHome } from '../test/e2e/headsup-harness.js';
import type { HeadscaleInstance } from '../test/lab/index.js';

/** The built CLI, as a user runs it: `node bin/headsup.js`. */
export const HEADSUP_BIN = fileURLToPath(new URL('../../bin/headsup.js', import.meta.url));
const CLI_TIMEOUT_MS = 300_000;

/**
 * Rehearsal failures caused by a port another process took between headsup's free-port probe and
 * the sandbox server's bind. Production is untouched then, so the bench runs the upgrade again.
 */
const REHEARSAL_PORT_RACE = /the rehearsal on a copy failed, so production was not touched: .*address already in use/;
const UPGRADE_ATTEMPTS = 3;
/** Upgrades rerun because of REHEARSAL_PORT_RACE, reported in BENCHMARKS.md. */
export const rehearsalRetries = { count: 0 };

/** Runs `headsup upgrade`, again when the rehearsal lost a port race; the other results return as they are. */
export async function runUpgrade(home: HeadsupHome, args: readonly string[]): Promise<RunResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await runBuiltCli(home, ['upgrade', ...args]);
    if (attempt >= UPGRADE_ATTEMPTS || !REHEARSAL_PORT_RACE.test(result.stdout)) return result;

    rehearsalRetries.count++;
    process.stderr.write(`bench: the rehearsal lost a port race (attempt ${attempt}); production untouched, running the upgrade again\n`);
  }
}

/** Runs `node bin/headsup.js --config <home> ...args` and returns its result; throws when it does not exit in time. */
export async function runBuiltCli(home: HeadsupHome, args: readonly string[]): Promise<RunResult> {
  const result = await nodeProcessRunner.run(process.execPath, [HEADSUP_BIN, '--config', home.configPath, ...args], { timeoutMs: CLI_TIMEOUT_MS });
  if (result.timedOut) throw new Error(`headsup did not finish within ${CLI_TIMEOUT_MS / 1000} s: ${describeFailure(result)}`);
  return result;
}

export interface HomeOptions {
  apiUrl: string;
  instances: Record<string, HeadscaleInstance>;
  startCommand?: (hs: HeadscaleInstance) => string;
}

/** Creates a headsup home as the end-to-end tests do, runs `use` on it and removes it afterwards. */
export async function withHome<T>(options: HomeOptions, use: (home: HeadsupHome) => Promise<T>): Promise<T> {
  const home = await createHeadsupHome(options);
  try {
    return await use(home);
  } finally {
    await rm(home.dir, { recursive: true, force: true });
  }
}

/** One row of headsup's hop journal (`hop_steps`), with epoch milliseconds. */
export interface StepTiming {
  step: string;
  status: string;
  startedAt: number;
  finishedAt: number | null;
  detail: string | null;
}

/** Reads the steps of the newest hop from headsup's state database. */
export function readHopSteps(statePath: string): { outcome: string; backupDir: string | null; steps: StepTiming[] } {
  const db = new Database(statePath, { readonly: true });
  try {
    const hop = db.prepare('SELECT * FROM hops ORDER BY id DESC LIMIT 1').get() as { id: number; outcome: string; backup_dir?: string | null } | undefined;
    if (!hop) throw new Error(`${statePath} records no hop`);

    const rows = db.prepare('SELECT step, status, started_at, finished_at, detail FROM hop_steps WHERE hop_id = ? ORDER BY id').all(hop.id) as Array<{
      step: string;
      status: string;
      started_at: string;
      finished_at: string | null;
      detail: string | null;
    }>;
    const steps = rows.map((row) => ({
      step: row.step,
      status: row.status,
      startedAt: Date.parse(row.started_at),
      finishedAt: row.finished_at === null ? null : Date.parse(row.finished_at),
      detail: row.detail,
    }));
    return { outcome: hop.outcome, backupDir: hop.backup_dir ?? null, steps };
  } finally {
    db.close();
  }
}

/** Milliseconds a journal step took; throws when the step is missing or unfinished. */
export function stepMs(steps: readonly StepTiming[], name: string): number {
  const step = steps.find((candidate) => candidate.step === name);
  if (!step || step.finishedAt === null) throw new Error(`the hop journal has no finished step "${name}"`);
  return step.finishedAt - step.startedAt;
}
