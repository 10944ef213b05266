import type { HeadscaleFiles } from '../apply/headscale-config.js';
import type { Hop } from '../decide/path.js';
import type { Version } from '../judge/version.js';
import type { Clock } from '../platform/clock.js';
import type { ProcessRunner } from '../platform/exec.js';
import type { HttpClient } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import type { ExpectedChange } from './diff.js';
import { EXPECTED_CHANGES } from './expected-changes.js';
import { DEFAULT_REHEARSAL_TIMEOUTS, rehearseHop, type HopRehearsal, type RehearsalTimeouts } from './rehearse-hop.js';
import { createSandbox, type Sandbox } from './sandbox.js';
import { nodeServerLauncher, type ServerLauncher } from './server-process.js';
import { captureSnapshot, type Snapshot } from './snapshot.js';
import { cleanStaleSandboxes, markSandboxKept, markSandboxOwner } from './stale-sandboxes.js';

export interface RehearsalInput {
  instanceName: string;
  liveConfigPath: string;
  /** The files the live config names, from readHeadscaleFiles. */
  files: HeadscaleFiles;
  /** The version the live instance runs. */
  from: Version;
  /** The hops in order, each with the verified binary of its target version. */
  hops: ReadonlyArray<{ hop: Hop; binaryPath: string }>;
  /** The live binary, which reads the before-snapshot from the live server. */
  liveBinaryPath: string;
  runner: ProcessRunner;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  /** A private folder that contains the sandbox; created with mode 0700 when missing. */
  workDir: string;
  /** Declarations of expected changes. Default: EXPECTED_CHANGES. */
  expectedChanges?: readonly ExpectedChange[];
  /** Starts the sandbox servers. Default: nodeServerLauncher. */
  launcher?: ServerLauncher;
  timeouts?: Partial<RehearsalTimeouts>;
  /** Test hook, called each time a sandbox server was launched. */
  afterLaunch?: () => void;
  /** Called before each hop with the sandbox config, e.g. to make the config change the live hop will make. */
  prepareHop?: (sandboxConfigPath: string, hop: Hop) => Promise<void>;
}

export interface RehearsalResult {
  /** True when every hop passed. */
  ok: boolean;
  /** The live snapshot; null when it could not be read. */
  before: Snapshot | null;
  /** The sandbox folder; null when none was created. */
  sandboxDir: string | null;
  /** False after a passing rehearsal, which removes the sandbox. A failed one keeps it for the operator. */
  sandboxKept: boolean;
  /** The hops rehearsed, up to and including the first that failed. */
  hops: HopRehearsal[];
  /** The reason no hop could be rehearsed (the live snapshot failed); null otherwise. */
  error: string | null;
  /** Facts about the sandbox the operator should know, e.g. that it downloaded the DERP map. */
  notes: string[];
}

/**
 * Rehearses an upgrade path on a private copy of the live instance. It reads a snapshot of the
 * live server through the live binary's CLI, copies the instance into a sandbox under `workDir`,
 * and rehearses each hop in order on that one sandbox (see rehearseHop), stopping at the first
 * hop that fails. Production is only read: the CLI's list commands and a read-only connection for
 * the database copy. Returns a result per hop and never throws for a failed step.
 */
export async function rehearsePath(input: RehearsalInput): Promise<RehearsalResult> {
  const log = input.logger.child({ instance: input.instanceName, subsystem: 'rehearse' });
  const timeouts = { ...DEFAULT_REHEARSAL_TIMEOUTS, ...input.timeouts };
  const result: RehearsalResult = { ok: false, before: null, sandboxDir: null, sandboxKept: false, hops: [], error: null, notes: [] };

  try {
    result.before = await captureSnapshot({ runner: input.runner, binaryPath: input.liveBinaryPath, configPath: input.liveConfigPath, version: input.from, timeoutMs: timeouts.cliMs });
  } catch (error) {
    if ((error as { code?: string }).code === 'HEADSCALE_CLI_UNSUPPORTED') {
      result.notes.push(`the data comparison was skipped: ${(error as Error).message}`);
      log.warn({ err: error }, 'rehearsal: the live CLI cannot be read; comparing no data');
    } else {
      result.error = `reading the live instance failed: ${(error as Error).message}`;
      log.error({ err: error }, 'rehearsal: live snapshot failed');
      return result;
    }
  }

  if (input.hops.length === 0) return { ...result, ok: true };

  await cleanStaleSandboxes(input.workDir, log);
  const started = input.clock.now().getTime();
  let sandbox: Sandbox;
  try {
    sandbox = await createSandbox({ liveConfigPath: input.liveConfigPath, files: input.files, root: input.workDir, label: input.instanceName, runner: input.runner });
  } catch (error) {
    log.error({ err: error }, 'rehearsal: copying the instance into a sandbox failed');
    const first = input.hops[0]!.hop;
    result.hops.push({ hop: first, ok: false, failedStep: 'copy', firstError: (error as Error).message, differences: [], durationMs: input.clock.now().getTime() - started });
    return result;
  }

  await markSandboxOwner(sandbox.dir);
  result.sandboxDir = sandbox.dir;
  result.notes = [...result.notes, ...sandbox.notes];
  log.info({ sandbox: sandbox.dir, hops: input.hops.length }, 'rehearsal: sandbox ready');
  const context = {
    runner: input.runner,
    launcher: input.launcher ?? nodeServerLauncher,
    http: input.http,
    clock: input.clock,
    logger: log,
    sandbox,
    from: input.from,
    before: result.before,
    expectedChanges: input.expectedChanges ?? EXPECTED_CHANGES,
    timeouts,
    ...(input.afterLaunch ? { afterLaunch: input.afterLaunch } : {}),
  };

  for (const { hop, binaryPath } of input.hops) {
    await input.prepareHop?.(sandbox.configPath, hop);
    const hopResult = await rehearseHop(context, hop, binaryPath);
    result.hops.push(hopResult);
    if (!hopResult.ok) break;
  }

  result.ok = result.hops.length === input.hops.length && result.hops.every((hop) => hop.ok);
  if (result.ok) {
    await sandbox.dispose();
  } else {
    result.sandboxKept = true;
    await markSandboxKept(sandbox.dir);
    log.warn({ sandbox: sandbox.dir }, 'rehearsal failed; the sandbox is kept for inspection');
  }

  return result;
}
