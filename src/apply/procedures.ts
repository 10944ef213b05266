import { HeadsupError } from '../errors.js';
import { formatVersion, versionsEqual, type Version } from '../judge/version.js';
import { createBackup, restoreBackup, type Backup, type PreparedCopy } from './backup.js';
import { dumpDatabase, readPostgresSettings, restoreDatabase } from './postgres/index.js';
import type { ApplyContext } from './context.js';
import { probe, waitForHealth } from './health.js';
import { backupFilesOf, readHeadscaleFiles, type Instance } from './instance.js';
import { detectBinaryVersion, readServedVersion } from './running-version.js';

/** Rejects an instance that is not healthy now, because an upgrade would hide the cause. */
export async function checkHealthyNow(context: ApplyContext, instance: Instance): Promise<string> {
  const error = await probe({ url: instance.settings.health_url, http: context.http });
  if (error !== null) {
    throw new HeadsupError('INSTANCE_UNHEALTHY', `instance ${instance.name} is not healthy: ${instance.settings.health_url} failed (${error}); nothing was changed`, {
      hint: `start Headscale (${instance.service.describeAction('start')}) or fix health_url, then rerun; headsup upgrades only a healthy server`,
    });
  }
  return 'instance healthy';
}

/** Stops the service and waits until its health URL no longer responds. */
export async function stopAndWait(context: ApplyContext, instance: Instance): Promise<string> {
  await instance.service.stop();
  const deadline = context.clock.now().getTime() + (context.stopTimeoutMs ?? 30_000);
  while ((await probe({ url: instance.settings.health_url, http: context.http })) === null) {
    if (context.clock.now().getTime() > deadline) {
      throw new Error(`Headscale still responds on ${instance.settings.health_url} after the stop command`);
    }
    // A short poll: every millisecond spent here is downtime.
    await context.clock.sleep(50);
  }
  if ((await instance.service.isRunning()) === true) throw new Error(`${instance.service.description} still reports running after stop`);
  return 'stopped';
}

export async function backUpInstance(
  context: ApplyContext,
  instance: Instance,
  versions: { from: Version; to: Version },
  onFolderCreated: (dir: string) => void,
  prepared: readonly PreparedCopy[] = [],
): Promise<Backup> {
  const files = await readHeadscaleFiles(instance.settings.config);
  const dumps = files.databaseType === 'postgres' ? [await postgresDump(context, instance)] : [];
  return createBackup(context.fs, {
    root: context.backupsDir,
    instance: instance.name,
    fromVersion: formatVersion(versions.from),
    toVersion: formatVersion(versions.to),
    files: backupFilesOf(instance, files),
    now: context.clock.now(),
    onFolderCreated,
    dumps,
    prepared,
  });
}

/** Describes the `pg_dump` of the instance's PostgreSQL database, taken while Headscale is stopped. */
async function postgresDump(context: ApplyContext, instance: Instance) {
  const settings = await readPostgresSettings(instance.settings.config);
  return {
    path: `postgres://${settings.user}@${settings.host}:${settings.port}/${settings.name}`,
    write: (file: string) => dumpDatabase(context.runner, settings, file),
  };
}

/** Restores a backup's files and, for a PostgreSQL-backed instance, its database dump. */
export async function restoreInstanceBackup(context: ApplyContext, instance: Instance, backup: Backup): Promise<void> {
  await restoreBackup(context.fs, backup, {
    restoreDump: async (file) => restoreDatabase(context.runner, await readPostgresSettings(instance.settings.config), file),
  });
}

/** Checks that health passes the configured number of times in a row and that the server runs the expected version. */
export async function verifyRunning(context: ApplyContext, instance: Instance, expected: Version): Promise<string> {
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
  if (!health.healthy && health.exited) {
    throw new Error(`Headscale exited ${Math.round(health.elapsedMs / 1000)} s after the start (last health check: ${health.lastError})`);
  }
  if (!health.healthy) throw new Error(`health check did not pass within ${Math.round(gate.timeout / 1000)} s: ${health.lastError}`);

  const served = await readServedVersion(context.http, instance.versionUrl);
  const running = served ?? (await detectBinaryVersion(context.runner, context.installs, instance.settings.binary)).version;
  if (!running || !versionsEqual(running, expected)) {
    throw new Error(`expected version ${formatVersion(expected)} but the instance reports ${running ? formatVersion(running) : 'an unknown version'}`);
  }
  return `health passed ${gate.passes} checks in a row after ${(health.elapsedMs / 1000).toFixed(1)} s, running ${formatVersion(running)}`;
}

/**
 * Stops the instance, puts every file of the backup back (checked against its manifest first),
 * starts it and verifies that `expected` runs. Every part can run again after a crash.
 */
export async function restoreAndRestart(context: ApplyContext, instance: Instance, backup: Backup, expected: Version): Promise<string> {
  await instance.service.stop().catch((error: unknown) => context.logger.warn({ instance: instance.name, err: error }, 'rollback: stop failed; continuing'));
  await stopAndWait(context, instance);
  await restoreInstanceBackup(context, instance, backup);
  await instance.service.start();
  return `restored ${backup.dir}; ${await verifyRunning(context, instance, expected)}`;
}

/** Starts the untouched old version again after a hop that stopped before changing any file. */
export async function restartUnchanged(context: ApplyContext, instance: Instance, expected: Version): Promise<string> {
  await instance.service.stop().catch((error: unknown) => context.logger.warn({ instance: instance.name, err: error }, 'restart: stop failed; continuing'));
  await instance.service.start();
  return `old binary untouched; ${await verifyRunning(context, instance, expected)}`;
}
