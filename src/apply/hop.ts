import type { Hop } from '../decide/path.js';
import { formatVersion, type Version } from '../judge/version.js';
import { captureSnapshot, diffSnapshots, expectedChangesBetween, formatDifferences, unexpectedDifferences, type Snapshot } from '../rehearse/index.js';
import type { Artifact } from './artifacts.js';
import { sha256File } from './artifacts.js';
import { prepareCopy, type Backup, type PreparedCopy } from './backup.js';
import type { ApplyContext } from './context.js';
import { readHeadscaleFiles, type Instance } from './instance.js';
import { firstErrorLine } from './log-excerpt.js';
import { backUpInstance, checkHealthyNow, restartUnchanged, restoreAndRestart, stopAndWait, verifyRunning } from './procedures.js';
import type { HopStep } from './progress.js';
import { discardStagedBinary, installBinary, stageBinary, type StagedBinary } from './swap.js';

export type HopOutcome = 'committed' | 'rolled-back' | 'needs-person' | 'aborted';

export interface HopResult {
  hop: Hop;
  outcome: HopOutcome;
  /** The reason the hop failed; null when it committed. */
  error: string | null;
  /** The first error line of Headscale's own log, when the service manager can show its log. */
  serviceError: string | null;
  backupDir: string | null;
}

class StepFailure extends Error {
  constructor(
    readonly step: HopStep,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export type Run = <T>(step: HopStep, action: () => Promise<T>) => Promise<T>;

/** The change the swap step of a hop makes: a new binary, or the files of an older backup. */
export interface HopChange {
  apply(): Promise<string>;
  /** Writes what `apply` needs before the stop, so that the outage is shorter; `discard` removes it when the hop ends early. */
  prepare?(): Promise<void>;
  discard?(): Promise<void>;
  /** Compare users, nodes, keys and policy before and after; false for a restore of older data. */
  compareData?: boolean;
  /** The verified artifact being installed, recorded in the journal; null for a restore. */
  artifact: { path: string; sha256: string } | null;
}

/** Builds the change of an upgrade hop, which installs a verified artifact. */
export function installChange(context: ApplyContext, instance: Instance, artifact: Artifact): HopChange {
  let staged: StagedBinary | null = null;
  return {
    prepare: async () => {
      staged = await stageBinary(context, instance.settings.binary, artifact);
    },
    discard: () => discardStagedBinary(context, instance.settings.binary),
    apply: () => installBinary(context, instance.settings.binary, artifact, staged),
    artifact: { path: artifact.path, sha256: artifact.sha256 },
  };
}

/**
 * Runs one live hop as a journaled state machine: each step is recorded as started before its
 * side effect and as done after it, so that a later run can tell where a crash happened
 * (see recovery.ts). The artifact was downloaded and verified before this is called. A failure
 * from the swap on restores the backup and starts the old version. A failure after the stop but
 * before the swap starts the untouched old version again.
 */
export async function runHop(
  context: ApplyContext,
  instance: Instance,
  hop: Hop,
  change: HopChange,
  options: { requireHealthy?: boolean } = {},
): Promise<HopResult> {
  const previousSha256 = await sha256File(instance.settings.binary);
  const hopId = context.hops.begin(instance.name, formatVersion(hop.from), formatVersion(hop.to), context.clock.now(), {
    path: change.artifact?.path ?? null,
    sha256: change.artifact?.sha256 ?? null,
    previousSha256,
  });
  const run = stepRunner(context, instance, hop, hopId);
  const noiseKey = await noiseKeyFingerprint(instance);
  const startedAt = context.clock.now();
  let backup: Backup | null = null;
  let stopped = false;
  let prepared: PreparedCopy | null = null;

  try {
    await run('preflight', () => (options.requireHealthy === false ? Promise.resolve('health not required') : checkHealthyNow(context, instance)));
    const before = change.compareData === false ? null : await liveSnapshot(context, instance, hop.from);
    // Copies that need no stop are made now, so that Headscale is down only for the database backup and renames.
    await change.prepare?.();
    prepared = await prepareCopy(context.fs, { root: context.backupsDir, instance: instance.name, path: instance.settings.binary });
    stopped = true;
    await run('stop', async () => {
      await instance.service.hold();
      return stopAndWait(context, instance);
    });
    backup = await run('backup', () => backUpInstance(context, instance, hop, (dir) => context.hops.setBackup(hopId, dir), prepared ? [prepared] : []));
    await run('swap', () => change.apply());
    await run('start', async () => {
      await instance.service.start();
      return 'started';
    });
    await run('verify', async () => {
      const detail = await verifyRunning(context, instance, hop.to);
      await expectSameNoiseKey(instance, noiseKey);
      const data = before ? await expectSameData(context, instance, hop, before) : '';
      return `${detail}${noiseKey ? ', Noise key unchanged' : ''}${data}`;
    });
    await run('commit', async () => {
      await instance.service.release();
      return 'hop committed; backup kept';
    });
    context.hops.finish(hopId, 'committed', context.clock.now());
    return { hop, outcome: 'committed', error: null, serviceError: null, backupDir: backup.dir };
  } catch (error) {
    const failure = error instanceof StepFailure ? error : new StepFailure('verify', error);
    const serviceError = failure.step === 'start' || failure.step === 'verify' ? await serviceErrorOf(instance, startedAt) : null;
    const message = `${failure.step} failed: ${failure.message}`;
    context.logger.error({ instance: instance.name, hop: hopLabel(hop), step: failure.step, err: failure.cause }, 'hop failed');

    if (!stopped) {
      await discardPrepared(context, change, prepared);
      context.hops.finish(hopId, 'aborted', context.clock.now(), message);
      return { hop, outcome: 'aborted', error: message, serviceError, backupDir: null };
    }

    const outcome = await rollBack(context, instance, hop, backup, run);
    context.hops.finish(hopId, outcome, context.clock.now(), message);
    return { hop, outcome, error: message, serviceError, backupDir: backup?.dir ?? null };
  }
}

/** Removes the staged binary and the prepared backup copy of a hop that ended before the stop. */
async function discardPrepared(context: ApplyContext, change: HopChange, prepared: PreparedCopy | null): Promise<void> {
  try {
    await change.discard?.();
    if (prepared) await context.fs.rm(prepared.file, { force: true });
  } catch (error) {
    context.logger.warn({ err: error }, 'could not remove the files prepared for the hop');
  }
}

/**
 * Brings the instance back to the old version: from the backup when the swap may have happened,
 * otherwise by starting the untouched old binary. Returns the hop's outcome.
 */
export async function rollBack(context: ApplyContext, instance: Instance, hop: Hop, backup: Backup | null, run: Run): Promise<HopOutcome> {
  try {
    await run('rollback', async () => {
      const detail = backup ? await restoreAndRestart(context, instance, backup, hop.from) : await restartUnchanged(context, instance, hop.from);
      await instance.service.release();
      return detail;
    });
    return backup ? 'rolled-back' : 'aborted';
  } catch (error) {
    context.logger.error({ instance: instance.name, hop: hopLabel(hop), err: error }, 'rollback failed');
    return 'needs-person';
  }
}

/**
 * Builds the journaled step runner of one hop. `context.crashAt` (`before:<step>` or
 * `after:<step>`) kills the process at that boundary; the crash-safety tests use it.
 */
export function stepRunner(context: ApplyContext, instance: Instance, hop: Hop, hopId: number): Run {
  return async (step, action) => {
    const stepId = context.hops.startStep(hopId, step, context.clock.now());
    context.reporter.step({ instance: instance.name, hop, step, status: 'started' });
    crashIfRequested(context, `before:${step}`);
    try {
      const value = await action();
      crashIfRequested(context, `after:${step}`);
      const detail = typeof value === 'string' ? value : describeValue(step, value);
      context.hops.endStep(stepId, 'done', context.clock.now(), detail);
      context.reporter.step({ instance: instance.name, hop, step, status: 'done', ...(detail ? { detail } : {}) });
      return value;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      context.hops.endStep(stepId, 'failed', context.clock.now(), message);
      context.reporter.step({ instance: instance.name, hop, step, status: 'failed', detail: message });
      throw error instanceof StepFailure ? error : new StepFailure(step, error);
    }
  };
}

/**
 * Hashes the Noise private key. Clients know the server by its public half, so a hop that
 * replaced it (for example because the key file moved and Headscale generated a new one) would
 * cut off every client.
 */
async function noiseKeyFingerprint(instance: Instance): Promise<string | null> {
  const { noiseKeyPath } = await readHeadscaleFiles(instance.settings.config);
  if (!noiseKeyPath) return null;
  try {
    return await sha256File(noiseKeyPath);
  } catch {
    return null;
  }
}

async function expectSameNoiseKey(instance: Instance, before: string | null): Promise<void> {
  if (before === null) return;
  const after = await noiseKeyFingerprint(instance);
  if (after !== before) throw new Error('the Noise private key changed during the hop; every client would have to register again');
}

/**
 * Reads users, nodes, keys and policy of the running instance through its CLI; null for versions
 * whose CLI cannot be read that way (before 0.26) or when reading fails, which is logged.
 */
async function liveSnapshot(context: ApplyContext, instance: Instance, version: Version): Promise<Snapshot | null> {
  try {
    return await captureSnapshot({ runner: context.runner, binaryPath: instance.settings.binary, configPath: instance.settings.config, version });
  } catch (error) {
    context.logger.warn({ instance: instance.name, err: error }, 'hop: data snapshot unavailable; the data comparison is skipped');
    return null;
  }
}

/** Fails the hop when the data differs in a way no documented change of the version explains. */
async function expectSameData(context: ApplyContext, instance: Instance, hop: Hop, before: Snapshot): Promise<string> {
  const after = await captureSnapshot({ runner: context.runner, binaryPath: instance.settings.binary, configPath: instance.settings.config, version: hop.to });
  const differences = diffSnapshots(before, after, expectedChangesBetween(hop.from, hop.to));
  const unexpected = unexpectedDifferences(differences);
  if (unexpected.length > 0) throw new Error(`the data changed during the hop:\n${formatDifferences(unexpected)}`);
  return differences.length ? `, data unchanged apart from ${differences.length} documented changes` : ', data unchanged';
}

function crashIfRequested(context: ApplyContext, point: string): void {
  if (context.crashAt === point) process.kill(process.pid, 'SIGKILL');
}

function describeValue(step: HopStep, value: unknown): string | undefined {
  if (step === 'backup' && value && typeof value === 'object' && 'dir' in value) return `backup in ${(value as Backup).dir}`;
  return undefined;
}

async function serviceErrorOf(instance: Instance, since: Date): Promise<string | null> {
  const logs = await instance.service.recentLogs().catch(() => null);
  return logs ? firstErrorLine(logs, since) : null;
}

export function hopLabel(hop: Hop): string {
  return `${formatVersion(hop.from)} → ${formatVersion(hop.to)}`;
}
