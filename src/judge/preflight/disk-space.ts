import { stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

import { finding, type PreflightFinding, type PreflightInput } from './types.js';

export const DISK_SPACE_CHECK = 'disk-space';
export const FILESYSTEM_TYPE_CHECK = 'filesystem-type';

/** Filesystem type numbers from Linux's `include/uapi/linux/magic.h`, as `statfs(2)` returns them. */
const NETWORK_FILESYSTEMS: Record<number, string> = {
  0x6969: 'NFS',
  0x517b: 'SMB',
  0xff534d42: 'CIFS',
  0xfe534d42: 'SMB2',
  0x65735546: 'FUSE',
  0x01021997: '9p',
  0x00c36400: 'CephFS',
};
export const VOLATILE_FILESYSTEMS: Record<number, string> = {
  0x01021994: 'tmpfs',
  0x858458f6: 'ramfs',
};

interface FilesystemSpace {
  /** The directory that was measured: the target folder or its nearest existing parent. */
  measuredAt: string;
  device: number;
  type: number;
  availableBytes: number;
}

/**
 * Checks free space for the hop. The rule: each filesystem involved must have room for the
 * database (`db.sqlite` plus its `-wal` and `-shm` files) twice over. One copy is the backup, the
 * other the table rebuilds a migration may run: 0.27 recreates every table, and in WAL mode the new
 * pages stay in the `-wal` file until a checkpoint. The backups filesystem must also have room for
 * the copies of the binary, config, keys and policy. When both folders share a filesystem the
 * amounts are not added twice, so it needs one doubled database plus the other files. Free space
 * is what an unprivileged user may use (`bavail`), because Headscale usually runs as its own user.
 */
export async function checkDiskSpace(input: PreflightInput): Promise<PreflightFinding[]> {
  const databasePath = input.files.sqlitePath;
  if (input.files.databaseType !== 'sqlite' || databasePath === null) {
    return [finding(DISK_SPACE_CHECK, 'warn', 'the instance uses PostgreSQL; free space is checked for SQLite databases only', 'check the PostgreSQL server\'s free space by hand before the upgrade')];
  }

  const databaseBytes = (await sizeOf(databasePath)) + (await sizeOf(`${databasePath}-wal`)) + (await sizeOf(`${databasePath}-shm`));
  const otherPaths = [input.binaryPath, input.headscaleConfigPath, ...input.files.keyFiles, input.files.policyFile].filter((path): path is string => typeof path === 'string');
  let otherBackupBytes = 0;
  for (const path of new Set(otherPaths)) otherBackupBytes += await sizeOf(path);

  const databaseFs = await measure(dirname(databasePath));
  const backupsFs = await measure(input.backupsDir);
  const doubledDatabase = 2 * databaseBytes;
  const details = { databaseBytes, otherBackupBytes, databaseFilesystem: databaseFs, backupsFilesystem: backupsFs };

  if (databaseFs.device === backupsFs.device) {
    const needed = doubledDatabase + otherBackupBytes;
    return [spaceFinding('the database and the backups', databaseFs, needed, details)];
  }

  return [
    spaceFinding('the database', databaseFs, doubledDatabase, details),
    spaceFinding('the backups', backupsFs, doubledDatabase + otherBackupBytes, details),
  ];
}

/**
 * Warns when the database lives on a network or FUSE filesystem or on tmpfs. On the first kind,
 * SQLite's WAL mode (on by default since 0.23) may lack the shared-memory locking it needs, and
 * Headscale then fails with `disk I/O error`. The content of tmpfs is gone after a reboot.
 */
export async function checkFilesystemType(input: PreflightInput): Promise<PreflightFinding[]> {
  const databasePath = input.files.sqlitePath;
  if (databasePath === null) return [];

  const space = await measure(dirname(databasePath));
  const network = NETWORK_FILESYSTEMS[space.type];
  if (network) {
    return [finding(FILESYSTEM_TYPE_CHECK, 'warn', `the database ${databasePath} is on a ${network} filesystem; SQLite in WAL mode needs locking and shared memory that network and FUSE filesystems may not provide ("disk I/O error" at start)`, 'move the database to local storage, or set `database.sqlite.write_ahead_log: false` (honoured up to 0.26; 0.27 and later always use WAL)', { type: space.type })];
  }

  const volatile = VOLATILE_FILESYSTEMS[space.type];
  if (volatile) {
    return [finding(FILESYSTEM_TYPE_CHECK, 'warn', `the database ${databasePath} is on ${volatile}, which loses its content at reboot`, 'move the database to persistent storage and point `database.sqlite.path` at it', { type: space.type })];
  }

  return [finding(FILESYSTEM_TYPE_CHECK, 'pass', `the database ${databasePath} is on a local filesystem (type 0x${space.type.toString(16)})`, null, { type: space.type })];
}

function spaceFinding(subject: string, space: FilesystemSpace, neededBytes: number, details: object): PreflightFinding {
  const numbers = `${formatBytes(space.availableBytes)} free at ${space.measuredAt}, ${formatBytes(neededBytes)} needed`;
  if (space.availableBytes < neededBytes) {
    const missing = formatBytes(neededBytes - space.availableBytes);
    return finding(DISK_SPACE_CHECK, 'fail', `not enough space for ${subject}: ${numbers}`, `free at least ${missing} on the filesystem of ${space.measuredAt}`, { ...details, neededBytes });
  }

  return finding(DISK_SPACE_CHECK, 'pass', `enough space for ${subject}: ${numbers}`, null, { ...details, neededBytes });
}

async function measure(path: string): Promise<FilesystemSpace> {
  const existing = await nearestExisting(path);
  const [stats, fsStats] = await Promise.all([stat(existing), statfs(existing)]);
  // `>>> 0` keeps the lookup working should a platform report the type as a signed 32-bit number.
  return { measuredAt: existing, device: stats.dev, type: fsStats.type >>> 0, availableBytes: fsStats.bavail * fsStats.bsize };
}

/** Returns the folder itself, or its nearest parent that exists, because a backups folder is created on first use. */
async function nearestExisting(path: string): Promise<string> {
  let current = path;
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;

      const parent = dirname(current);
      if (parent === current) throw error;
      current = parent;
    }
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
