import { HeadsupError } from '../errors.js';
import type { Hop } from '../decide/path.js';
import { formatVersion, versionsEqual, type Version } from '../judge/version.js';
import type { Artifact } from './artifacts.js';
import { createBackup, restoreBackup, type Backup } from './backup.js';
import type { ApplyContext } from './context.js';
import { probe, waitForHealth } from './health.js';
import { backupFilesOf, readHeadscaleFiles, type Instance } from './instance.js';
import type { HopStep } from './progress.js';
import { detectBinaryVersion, readServedVersion } from './running-version.js';
import { installBinary } from './swap.js';
import { firstErrorLine } from './log-excerpt.js';

export type HopOutcome = 'committed' | 'rolled-back' | 'needs-person' | 'aborted';

export interface HopResult {
  hop: Hop;
  outcome: HopOutcome;
  /** Why the hop failed; null when it committed. */
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

/**
 * Runs one live hop: stop, back up, swap the binary, start, verify. The artifact was downloaded
 * and verified before this is called. A failure from the swap on restores the backup and starts
 * the old version; a failure before the swap starts the untouched old version again.
 */
export async function runHop(context: ApplyContext, instance: Instance, hop: Hop, artifact: Artifact): Promise<HopResult> {
  const hopId = context.hops.begin(instance.name, formatVersion(hop.from), formatVersion(hop.to), context.clock.now());
  const run = stepRunner(context, instance, hop, hopId);
  let backup: Backup | null = null;
  let stopped = false;

  try {
    await run('preflight', () => preflight(context, instance));
    stopped = true;
    await run('stop', () => stopAndWait(context, instance));
    backup = await run('backup', () => backUp(context, instance, hop));
    context.hops.setBackup(hopId, backup.dir);
    await run('swap', () => installBinary(context, instance.settings.binary, artifact));
    await run('start', () => instance.service.start());
    await run('verify', () => verify(context, instance, hop.to));
    await run('commit', async () => 'hop committed; backup kept');
    context.hops.finish(hopId, 'committed', context.clock.now());
    return { hop, outcome: 'committed', error: null, serviceError: null, backupDir: backup.dir };
  } catch (error) {
    const failure = error instanceof StepFailure ? error : new StepFailure('verify', error);
    const serviceError = failure.step === 'start' || failure.step === 'verify' ? await serviceErrorOf(instance) : null;
    const message = `${failure.step} failed: ${failure.message}`;
    context.logger.error({ instance: instance.name, hop: hopLabel(hop), step: failure.step, err: failure.cause }, 'hop failed');

    if (!stopped) {
      context.hops.finish(hopId, 'aborted', context.clock.now(), message);
      return { hop, outcome: 'aborted', error: message, serviceError, backupDir: null };
    }

    const outcome = await recover(context, instance, hop, backup, run);
    context.hops.finish(hopId, outcome, context.clock.now(), message);
    return { hop, outcome, error: message, serviceError, backupDir: backup?.dir ?? null };
  }
}

type Run = <T>(step: HopStep, action: () => Promise<T>) => Promise<T>;

function stepRunner(context: ApplyContext, instance: Instance, hop: Hop, hopId: number): Run {
  return async (step, action) => {
    const stepId = context.hops.startStep(hopId, step, context.clock.now());
    context.reporter.step({ instance: instance.name, hop, step, status: 'started' });
    try {
      const value = await action();
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

function describeValue(step: HopStep, value: unknown): string | undefined {
  if (step === 'backup' && value && typeof value === 'object' && 'dir' in value) return `backup in ${(value as Backup).dir}`;
  return undefined;
}

/** Refuses to take down an instance that is not healthy now: an upgrade would hide the cause. */
async function preflight(context: ApplyContext, instance: Instance): Promise<string> {
  const error = await probe({ url: instance.settings.health_url, http: context.http });
  if (error !== null) {
    throw new HeadsupError('INSTANCE_UNHEALTHY', `${instance.settings.health_url} is not healthy before the upgrade (${error})`, {
      hint: 'fix the instance first; headsup upgrades only a healthy server',
    });
  }
  return 'instance healthy';
}

async function stopAndWait(context: ApplyContext, instance: Instance): Promise<string> {
  await instance.service.stop();
  const deadline = context.clock.now().getTime() + (context.stopTimeoutMs ?? 30_000);
  while ((await probe({ url: instance.settings.health_url, http: context.http })) === null) {
    if (context.clock.now().getTime() > deadline) {
      throw new Error(`Headscale still answers on ${instance.settings.health_url} after the stop command`);
    }
    await context.clock.sleep(250);
  }
  if ((await instance.service.isRunning()) === true) throw new Error(`${instance.service.description} still reports running after stop`);
  return 'stopped';
}

async function backUp(context: ApplyContext, instance: Instance, hop: Hop): Promise<Backup> {
  const files = await readHeadscaleFiles(instance.settings.config);
  if (files.databaseType === 'postgres') {
    throw new HeadsupError('POSTGRES_UNSUPPORTED', `instance ${instance.name} uses PostgreSQL, which this headsup cannot back up yet`, {
      hint: 'upgrade PostgreSQL-backed instances by hand after a pg_dump',
    });
  }
  return createBackup(context.fs, {
    root: context.backupsDir,
    instance: instance.name,
    fromVersion: formatVersion(hop.from),
    toVersion: formatVersion(hop.to),
    files: backupFilesOf(instance, files),
    now: context.clock.now(),
  });
}

/** Health passes the configured number of times in a row, and the server runs the expected version. */
async function verify(context: ApplyContext, instance: Instance, expected: Version): Promise<string> {
  const gate = instance.settings.health;
  const health = await waitForHealth({
    url: instance.settings.health_url,
    passes: gate.passes,
    intervalMs: gate.interval,
    timeoutMs: gate.timeout,
    http: context.http,
    clock: context.clock,
    isRunning: () => instance.service.isRunning(),
  });
  if (!health.healthy) throw new Error(`health check did not pass within ${Math.round(gate.timeout / 1000)} s: ${health.lastError}`);

  const served = await readServedVersion(context.http, instance.versionUrl);
  const running = served ?? (await detectBinaryVersion(context.runner, context.installs, instance.settings.binary)).version;
  if (!running || !versionsEqual(running, expected)) {
    throw new Error(`expected version ${formatVersion(expected)} but the instance reports ${running ? formatVersion(running) : 'an unknown version'}`);
  }
  return `healthy ${health.checks > gate.passes ? `after ${health.checks} checks` : 'at once'}, running ${formatVersion(running)}`;
}

/**
 * Brings the instance back to the old version. Before a backup exists nothing was changed, so the
 * old binary is started again; afterwards every file is restored from the backup first.
 */
async function recover(context: ApplyContext, instance: Instance, hop: Hop, backup: Backup | null, run: Run): Promise<HopOutcome> {
  try {
    await run('rollback', async () => {
      await instance.service.stop().catch((error: unknown) => context.logger.warn({ instance: instance.name, err: error }, 'rollback: stop failed; continuing'));
      await stopAndWait(context, instance);
      if (backup) await restoreBackup(context.fs, backup);
      await instance.service.start();
      const detail = await verify(context, instance, hop.from);
      return backup ? `restored ${backup.dir}; ${detail}` : `old binary untouched; ${detail}`;
    });
    return backup ? 'rolled-back' : 'aborted';
  } catch (error) {
    context.logger.error({ instance: instance.name, hop: hopLabel(hop), err: error }, 'rollback failed');
    return 'needs-person';
  }
}

async function serviceErrorOf(instance: Instance): Promise<string | null> {
  const logs = await instance.service.recentLogs().catch(() => null);
  return logs ? firstErrorLine(logs) : null;
}

function hopLabel(hop: Hop): string {
  return `${formatVersion(hop.from)} → ${formatVersion(hop.to)}`;
}
