import { join } from 'node:path';

import { HeadsupError } from '../../errors.js';
import { describeFailure, type ProcessRunner, type RunResult } from '../../platform/exec.js';
import type { PostgresSettings } from './settings.js';

export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

/** How to run the PostgreSQL client programs. */
export interface PgToolOptions {
  /** Folder of pg_dump, pg_restore and psql, e.g. `/usr/lib/postgresql/16/bin`. Default: found on the PATH. */
  binDir?: string;
  /** Kills the program (SIGKILL) after this many milliseconds. Each caller sets its own default. */
  timeoutMs?: number;
}

/** Seconds libpq waits for the server to accept a connection before it gives up. */
const CONNECT_TIMEOUT_SECONDS = 10;

/**
 * Builds a libpq connection string for `database` (default: the settings' database), without the
 * password. Values are quoted, so a database name is never read as a second connection string.
 */
export function connectionString(settings: PostgresSettings, database = settings.name): string {
  const parts = [`host=${quote(settings.host)}`, `port=${settings.port}`, `user=${quote(settings.user)}`, `dbname=${quote(database)}`];
  if (settings.sslMode !== null) parts.push(`sslmode=${quote(settings.sslMode)}`);

  return parts.join(' ');
}

/**
 * Runs a PostgreSQL client program. The password reaches the child only through its PGPASSWORD
 * variable. Inherited PG* variables that would redirect the connection are cleared, and
 * `--no-password` in `args` keeps libpq from prompting on the terminal. Throws
 * POSTGRES_TOOL_MISSING when the program is not installed, and returns any exit status.
 */
export async function runPgTool(runner: ProcessRunner, tool: PgTool, args: readonly string[], settings: PostgresSettings, options: PgToolOptions & { input?: string } = {}): Promise<RunResult> {
  const file = options.binDir ? join(options.binDir, tool) : tool;
  const env = {
    PGPASSWORD: settings.password ?? undefined,
    PGCONNECT_TIMEOUT: String(CONNECT_TIMEOUT_SECONDS),
    PGSERVICE: undefined,
    PGSERVICEFILE: undefined,
    PGHOSTADDR: undefined,
    PGOPTIONS: undefined,
    PGDATABASE: undefined,
  };

  try {
    return await runner.run(file, args, { env, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.input !== undefined ? { input: options.input } : {}) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;

    throw new HeadsupError('POSTGRES_TOOL_MISSING', `${file} was not found`, {
      hint: options.binDir ? `install the PostgreSQL client programs into ${options.binDir}` : 'install the PostgreSQL client programs (Debian: apt-get install postgresql-client)',
      cause: error,
    });
  }
}

/** True when the program exited 0 and was not killed. */
export function succeeded(result: RunResult): boolean {
  return result.exitCode === 0 && !result.timedOut;
}

/**
 * Builds the error of a failed run: what failed, then the reason, the command (which carries no
 * password) and the end of stderr. Any occurrence of the password is replaced, in case a server
 * or program echoes it.
 */
export function toolFailure(code: string, summary: string, result: RunResult, settings: PostgresSettings, hint: string): HeadsupError {
  return new HeadsupError(code, redact(`${summary}: ${describeFailure(result)}`, settings), { hint });
}

/** Replaces every occurrence of the settings' password in `text`. */
export function redact(text: string, settings: PostgresSettings): string {
  return settings.password ? text.replaceAll(settings.password, '[password hidden]') : text;
}

/** Quotes a value for a libpq connection string: single quotes, with `\` and `'` escaped. */
function quote(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
