import type { ProcessRunner } from '../../platform/exec.js';
import { connectionString, runPgTool, succeeded, toolFailure, type PgToolOptions } from './connection.js';
import type { PostgresSettings } from './settings.js';

/** Default limit of one psql call; statements here are catalogue queries and DDL. */
const SQL_TIMEOUT_MS = 60_000;

export interface SqlOptions extends PgToolOptions {
  /** Database to connect to instead of the settings' database. */
  database?: string;
  /** Wraps the statements in one transaction (`psql --single-transaction`). */
  singleTransaction?: boolean;
  /** Error code when psql fails. Default: POSTGRES_SQL_FAILED. */
  errorCode?: string;
  /** Start of the error message when psql fails. Default: "psql failed". */
  failureMessage?: string;
  hint?: string;
}

/**
 * Runs SQL through psql on standard input and returns its unaligned, tuples-only output
 * (`-At`: one row per line, columns separated by `|`). Stops at the first error. The SQL never
 * appears on the command line, so it may contain values that do not belong in a process list.
 */
export async function runSql(runner: ProcessRunner, settings: PostgresSettings, sql: string, options: SqlOptions = {}): Promise<string> {
  const args = ['--no-psqlrc', '--no-password', '--quiet', '--no-align', '--tuples-only', '--set=ON_ERROR_STOP=1', '--file=-'];
  if (options.singleTransaction) args.push('--single-transaction');
  args.push(`--dbname=${connectionString(settings, options.database)}`);

  const result = await runPgTool(runner, 'psql', args, settings, { ...options, timeoutMs: options.timeoutMs ?? SQL_TIMEOUT_MS, input: sql });
  if (!succeeded(result)) {
    throw toolFailure(options.errorCode ?? 'POSTGRES_SQL_FAILED', options.failureMessage ?? 'psql failed', result, settings, options.hint ?? connectionHint(settings));
  }

  return result.stdout;
}

/** Quotes an SQL identifier such as a database or role name. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes an SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Builds the hint for a failure to reach or use the database, naming the Headscale config keys. */
export function connectionHint(settings: PostgresSettings): string {
  return `check that PostgreSQL accepts ${settings.user} on ${settings.host}:${settings.port} (database.postgres.* in the Headscale config, pg_hba.conf on the server)`;
}
