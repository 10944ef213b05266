import { mkdtemp, rm, statfs, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkDiskSpace, checkFilesystemType } from '../../src/judge/preflight/disk-space.js';
import type { PreflightInput } from '../../src/judge/preflight/types.js';
import { requireVersion } from '../../src/judge/version.js';
import { silentLogger } from '../../src/platform/logger.js';

/** tmpfs on Linux, a filesystem other than the one os.tmpdir() is on in this workplace. */
const SHM = '/dev/shm';

interface Layout {
  dir: string;
  input: PreflightInput;
}

describe('disk space', () => {
  const dirs: string[] = [];

  async function layout(options: { databaseBytes?: number; backupsIn?: string; databaseIn?: string } = {}): Promise<Layout> {
    const dir = await mkdtemp(join(options.databaseIn ?? tmpdir(), 'headsup-disk-'));
    dirs.push(dir);
    const backupsRoot = options.backupsIn ? await mkdtemp(join(options.backupsIn, 'headsup-backups-')) : dir;
    if (options.backupsIn) dirs.push(backupsRoot);

    const database = join(dir, 'db.sqlite');
    await writeFile(database, Buffer.alloc(8192));
    await writeFile(`${database}-wal`, Buffer.alloc(4096));
    if (options.databaseBytes) await truncate(database, options.databaseBytes);
    await writeFile(join(dir, 'config.yaml'), 'server_url: http://127.0.0.1:8080\n');
    await writeFile(join(dir, 'noise_private.key'), 'privkey:0000\n');

    const input: PreflightInput = {
      headscaleConfigPath: join(dir, 'config.yaml'),
      files: { databaseType: 'sqlite', sqlitePath: database, keyFiles: [join(dir, 'noise_private.key')], policyFile: null, noiseKeyPath: join(dir, 'noise_private.key') },
      from: requireVersion('0.28.0'),
      to: requireVersion('0.29.2'),
      databaseCopyPath: null,
      // Not created yet, as on a first upgrade.
      backupsDir: join(backupsRoot, 'backups', 'hs1'),
      logger: silentLogger(),
    };
    return { dir, input };
  }

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('passes with the numbers when space suffices', async () => {
    const { input, dir } = await layout();
    const [space] = await checkDiskSpace(input);
    const otherBytes = 'server_url: http://127.0.0.1:8080\n'.length + 'privkey:0000\n'.length;

    expect(space?.verdict).toBe('pass');
    expect(space?.message).toMatch(new RegExp(`^enough space for the database and the backups: .* free at ${dir}, 24\\.0 KiB needed$`));
    expect(space?.details).toMatchObject({ databaseBytes: 12288, otherBackupBytes: otherBytes, neededBytes: 2 * 12288 + otherBytes });
  });

  it('fails when the doubled database does not fit', async () => {
    const free = await statfs(tmpdir());
    // A sparse file: its size counts, but it takes no blocks.
    const { input } = await layout({ databaseBytes: free.bavail * free.bsize });
    const [space] = await checkDiskSpace(input);

    expect(space?.verdict).toBe('fail');
    expect(space?.message).toMatch(/^not enough space for the database and the backups: .* free at .*, .* needed$/);
    expect(space?.fix).toMatch(/^free at least .* on the filesystem of /);
  });

  it('checks two filesystems apart', async () => {
    const { input } = await layout({ backupsIn: SHM });
    const findings = await checkDiskSpace(input);

    expect(findings.map((item) => item.message.split(':')[0])).toEqual(['enough space for the database', 'enough space for the backups']);
  });

  it('warns for PostgreSQL', async () => {
    const { input } = await layout();
    const findings = await checkDiskSpace({ ...input, files: { ...input.files, databaseType: 'postgres', sqlitePath: null } });

    expect(findings).toEqual([expect.objectContaining({ check: 'disk-space', verdict: 'warn' })]);
  });
});

describe('filesystem type', () => {
  let local: string;
  let shm: string;

  beforeAll(async () => {
    local = await mkdtemp(join(tmpdir(), 'headsup-fstype-'));
    shm = await mkdtemp(join(SHM, 'headsup-fstype-'));
  });

  afterAll(async () => {
    await rm(local, { recursive: true, force: true });
    await rm(shm, { recursive: true, force: true });
  });

  function inputFor(dir: string): PreflightInput {
    return {
      headscaleConfigPath: join(dir, 'config.yaml'),
      files: { databaseType: 'sqlite', sqlitePath: join(dir, 'db.sqlite'), keyFiles: [], policyFile: null, noiseKeyPath: null },
      from: requireVersion('0.28.0'),
      to: requireVersion('0.29.2'),
      databaseCopyPath: null,
      backupsDir: dir,
      logger: silentLogger(),
    };
  }

  it('passes on a local filesystem', async () => {
    expect((await checkFilesystemType(inputFor(local)))[0]?.verdict).toBe('pass');
  });

  it('warns on tmpfs', async () => {
    const [type] = await checkFilesystemType(inputFor(shm));

    expect(type?.verdict).toBe('warn');
    expect(type?.message).toContain('is on tmpfs, which loses its content at reboot');
  });
});
