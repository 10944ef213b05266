import { basename } from 'node:path';
import { readBackup } from '../apply/backup.js';
import { listBackups, type BackupSummary } from '../apply/backups.js';
import { createInstance } from '../apply/instance.js';
import { rollBackToBackup } from '../apply/manual-rollback.js';
import { detectBinaryVersion } from '../apply/running-version.js';
import { HeadsupError, UsageError } from '../errors.js';
import { formatVersion } from '../judge/version.js';
import { InstalledBinaryRepository } from '../store/installed-binaries.js';
import { FailedTargetRepository } from '../store/seen.js';
import { applyContextOf, type Runtime } from './context.js';
import { ExitCode } from './exit-codes.js';
import { renderTable } from './table.js';
import { consoleReporter, renderUpgradeResult } from './upgrade.js';

export async function collectBackups(runtime: Runtime, names: readonly string[]): Promise<BackupSummary[]> {
  requireInstances(runtime, names);
  const selected = names.length ? names : [...runtime.config.instances.keys()];
  const all: BackupSummary[] = [];
  for (const name of selected) all.push(...(await listBackups(runtime.fs, runtime.config.backupsDir, name)));
  return all;
}

export function renderBackups(backups: readonly BackupSummary[], keep: number): string {
  if (backups.length === 0) return 'No backups yet. headsup makes one before every upgrade hop.';
  const rows = backups.map((backup) => [
    backup.instance,
    backup.createdAt.replace(/\.\d+Z$/, 'Z'),
    `${backup.fromVersion} → ${backup.toVersion}`,
    formatSize(backup.size),
    backup.dir,
  ]);
  return `${renderTable(['INSTANCE', 'CREATED', 'HOP', 'SIZE', 'FOLDER'], rows)}\n\nThe newest ${keep} backups of each instance are kept (backups.keep).`;
}

/** Rejects instance names that the config does not define, listing the ones it does. */
export function requireInstances(runtime: Runtime, names: readonly string[]): void {
  const configured = [...runtime.config.instances.keys()];
  for (const name of names) {
    if (!runtime.config.instances.has(name)) {
      throw new UsageError(`no instance named "${name}" in the config`, configured.length ? `configured instances: ${configured.join(', ')}` : 'add it under `instances:` in the config');
    }
  }
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/**
 * Restores an instance to one of its backups (the newest by default): the version it ran before
 * that backup's hop, with the data it had then. The current state is backed up first.
 */
export async function runRollback(runtime: Runtime, name: string, options: { backup?: string | undefined }, write: (line: string) => void): Promise<ExitCode> {
  requireInstances(runtime, [name]);
  const settings = runtime.config.instances.get(name)!;

  const backups = await listBackups(runtime.fs, runtime.config.backupsDir, name);
  const wanted = options.backup?.replace(/\/+$/, '');
  const chosen = wanted ? backups.find((backup) => backup.dir === wanted || basename(backup.dir) === wanted) : backups[0];
  if (!chosen) {
    throw new HeadsupError('BACKUP_NOT_FOUND', wanted ? `no complete backup of ${name} is named ${wanted}` : `instance ${name} has no backup`, {
      hint: `run \`headsup backups ${name}\` and pass a folder it lists, as a path or by its name`,
      exitCode: ExitCode.Usage,
    });
  }

  const instance = createInstance(name, settings, runtime.runner);
  const detected = await detectBinaryVersion(runtime.runner, new InstalledBinaryRepository(runtime.db), settings.binary);
  if (!detected.version) throw new HeadsupError('VERSION_UNKNOWN', `cannot roll back ${name}: ${detected.detail}`, { hint: 'restore the backup by hand from its manifest.json' });

  write(`${name}: restoring the backup ${chosen.dir} (${chosen.fromVersion} and its data); ${formatVersion(detected.version)} runs now`);
  const context = applyContextOf(runtime, consoleReporter(write));
  const result = await rollBackToBackup(context, instance, await readBackup(runtime.fs, chosen.dir), detected.version);
  if (result.outcome === 'committed') {
    write(`${name} runs ${chosen.fromVersion} again with the data of ${chosen.createdAt}. The state before the rollback is kept in ${result.backupDir}.`);
    // A person rolled back from this version, so `headsup run` must not install it again on its own.
    const left = formatVersion(detected.version);
    if (left !== chosen.fromVersion) {
      new FailedTargetRepository(runtime.db).record(name, left, runtime.clock.now());
      write(`headsup run will not upgrade ${name} to ${left} again until it is approved again (\`headsup approve ${name} ${left} --reason "…"\`) or upgraded by hand.`);
    }
    return ExitCode.Ok;
  }
  write(renderUpgradeResult({ instance: name, from: detected.version, target: result.hop.to, hops: [result], outcome: result.outcome === 'needs-person' ? 'needs-person' : 'rolled-back' }));
  return result.outcome === 'needs-person' ? ExitCode.NeedsPerson : ExitCode.RolledBack;
}
