import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSystem } from '../platform/fs.js';
import type { Logger } from '../platform/logger.js';
import { isCompleteBackup, readBackup, type Backup } from './backup.js';

export interface BackupSummary {
  instance: string;
  dir: string;
  createdAt: string;
  fromVersion: string;
  toVersion: string;
  /** Bytes of the stored files. */
  size: number;
}

/** Lists the complete backups of an instance, newest first. Folders without a manifest are skipped. */
export async function listBackups(fs: FileSystem, root: string, instance: string): Promise<BackupSummary[]> {
  const folder = join(root, instance);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }

  const summaries: BackupSummary[] = [];
  for (const name of names) {
    const dir = join(folder, name);
    if (!(await isCompleteBackup(fs, dir))) continue;
    summaries.push(summarise(instance, await readBackup(fs, dir)));
  }
  return summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.dir.localeCompare(a.dir));
}

function summarise(instance: string, backup: Backup): BackupSummary {
  const { manifest } = backup;
  const size = manifest.entries.reduce((total, entry) => total + (entry.size ?? 0), 0);
  return { instance, dir: backup.dir, createdAt: manifest.createdAt, fromVersion: manifest.fromVersion, toVersion: manifest.toVersion, size };
}

/**
 * Deletes all but the newest `keep` complete backups of an instance, and folders a crashed run
 * left without a manifest when they are older than the newest complete backup. Folders in
 * `protect` (for example the backup of an unfinished hop) are never deleted. Returns the deleted folders.
 */
export async function pruneBackups(
  fs: FileSystem,
  options: { root: string; instance: string; keep: number; protect: ReadonlySet<string>; logger: Logger },
): Promise<string[]> {
  const complete = await listBackups(fs, options.root, options.instance);
  const doomed = complete.slice(options.keep).map((backup) => backup.dir);

  const newest = complete[0];
  if (newest) {
    const newestTime = (await stat(newest.dir)).mtimeMs;
    for (const name of await readdir(join(options.root, options.instance))) {
      const dir = join(options.root, options.instance, name);
      if (!(await isCompleteBackup(fs, dir)) && (await stat(dir)).mtimeMs < newestTime) doomed.push(dir);
    }
  }

  const deleted: string[] = [];
  for (const dir of doomed) {
    if (options.protect.has(dir)) continue;
    await rm(dir, { recursive: true, force: true });
    options.logger.info({ instance: options.instance, dir }, 'backups: pruned');
    deleted.push(dir);
  }
  return deleted;
}
