import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ProcessRunner } from '../../platform/exec.js';
import { CLEAN_PUBLIC_SCHEMA_SQL } from './clean-schema.js';
import { connectionString, runPgTool, succeeded, toolFailure, type PgToolOptions } from './connection.js';
import type { PostgresSettings } from './settings.js';

/** Default limit of each of the two program runs of a restore. */
const RESTORE_TIMEOUT_MS = 10 * 60_000;

export interface RestoreOptions extends PgToolOptions {
  /** Folder for the private work folder that holds the SQL. Default: the OS temporary folder. */
  tempDir?: string;
}

/**
 * Brings the database back to exactly the state of a `dumpDatabase` archive, also after a newer
 * Headscale has migrated it (added tables, changed columns): every object in the `public` schema
 * is dropped and the archive is loaded, in one transaction. So either the restore completes or the
 * database keeps its previous state; a failed restore never leaves it empty or half loaded.
 * Running it again gives the same result. Headscale must be stopped, because dropping a table
 * waits for its open transactions (at most 30 s, then the restore fails).
 *
 * `pg_restore --no-owner --exit-on-error --file` first turns the archive into SQL in a private
 * temporary folder (no connection needed, so a damaged archive fails before the database is
 * touched). psql then runs the schema clean-up and that SQL with `--single-transaction` and
 * ON_ERROR_STOP, which is what `pg_restore --single-transaction --exit-on-error` does, plus the
 * clean-up in the same transaction. The SQL file contains the data uncompressed and is removed
 * afterwards.
 */
export async function restoreDatabase(runner: ProcessRunner, settings: PostgresSettings, file: string, options: RestoreOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? RESTORE_TIMEOUT_MS;
  // mkdtemp creates the folder with mode 0700.
  const workDir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'headsup-pg-restore-'));
  try {
    const cleanFile = join(workDir, 'clean.sql');
    const dataFile = join(workDir, 'restore.sql');
    await writeFile(cleanFile, CLEAN_PUBLIC_SCHEMA_SQL, { mode: 0o600 });
    await createPrivateFile(dataFile);

    const script = await runPgTool(runner, 'pg_restore', ['--no-owner', '--exit-on-error', `--file=${dataFile}`, file], settings, { ...options, timeoutMs });
    if (!succeeded(script)) {
      throw toolFailure(
        'POSTGRES_RESTORE_FAILED',
        `pg_restore failed to turn the dump ${file} into SQL; database ${settings.name} is unchanged`,
        script,
        settings,
        `check that the file is a custom-format pg_dump archive made by this pg_dump version or an older one, and that ${options.tempDir ?? tmpdir()} has room for the data uncompressed`,
      );
    }

    const args = ['--no-psqlrc', '--no-password', '--quiet', '--output=/dev/null', '--set=ON_ERROR_STOP=1', '--single-transaction', `--file=${cleanFile}`, `--file=${dataFile}`, `--dbname=${connectionString(settings)}`];
    const load = await runPgTool(runner, 'psql', args, settings, { ...options, timeoutMs });
    if (!succeeded(load)) {
      throw toolFailure('POSTGRES_RESTORE_FAILED', `restoring ${file} into database ${settings.name} failed and was rolled back`, load, settings, 'stop Headscale, check that its database user owns the database and every object in it, then run the restore again');
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function createPrivateFile(file: string): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  await handle.close();
}
