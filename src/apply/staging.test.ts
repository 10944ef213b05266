import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../platform/fs.js';
import { createBackup, prepareCopy, verifyBackup } from './backup.js';
import type { ApplyContext } from './context.js';
import { discardStagedBinary, installBinary, stageBinary } from './swap.js';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'headsup-staging-'));
  const binary = join(dir, 'headscale');
  writeFileSync(binary, 'old binary');
  chmodSync(binary, 0o755);
  const artifactPath = join(dir, 'artifact');
  writeFileSync(artifactPath, 'new binary');
  const installs: Array<[string, string]> = [];
  const context = {
    fs: nodeFileSystem,
    clock: { now: () => new Date('2026-12-04T10:00:00Z'), sleep: async () => {} },
    installs: { record: (sha: string, version: string) => installs.push([sha, version]) },
  } as unknown as ApplyContext;
  const artifact = { path: artifactPath, sha256: 'abc', version: '0.29.2', assetName: 'headscale_0.29.2_linux_amd64' } as never;
  return { dir, binary, context, artifact, installs };
}

describe('staged install', () => {
  it('installs a staged binary by rename and keeps the old one', async () => {
    const { binary, context, artifact, installs } = setup();
    const staged = await stageBinary(context, binary, artifact);
    expect(statSync(staged.path).mode & 0o777).toBe(0o755);

    await installBinary(context, binary, artifact, staged);

    expect(readFileSync(binary, 'utf8')).toBe('new binary');
    expect(readFileSync(`${binary}.headsup-previous`, 'utf8')).toBe('old binary');
    expect(existsSync(staged.path)).toBe(false);
    expect(statSync(binary).mode & 0o777).toBe(0o755);
    expect(installs).toEqual([['abc', '0.29.2']]);
  });

  it('writes the artifact instead when the staged file changed', async () => {
    const { binary, context, artifact } = setup();
    const staged = await stageBinary(context, binary, artifact);
    writeFileSync(staged.path, 'tampered binary!');

    await installBinary(context, binary, artifact, staged);

    expect(readFileSync(binary, 'utf8')).toBe('new binary');
    await discardStagedBinary(context, binary);
    expect(existsSync(staged.path)).toBe(false);
  });
});

describe('prepared backup copy', () => {
  it('moves an unchanged copy into the backup, private and verified', async () => {
    const { dir, binary } = setup();
    const root = join(dir, 'backups');
    const prepared = await prepareCopy(nodeFileSystem, { root, instance: 'hs1', path: binary });
    expect(prepared).not.toBeNull();
    expect(statSync(prepared!.file).mode & 0o777).toBe(0o600);

    const backup = await createBackup(nodeFileSystem, { root, instance: 'hs1', fromVersion: '0.28.0', toVersion: '0.29.2', files: [{ role: 'binary', path: binary }], now: new Date(), prepared: [prepared!] });

    const entry = backup.manifest.entries[0]!;
    expect(entry).toMatchObject({ role: 'binary', existed: true, mode: 0o755, size: 10 });
    expect(readFileSync(join(backup.dir, entry.stored!), 'utf8')).toBe('old binary');
    expect(statSync(join(backup.dir, entry.stored!)).mode & 0o777).toBe(0o600);
    expect(existsSync(prepared!.file)).toBe(false);
    await expect(verifyBackup(nodeFileSystem, backup)).resolves.toBeUndefined();
  });

  it('copies the file again when it changed after the copy was prepared', async () => {
    const { dir, binary } = setup();
    const root = join(dir, 'backups');
    const prepared = await prepareCopy(nodeFileSystem, { root, instance: 'hs1', path: binary });
    writeFileSync(binary, 'replaced binary');

    const backup = await createBackup(nodeFileSystem, { root, instance: 'hs1', fromVersion: '0.28.0', toVersion: '0.29.2', files: [{ role: 'binary', path: binary }], now: new Date(), prepared: [prepared!] });

    expect(readFileSync(join(backup.dir, backup.manifest.entries[0]!.stored!), 'utf8')).toBe('replaced binary');
    expect(existsSync(prepared!.file)).toBe(false);
  });
});
