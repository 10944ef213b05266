import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { HeadsupError } from '../../errors.js';
import type { ProcessRunner, RunResult } from '../../platform/exec.js';
import { connectionString, runPgTool, succeeded, toolFailure, type PgToolOptions } from './connection.js';
import type { PostgresSettings } from './settings.js';
import { connectionHint } from './sql.js';
import { checkPgDumpSupportsServer } from './tool-version.js';

export interface DumpResult {
  /** SHA-256 of the dump file, hex. */
  sha256: string;
  /** Size of the dump file in bytes. */
  size: number;
}

/** Default limit of one pg_dump run. A Headscale database of a few thousand nodes dumps in seconds. */
const DUMP_TIMEOUT_MS = 10 * 60_000;

/**
 * Dumps the whole database into `file` with `pg_dump --format=custom --no-owner`, the archive
 * format that pg_restore reads. The file is created with mode 0600 before pg_dump writes into it,
 * so the data is never readable by others, and it is fsync'd with its folder before this returns.
 * An existing file is replaced. On failure the partial file is removed and the error names the
 * reason, the command and the end of pg_dump's stderr, never the password. When pg_dump is older
 * than the server the error is POSTGRES_TOOL_TOO_OLD with both versions.
 */
export async function dumpDatabase(runner: ProcessRunner, settings: PostgresSettings, file: string, options: PgToolOptions = {}): Promise<DumpResult> {
  await createPrivateFile(file);
  const args = ['--format=custom', '--no-owner', '--no-password', `--file=${file}`, `--dbname=${connectionString(settings)}`];

  const result = await runPgTool(runner, 'pg_dump', args, settings, { ...options, timeoutMs: options.timeoutMs ?? DUMP_TIMEOUT_MS }).catch(async (error: unknown) => {
    await rm(file, { force: true });
    throw error;
  });
  if (!succeeded(result)) {
    await rm(file, { force: true });
    throw await dumpFailure(runner, settings, result, options);
  }

  await syncFile(file);
  await syncFile(dirname(file));
  return { sha256: await sha256Of(file), size: (await stat(file)).size };
}

/**
 * Explains a failed pg_dump. A version mismatch is checked by comparing versions rather than by
 * reading pg_dump's message, which is translated in other locales.
 */
async function dumpFailure(runner: ProcessRunner, settings: PostgresSettings, result: RunResult, options: PgToolOptions): Promise<HeadsupError> {
  const failure = toolFailure('POSTGRES_DUMP_FAILED', `pg_dump of database ${settings.name} failed`, result, settings, connectionHint(settings));
  try {
    await checkPgDumpSupportsServer(runner, settings, options);
  } catch (error) {
    if (error instanceof HeadsupError && error.code === 'POSTGRES_TOOL_TOO_OLD') {
      return new HeadsupError(error.code, error.message, { hint: error.hint, cause: failure });
    }
    // The check could not run either (an unreachable server, for example), so the dump's own error
    // gives the reason.
  }

  return failure;
}

async function createPrivateFile(file: string): Promise<void> {
  const handle = await open(file, 'w', 0o600);
  try {
    // The mode given to open() applies only to a new file.
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}
