import { HeadsupError } from '../../errors.js';
import type { ProcessRunner } from '../../platform/exec.js';
import { runPgTool, succeeded, toolFailure, type PgTool, type PgToolOptions } from './connection.js';
import type { PostgresSettings } from './settings.js';
import { runSql } from './sql.js';

/**
 * A PostgreSQL release. From 10 on the major version is one number, so 15.18 is major 15, minor 18.
 * Before 10 it was two numbers, so 9.6.24 is major 9.6, minor 24.
 */
export interface PgVersion {
  major: number;
  minor: number;
  text: string;
}

/**
 * Runs `<tool> --version` and parses its output, for example
 * `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`. Development builds such as `17beta1`
 * count as minor 0.
 */
export async function pgToolVersion(runner: ProcessRunner, tool: PgTool = 'pg_dump', options: PgToolOptions = {}): Promise<PgVersion> {
  const noSettings = { host: '', port: 0, name: '', user: '', password: null, sslMode: null };
  const result = await runPgTool(runner, tool, ['--version'], noSettings, options);
  if (!succeeded(result)) throw toolFailure('POSTGRES_TOOL_FAILED', `${tool} --version failed`, result, noSettings, 'reinstall the PostgreSQL client programs');

  const version = parseToolVersion(result.stdout);
  if (!version) {
    throw new HeadsupError('POSTGRES_TOOL_FAILED', `cannot read a version in the output of ${tool} --version: ${JSON.stringify(result.stdout.trim().slice(0, 200))}`, {
      hint: 'check that the program on the PATH is the PostgreSQL client',
    });
  }

  return version;
}

export function parseToolVersion(output: string): PgVersion | null {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(output);
  if (!match) return null;

  const first = Number(match[1]);
  const text = match[0].replace(/^\(PostgreSQL\)\s+/, '');
  if (first >= 10) return { major: first, minor: Number(match[2] ?? 0), text };

  return { major: Number(`${first}.${match[2] ?? 0}`), minor: Number(match[3] ?? 0), text };
}

/** Reads the server's version from `server_version_num` (for example 150018 for 15.18). */
export async function postgresServerVersion(runner: ProcessRunner, settings: PostgresSettings, options: PgToolOptions = {}): Promise<PgVersion> {
  const output = await runSql(runner, settings, 'SHOW server_version_num;', { ...options, failureMessage: 'reading the PostgreSQL server version failed' });
  return parseServerVersionNumber(Number(output.trim()));
}

export function parseServerVersionNumber(number: number): PgVersion {
  if (number >= 100_000) {
    const major = Math.floor(number / 10_000);
    const minor = number % 10_000;
    return { major, minor, text: `${major}.${minor}` };
  }

  const major = Number(`${Math.floor(number / 10_000)}.${Math.floor(number / 100) % 100}`);
  const minor = number % 100;
  return { major, minor, text: `${major}.${minor}` };
}

/**
 * Throws POSTGRES_TOOL_TOO_OLD when pg_dump is of an older major version than the server: pg_dump
 * then exits with "aborting because of server version mismatch". A newer pg_dump can dump older
 * servers. Returns both versions otherwise.
 */
export async function checkPgDumpSupportsServer(runner: ProcessRunner, settings: PostgresSettings, options: PgToolOptions = {}): Promise<{ tool: PgVersion; server: PgVersion }> {
  const tool = await pgToolVersion(runner, 'pg_dump', options);
  const server = await postgresServerVersion(runner, settings, options);
  if (tool.major < server.major) {
    throw new HeadsupError(
      'POSTGRES_TOOL_TOO_OLD',
      `pg_dump ${tool.text} cannot dump the PostgreSQL ${server.text} server at ${settings.host}:${settings.port}: pg_dump must be of the server's major version or newer`,
      { hint: `install the PostgreSQL ${server.major} client programs (Debian: postgresql-client-${server.major}, from apt.postgresql.org where Debian has none)` },
    );
  }

  return { tool, server };
}
