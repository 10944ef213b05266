import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { markSandboxServer } from './stale-sandboxes.js';
import { firstErrorLine } from '../apply/log-excerpt.js';
import { waitForHealth } from '../apply/health.js';
import type { Hop } from '../decide/path.js';
import { compareVersions, formatVersion, requireVersion, type Version } from '../judge/version.js';
import type { Clock } from '../platform/clock.js';
import { lastLines, type ProcessRunner, type RunResult } from '../platform/exec.js';
import type { HttpClient } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import { cliDialect } from './cli-dialect.js';
import { describeDifference, diffSnapshots, unexpectedDifferences, type ExpectedChange, type SnapshotDifference } from './diff.js';
import { expectedChangesBetween } from './expected-changes.js';
import { headscaleEnvironment, runHeadscale } from './headscale-cli.js';
import { readPolicySettings } from './policy-snapshot.js';
import type { Sandbox } from './sandbox.js';
import type { ServerLauncher, ServerProcess } from './server-process.js';
import { captureSnapshot, type Snapshot } from './snapshot.js';

export type RehearsalStep = 'copy' | 'configtest' | 'serve' | 'health' | 'policy-check' | 'snapshot' | 'diff';

/** The outcome of one hop rehearsed in the sandbox. */
export interface HopRehearsal {
  hop: Hop;
  ok: boolean;
  /** The step that failed; null when the hop passed. */
  failedStep: RehearsalStep | null;
  /** The first error line of Headscale's output for that step, or what went wrong; null when the hop passed. */
  firstError: string | null;
  /** Every difference to the live snapshot, the expected ones with their reason. Empty when no snapshot was taken. */
  differences: SnapshotDifference[];
  durationMs: number;
}

/** Time limits of a rehearsal, in milliseconds. */
export interface RehearsalTimeouts {
  /** `configtest` runs the migrations, which take longer on a large database. */
  configtestMs: number;
  healthMs: number;
  /** Time between SIGTERM and SIGKILL when the sandbox server is stopped. */
  stopGraceMs: number;
  /** Each CLI command: snapshot commands and `policy check`. */
  cliMs: number;
}

export const DEFAULT_REHEARSAL_TIMEOUTS: RehearsalTimeouts = { configtestMs: 300_000, healthMs: 60_000, stopGraceMs: 10_000, cliMs: 30_000 };

/** Dependencies and inputs of one hop's rehearsal, the same for every hop of a path. */
export interface HopContext {
  runner: ProcessRunner;
  launcher: ServerLauncher;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  sandbox: Sandbox;
  /** The live version, which the before-snapshot was taken with. */
  from: Version;
  /** Null when the live version's CLI cannot be read (before 0.26); the data comparison is then skipped. */
  before: Snapshot | null;
  expectedChanges: readonly ExpectedChange[];
  timeouts: RehearsalTimeouts;
  /** Test hook, called once the sandbox server was launched. */
  afterLaunch?: () => void;
}

/** The oldest version whose CLI has `policy check` (measured on 0.26.1). */
const POLICY_CHECK_SINCE = requireVersion('0.26.0');
const HEALTH_INTERVAL_MS = 200;
/** Lines at the end of the serve log searched for the first error. */
const LOG_LINES = 200;

/** A failure of a step with the line to show for it. */
class StepFailure extends Error {
  constructor(
    readonly step: RehearsalStep,
    readonly firstError: string,
  ) {
    super(firstError);
  }
}

type Outcome = Pick<HopRehearsal, 'failedStep' | 'firstError' | 'differences'>;

/**
 * Rehearses one hop on the sandbox: `configtest` (which runs the migrations), `serve` until
 * `/health` passes, `policy check` of a policy file, a snapshot, and its comparison with the live
 * snapshot. The sandbox server is always stopped before this returns, also after an exception.
 */
export async function rehearseHop(context: HopContext, hop: Hop, binaryPath: string): Promise<HopRehearsal> {
  const started = context.clock.now().getTime();
  const log = context.logger.child({ hop: `${formatVersion(hop.from)} → ${formatVersion(hop.to)}` });
  const launched: { server: ServerProcess | null } = { server: null };
  let outcome: Outcome;
  let stopError: string | null = null;

  try {
    // runSteps turns every error into an outcome; the finally also covers anything it misses.
    outcome = await runSteps(context, hop, binaryPath, log, (server) => {
      launched.server = server;
    });
  } finally {
    if (launched.server) {
      stopError = await stopServer(context, launched.server, log);
      await markSandboxServer(context.sandbox.dir, null);
    }
  }

  if (stopError && outcome.failedStep === null) outcome = { ...outcome, failedStep: 'serve', firstError: stopError };

  const result: HopRehearsal = { hop, ok: outcome.failedStep === null, ...outcome, durationMs: context.clock.now().getTime() - started };
  if (result.ok) log.info({ durationMs: result.durationMs, differences: result.differences.length }, 'rehearsal: hop passed');
  else log.warn({ step: result.failedStep, firstError: result.firstError }, 'rehearsal: hop failed');
  return result;
}

async function runSteps(context: HopContext, hop: Hop, binaryPath: string, log: Logger, onLaunch: (server: ServerProcess) => void): Promise<Outcome> {
  let step: RehearsalStep = 'configtest';
  try {
    await configtest(context, binaryPath);

    step = 'serve';
    const logPath = join(context.sandbox.dir, `serve-${formatVersion(hop.to)}.log`);
    const server = await context.launcher.launch(binaryPath, ['serve', '-c', context.sandbox.configPath], { logPath, env: headscaleEnvironment() });
    onLaunch(server);
    await markSandboxServer(context.sandbox.dir, server.pid);
    context.afterLaunch?.();

    step = 'health';
    await awaitHealth(context, server, logPath);

    step = 'policy-check';
    await checkPolicy(context, hop.to, binaryPath);

    if (context.before === null) return { failedStep: null, firstError: null, differences: [] };

    step = 'snapshot';
    const after = await captureSnapshot({ runner: context.runner, binaryPath, configPath: context.sandbox.configPath, version: hop.to, timeoutMs: context.timeouts.cliMs });

    step = 'diff';
    const differences = diffSnapshots(context.before, after, expectedChangesBetween(context.from, hop.to, context.expectedChanges));
    const unexpected = unexpectedDifferences(differences)[0];
    return { failedStep: unexpected ? 'diff' : null, firstError: unexpected ? describeDifference(unexpected) : null, differences };
  } catch (error) {
    if (error instanceof StepFailure) return { failedStep: error.step, firstError: error.firstError, differences: [] };

    log.error({ step, err: error }, 'rehearsal: step raised an error');
    return { failedStep: step, firstError: firstLine(error instanceof Error ? error.message : String(error)), differences: [] };
  }
}

async function configtest(context: HopContext, binaryPath: string): Promise<void> {
  const result = await runHeadscale(context.runner, binaryPath, ['configtest', '-c', context.sandbox.configPath], { timeoutMs: context.timeouts.configtestMs });
  if (result.exitCode !== 0 || result.timedOut) throw new StepFailure('configtest', errorOf(result));
}

/** Waits for `/health`. A server that exits first fails the `serve` step, and one that runs but never passes fails `health`. */
async function awaitHealth(context: HopContext, server: ServerProcess, logPath: string): Promise<void> {
  const health = await waitForHealth({
    url: context.sandbox.healthUrl,
    passes: 1,
    intervalMs: HEALTH_INTERVAL_MS,
    timeoutMs: context.timeouts.healthMs,
    http: context.http,
    clock: context.clock,
    isRunning: async () => server.exitStatus() === null,
  });
  if (health.healthy) return;

  const logLine = firstErrorLine(lastLines(await readFile(logPath, 'utf8').catch(() => ''), LOG_LINES));
  const exit = server.exitStatus();
  if (exit !== null) {
    throw new StepFailure('serve', logLine ?? `headscale serve exited with ${exit.signal ?? `code ${exit.code}`} before /health passed`);
  }
  throw new StepFailure('health', logLine ?? `${context.sandbox.healthUrl} did not pass within ${context.timeouts.healthMs} ms: ${health.lastError}`);
}

/**
 * Runs `policy check --file` on the copy of a policy file, with the target binary. A policy stored
 * in the database is checked by `serve`, which fails to start when it cannot load it.
 */
async function checkPolicy(context: HopContext, target: Version, binaryPath: string): Promise<void> {
  if (compareVersions(target, POLICY_CHECK_SINCE) < 0 || context.sandbox.policyPath === null) return;
  if ((await readPolicySettings(context.sandbox.configPath)).mode !== 'file') return;

  const args = cliDialect(target).policyCheckArgs(context.sandbox.policyPath, context.sandbox.configPath);
  const result = await runHeadscale(context.runner, binaryPath, args, { timeoutMs: context.timeouts.cliMs });
  if (result.exitCode !== 0 || result.timedOut) throw new StepFailure('policy-check', errorOf(result));
}

/** Stops the server. Returns null once it has exited, or the reason it could not be stopped. */
async function stopServer(context: HopContext, server: ServerProcess, log: Logger): Promise<string | null> {
  try {
    const signal = await server.stop(context.timeouts.stopGraceMs);
    if (signal === 'SIGKILL') log.warn({ pid: server.pid, graceMs: context.timeouts.stopGraceMs }, 'rehearsal: sandbox server ignored SIGTERM and was killed');
    return null;
  } catch (error) {
    log.error({ pid: server.pid, err: error }, 'rehearsal: stopping the sandbox server failed');
    return `stopping the sandbox server (pid ${server.pid}) failed: ${(error as Error).message}`;
  }
}

/** Returns the first error line of Headscale's output, else the reason with the last line of output. */
function errorOf(result: RunResult): string {
  const output = `${result.stderr}\n${result.stdout}`;
  const errorLine = firstErrorLine(output);
  if (errorLine) return errorLine;

  let reason = `exited with code ${result.exitCode}`;
  if (result.signal) reason = `was killed by ${result.signal}`;
  if (result.timedOut) reason = 'timed out';
  const last = lastLines(output, 1).trim();
  return last ? `${result.command.split(' ')[0]} ${reason}: ${last}` : `${result.command} ${reason}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
