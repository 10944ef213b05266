import { readBackup } from '../apply/backup.js';
import { listBackups, type BackupSummary } from '../apply/backups.js';
import { createInstance } from '../apply/instance.js';
import { rollBackToBackup } from '../apply/manual-rollback.js';
import { detectBinaryVersion } from '../apply/running-version.js';
import { HeadsupError, UsageError } from '../errors.js';
import { formatVersion } from '../judge/version.js';
import { InstalledBinaryRepository } from '../store/installed-binaries.js';
import { applyContextOf, type Runtime } from './context.js';
import { ExitCode } from './exit-codes.js';
import { renderTable } from './table.js';
import { consoleReporter, renderUpgradeResult } from './upgrade.js';

export async function collectBackups(runtime: Runtime, names: readonly string[]): Promise<BackupSummary[]> {
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
  const settings = runtime.config.instances.get(name);
  if (!settings) throw new UsageError(`no instance named "${name}" in the config`, 'run `headsup backups` to see the instances with backups');

  const backups = await listBackups(runtime.fs, runtime.config.backupsDir, name);
  const chosen = options.backup ? backups.find((backup) => backup.dir === options.backup) : backups[0];
  if (!chosen) {
    throw new HeadsupError('BACKUP_NOT_FOUND', options.backup ? `${options.backup} is not a complete backup of ${name}` : `instance ${name} has no backup`, {
      hint: 'run `headsup backups` to list the backups',
      exitCode: ExitCode.Usage,
    });
  }

  const instance = createInstance(name, settings, runtime.runner);
  const detected = await detectBinaryVersion(runtime.runner, new InstalledBinaryRepository(runtime.db), settings.binary);
  if (!detected.version) throw new HeadsupError('VERSION_UNKNOWN', `cannot roll back ${name}: ${detected.detail}`, { hint: 'restore the backup by hand from its manifest.json' });

  write(`${name}: rolling back from ${formatVersion(detected.version)} to ${chosen.fromVersion} with the backup ${chosen.dir}`);
  const context = applyContextOf(runtime, consoleReporter(write));
  const result = await rollBackToBackup(context, instance, await readBackup(runtime.fs, chosen.dir), detected.version);
  if (result.outcome === 'committed') {
    write(`${name} runs ${chosen.fromVersion} again with the data of ${chosen.createdAt}. The state before the rollback is kept in ${result.backupDir}.`);
    return ExitCode.Ok;
  }
  write(renderUpgradeResult({ instance: name, from: detected.version, target: result.hop.to, hops: [result], outcome: result.outcome === 'needs-person' ? 'needs-person' : 'rolled-back' }));
  return result.outcome === 'needs-person' ? ExitCode.NeedsPerson : ExitCode.RolledBack;
}
