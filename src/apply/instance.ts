import type { InstanceSettings } from '../config/schema.js';
import type { ProcessRunner } from '../platform/exec.js';
import { readHeadscaleFiles, type HeadscaleFiles } from './headscale-config.js';
import { versionUrlFor } from './running-version.js';
import { createServiceManager, type ServiceManager } from './service/index.js';
import type { BackupFile } from './backup.js';

/** One managed Headscale server with everything a hop needs to reach it. */
export interface Instance {
  name: string;
  settings: InstanceSettings;
  service: ServiceManager;
  versionUrl: string;
}

export function createInstance(name: string, settings: InstanceSettings, runner: ProcessRunner): Instance {
  return {
    name,
    settings,
    service: createServiceManager(settings.service, runner),
    versionUrl: settings.version_url ?? versionUrlFor(settings.health_url),
  };
}

/**
 * The files a backup of the instance holds: the binary, the Headscale config, the SQLite
 * database with its `-wal` and `-shm` files, the private keys and the policy file.
 */
export function backupFilesOf(instance: Instance, files: HeadscaleFiles): BackupFile[] {
  const list: BackupFile[] = [
    { role: 'binary', path: instance.settings.binary },
    { role: 'config', path: instance.settings.config },
  ];
  if (files.sqlitePath) {
    list.push(
      { role: 'database', path: files.sqlitePath },
      { role: 'database-wal', path: `${files.sqlitePath}-wal` },
      { role: 'database-shm', path: `${files.sqlitePath}-shm` },
    );
  }
  for (const key of files.keyFiles) list.push({ role: 'key', path: key });
  if (files.policyFile) list.push({ role: 'policy', path: files.policyFile });
  return list;
}

export { readHeadscaleFiles };
