import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { HeadsupError } from '../errors.js';
import type { FileSystem } from '../platform/fs.js';

export type BackupRole = 'binary' | 'config' | 'database' | 'database-wal' | 'database-shm' | 'key' | 'policy' | 'postgres-dump';

export interface BackupFile {
  role: BackupRole;
  path: string;
}

export interface ManifestEntry extends BackupFile {
  /** False when the file did not exist at backup time; a restore then removes it. */
  existed: boolean;
  /** File name inside the backup folder. */
  stored: string | null;
  sha256: string | null;
  size: number | null;
  mode: number | null;
  uid: number | null;
  gid: number | null;
}

export interface BackupManifest {
  formatVersion: 1;
  instance: string;
  createdAt: string;
  fromVersion: string;
  toVersion: string;
  entries: ManifestEntry[];
}

export interface Backup {
  dir: string;
  manifest: BackupManifest;
}

const MANIFEST = 'manifest.json';

/**
 * Copies the instance's files into a new folder readable only by its owner (0700, files 0600)
 * and writes a manifest of their hashes. The instance must be stopped, so that the SQLite
 * database and its `-wal` and `-shm` files form one consistent state. Everything is fsync'd
 * before this returns.
 */
export async function createBackup(
  fs: FileSystem,
  options: {
    root: string;
    instance: string;
    fromVersion: string;
    toVersion: string;
    files: BackupFile[];
    now: Date;
    /** Called with the new folder before any file is copied, so a crash leaves a known partial backup to discard. */
    onFolderCreated?: (dir: string) => void;
    /** Database dumps to write into the backup (PostgreSQL); `path` names the database, without secrets. */
    dumps?: ReadonlyArray<{ path: string; write(file: string): Promise<{ sha256: string; size: number }> }>;
    /** Copies made before the stop (see `prepareCopy`), moved in instead of copied while their source is unchanged. */
    prepared?: readonly PreparedCopy[];
  },
): Promise<Backup> {
  const stamp = options.now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const instanceDir = join(options.root, options.instance);
  await fs.mkdir(instanceDir, { recursive: true, mode: 0o700 });
  await fs.chmod(options.root, 0o700);
  await fs.chmod(instanceDir, 0o700);
  const dir = await fs.mkdtemp(join(instanceDir, `${stamp}-${options.fromVersion}-to-${options.toVersion}-`));
  await fs.chmod(dir, 0o700);
  options.onFolderCreated?.(dir);

  const entries: ManifestEntry[] = [];
  for (const [index, file] of options.files.entries()) {
    const stored = `${String(index).padStart(2, '0')}-${file.role}-${basename(file.path)}`;
    const prepared = options.prepared?.find((copy) => copy.source === file.path);
    entries.push((prepared && (await movePrepared(fs, dir, file, stored, prepared))) ?? (await backUpFile(fs, dir, file, stored)));
  }
  for (const copy of options.prepared ?? []) await fs.rm(copy.file, { force: true });

  for (const [index, dump] of (options.dumps ?? []).entries()) {
    const stored = `${String(options.files.length + index).padStart(2, '0')}-postgres-dump.pgdump`;
    const written = await dump.write(join(dir, stored));
    entries.push({ role: 'postgres-dump', path: dump.path, existed: true, stored, sha256: written.sha256, size: written.size, mode: null, uid: null, gid: null });
  }

  const manifest: BackupManifest = {
    formatVersion: 1,
    instance: options.instance,
    createdAt: options.now.toISOString(),
    fromVersion: options.fromVersion,
    toVersion: options.toVersion,
    entries,
  };
  await writeDurably(fs, join(dir, MANIFEST), JSON.stringify(manifest, null, 2), 0o600);
  await syncDirectory(fs, dir);
  return { dir, manifest };
}

async function backUpFile(fs: FileSystem, dir: string, file: BackupFile, stored: string): Promise<ManifestEntry> {
  let info;
  try {
    info = await fs.stat(file.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ...file, existed: false, stored: null, sha256: null, size: null, mode: null, uid: null, gid: null };
    }
    throw error;
  }

  const content = await fs.readFile(file.path);
  await writeDurably(fs, join(dir, stored), content, 0o600);
  return {
    ...file,
    existed: true,
    stored,
    sha256: sha256(content),
    size: content.length,
    mode: info.mode & 0o7777,
    uid: info.uid,
    gid: info.gid,
  };
}

/** A copy of a file made before the instance stopped, for a backup to take over while the file is unchanged. */
export interface PreparedCopy {
  source: string;
  /** The copy, 0600, in the instance's backup folder (so on the same file system as the backup). */
  file: string;
  /** The source's device, inode, size and change time when it was copied. */
  signature: string;
  sha256: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * Copies a file that does not change while Headscale runs (the binary) into the instance's backup
 * folder before the stop, so that the backup only moves it. Returns null when the file changed
 * while it was read, or does not exist.
 */
export async function prepareCopy(fs: FileSystem, options: { root: string; instance: string; path: string }): Promise<PreparedCopy | null> {
  const instanceDir = join(options.root, options.instance);
  await fs.mkdir(instanceDir, { recursive: true, mode: 0o700 });
  await fs.chmod(instanceDir, 0o700);

  let before;
  try {
    before = await fs.stat(options.path);
  } catch {
    return null;
  }
  const content = await fs.readFile(options.path);
  const after = await fs.stat(options.path);
  if (signatureOf(before) !== signatureOf(after)) return null;

  const file = join(instanceDir, `.prepared-${basename(options.path)}`);
  await writeDurably(fs, file, content, 0o600);
  return { source: options.path, file, signature: signatureOf(after), sha256: sha256(content), size: content.length, mode: after.mode & 0o7777, uid: after.uid, gid: after.gid };
}

/** Moves a prepared copy into the backup when its source is unchanged; null sends the caller back to copying. */
async function movePrepared(fs: FileSystem, dir: string, file: BackupFile, stored: string, prepared: PreparedCopy): Promise<ManifestEntry | null> {
  try {
    if (signatureOf(await fs.stat(file.path)) !== prepared.signature) return null;
    await fs.rename(prepared.file, join(dir, stored));
  } catch {
    return null;
  }
  const { sha256: hash, size, mode, uid, gid } = prepared;
  return { ...file, existed: true, stored, sha256: hash, size, mode, uid, gid };
}

/** Identifies a file's content as it sits on disk: device, inode, size and change time. */
export function signatureOf(info: { dev: number; ino: number; size: number; ctimeMs: number }): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.ctimeMs}`;
}

/** Tells whether the folder contains a manifest, which is written last, so the backup is complete. */
export async function isCompleteBackup(fs: FileSystem, dir: string): Promise<boolean> {
  try {
    await fs.access(join(dir, MANIFEST));
    return true;
  } catch {
    return false;
  }
}

export async function readBackup(fs: FileSystem, dir: string): Promise<Backup> {
  const manifest = JSON.parse(await fs.readFile(join(dir, MANIFEST), 'utf8')) as BackupManifest;
  return { dir, manifest };
}

/**
 * Checks every stored file against the manifest's hash; throws naming the first file that
 * differs, so that a damaged backup is never restored.
 */
export async function verifyBackup(fs: FileSystem, backup: Backup): Promise<void> {
  for (const entry of backup.manifest.entries) {
    if (!entry.existed || !entry.stored) continue;
    const content = await fs.readFile(join(backup.dir, entry.stored));
    if (sha256(content) !== entry.sha256) {
      throw new HeadsupError('BACKUP_CORRUPT', `backup file ${join(backup.dir, entry.stored)} does not match its manifest hash`, {
        hint: 'the backup cannot be trusted; restore an older backup by hand',
      });
    }
  }
}

/**
 * Puts every file of the backup back in place, each through a temporary file and an atomic
 * rename, with its recorded mode and owner; files that did not exist at backup time (for
 * example a `-wal` file) are removed. A PostgreSQL dump is restored last, through
 * `restoreDump`. Running it twice gives the same result.
 */
export async function restoreBackup(
  fs: FileSystem,
  backup: Backup,
  options: { roles?: readonly BackupRole[]; restoreDump?: (file: string) => Promise<void> } = {},
): Promise<void> {
  await verifyBackup(fs, backup);
  const { roles } = options;
  for (const entry of backup.manifest.entries) {
    if (roles && !roles.includes(entry.role)) continue;
    if (entry.role === 'postgres-dump') continue;
    if (!entry.existed || !entry.stored) {
      await fs.rm(entry.path, { force: true });
      continue;
    }
    const content = await fs.readFile(join(backup.dir, entry.stored));
    await replaceFile(fs, entry.path, content, entry.mode ?? 0o600, entry.uid, entry.gid);
  }

  // Dumps go last: the database settings come from the config restored above.
  for (const entry of backup.manifest.entries) {
    if (entry.role !== 'postgres-dump' || !entry.stored || (roles && !roles.includes(entry.role))) continue;
    if (!options.restoreDump) {
      throw new HeadsupError('BACKUP_DUMP_UNRESTORABLE', `backup ${backup.dir} contains a PostgreSQL dump but the caller passed no restore function`, { hint: 'this is a bug in headsup; please report it' });
    }
    await options.restoreDump(join(backup.dir, entry.stored));
  }
}

/** Writes `content` to `path` through a temporary file in the same folder and an atomic rename. */
export async function replaceFile(fs: FileSystem, path: string, content: Buffer, mode: number, uid: number | null = null, gid: number | null = null): Promise<void> {
  const temporary = `${path}.headsup-tmp`;
  await writeDurably(fs, temporary, content, mode);
  const handle = await fs.open(temporary, 'r');
  try {
    await handle.chmod(mode);
    if (uid !== null && gid !== null && process.getuid?.() === 0) await handle.chown(uid, gid);
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, path);
}

/** Writes `content` to `path` with `mode` and syncs it to disk. */
export async function writeDurably(fs: FileSystem, path: string, content: string | Buffer, mode: number): Promise<void> {
  const handle = await fs.open(path, 'w', mode);
  try {
    await handle.writeFile(content);
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(fs: FileSystem, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
