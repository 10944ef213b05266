import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../platform/fs.js';
import { createBackup, readBackup, restoreBackup, verifyBackup, type BackupFile } from './backup.js';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'headsup-backup-'));
  const db = join(dir, 'db.sqlite');
  writeFileSync(db, 'database v1');
  writeFileSync(`${db}-wal`, 'wal v1');
  const key = join(dir, 'noise_private.key');
  writeFileSync(key, 'privkey:secret', { mode: 0o600 });
  chmodSync(key, 0o600);
  const files: BackupFile[] = [
    { role: 'database', path: db },
    { role: 'database-wal', path: `${db}-wal` },
    { role: 'database-shm', path: `${db}-shm` },
    { role: 'key', path: key },
  ];
  return { dir, db, key, files };
}

const now = new Date('2026-12-04T10:00:00Z');

describe('backup', () => {
  it('keeps files private and records hashes', async () => {
    const { dir, files } = setup();
    const backup = await createBackup(nodeFileSystem, { root: join(dir, 'backups'), instance: 'hs1', fromVersion: '0.28.0', toVersion: '0.29.2', files, now });

    expect(statSync(backup.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'backups')).mode & 0o777).toBe(0o700);
    for (const entry of backup.manifest.entries.filter((e) => e.existed)) {
      expect(statSync(join(backup.dir, entry.stored!)).mode & 0o777).toBe(0o600);
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(statSync(join(backup.dir, 'manifest.json')).mode & 0o777).toBe(0o600);
    expect(backup.manifest.entries.find((e) => e.role === 'database-shm')!.existed).toBe(false);
    expect(backup.dir).toContain('20261204T100000Z-0.28.0-to-0.29.2');
  });

  it('restores changed files and removes new ones', async () => {
    const { dir, db, key, files } = setup();
    const backup = await createBackup(nodeFileSystem, { root: join(dir, 'backups'), instance: 'hs1', fromVersion: '0.28.0', toVersion: '0.29.2', files, now });

    writeFileSync(db, 'database v2 after migration');
    writeFileSync(`${db}-shm`, 'shm created by the new version');
    writeFileSync(key, 'changed');
    await restoreBackup(nodeFileSystem, await readBackup(nodeFileSystem, backup.dir));

    expect(readFileSync(db, 'utf8')).toBe('database v1');
    expect(readFileSync(`${db}-wal`, 'utf8')).toBe('wal v1');
    expect(existsSync(`${db}-shm`)).toBe(false);
    expect(readFileSync(key, 'utf8')).toBe('privkey:secret');
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });

  it('restores twice with the same result', async () => {
    const { dir, db, files } = setup();
    const backup = await createBackup(nodeFileSystem, { root: join(dir, 'backups'), instance: 'hs1', fromVersion: '0.28.0', toVersion: '0.29.2', files, now });
    writeFileSync(db, 'changed');

    await restoreBackup(nodeFileSystem, backup);
    await restoreBackup(nodeFileSystem, backup);
    expect(readFileSync(db, 'utf8')).toBe('database v1');
  });

  it('refuses a backup that differs from its manifest', async () => {
    const { dir, db, files } = setup();
    const backup = await createBackup(nodeFileSystem, { root: join(dir, 'backups'), instance: 'hs1', fromVersion: '0.28.0', toVersion: '0.29.2', files, now });
    const stored = backup.manifest.entries.find((e) => e.role === 'database')!.stored!;
    writeFileSync(join(backup.dir, stored), 'tampered');
    writeFileSync(db, 'current');

    await expect(verifyBackup(nodeFileSystem, backup)).rejects.toThrow(/does not match its manifest hash/);
    await expect(restoreBackup(nodeFileSystem, backup)).rejects.toThrow(/does not match/);
    expect(readFileSync(db, 'utf8')).toBe('current');
  });
});
