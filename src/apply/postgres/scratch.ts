import { randomBytes } from 'node:crypto';

import { HeadsupError } from '../../errors.js';
import type { ProcessRunner } from '../../platform/exec.js';
import type { PgToolOptions } from './connection.js';
import { restoreDatabase } from './restore.js';
import type { PostgresSettings } from './settings.js';
import { quoteIdentifier, quoteLiteral, runSql } from './sql.js';
import { postgresServerVersion } from './tool-version.js';

/** Every scratch database name starts with this, and dropScratchCopy drops no other database. */
export const SCRATCH_PREFIX = 'headsup_rehearsal_';

/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN − 1). */
const MAX_IDENTIFIER_LENGTH = 63;
const SCRATCH_NAME = new RegExp(`^${SCRATCH_PREFIX}[a-z0-9_]+$`);

/** Returns a fresh scratch database name: the prefix and 12 random hex digits. */
export function scratchDatabaseName(): string {
  return `${SCRATCH_PREFIX}${randomBytes(6).toString('hex')}`;
}

/**
 * Creates the database `name` on the same server, from `template0` with the encoding and locale
 * of the original database, and restores `dumpFile` into it. Returns the settings of the copy,
 * which differ from `settings` only in the database name. The database user needs the CREATEDB
 * privilege. When the restore fails, the new database is dropped again. Fails when `name` exists,
 * so that it never overwrites a database.
 */
export async function createScratchCopy(runner: ProcessRunner, settings: PostgresSettings, dumpFile: string, name = scratchDatabaseName(), options: PgToolOptions = {}): Promise<PostgresSettings> {
  checkScratchName(settings, name);
  const [encoding = 'UTF8', collate = 'C', ctype = 'C'] = (
    await runSql(runner, settings, 'SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = current_database();', options)
  )
    .trim()
    .split('|');

  await runSql(runner, settings, `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE template0 ENCODING ${quoteLiteral(encoding)} LC_COLLATE ${quoteLiteral(collate)} LC_CTYPE ${quoteLiteral(ctype)};`, {
    ...options,
    errorCode: 'POSTGRES_SCRATCH_FAILED',
    failureMessage: `creating the scratch database ${name} failed`,
    hint: `grant CREATEDB to ${settings.user} (ALTER ROLE ${settings.user} CREATEDB), or drop a leftover database ${name}`,
  });

  const copy = { ...settings, name };
  try {
    await restoreDatabase(runner, copy, dumpFile, options);
  } catch (error) {
    await dropScratchCopy(runner, settings, copy, options).catch(() => undefined);
    throw error;
  }

  return copy;
}

/**
 * Drops a scratch database made by createScratchCopy, ending the sessions still connected to it
 * (such as a rehearsal server that did not exit). Connects to the original database of
 * `settings`. Succeeds when the copy no longer exists. Rejects any name without the scratch prefix
 * and the original database itself.
 */
export async function dropScratchCopy(runner: ProcessRunner, settings: PostgresSettings, scratch: PostgresSettings | string, options: PgToolOptions = {}): Promise<void> {
  const name = typeof scratch === 'string' ? scratch : scratch.name;
  checkScratchName(settings, name);

  // DROP DATABASE ... WITH (FORCE) exists from PostgreSQL 13 on.
  const server = await postgresServerVersion(runner, settings, options);
  const force = server.major >= 13 ? ' WITH (FORCE)' : '';
  await runSql(runner, settings, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)}${force};`, {
    ...options,
    errorCode: 'POSTGRES_SCRATCH_FAILED',
    failureMessage: `dropping the scratch database ${name} failed`,
    hint: `drop it by hand: DROP DATABASE ${quoteIdentifier(name)};`,
  });
}

function checkScratchName(settings: PostgresSettings, name: string): void {
  if (SCRATCH_NAME.test(name) && name.length <= MAX_IDENTIFIER_LENGTH && name !== settings.name) return;

  throw new HeadsupError('POSTGRES_SCRATCH_NAME_INVALID', `"${name}" is not a scratch database name`, {
    hint: `scratch databases are named ${SCRATCH_PREFIX} followed by lower-case letters, digits or _ (at most ${MAX_IDENTIFIER_LENGTH} characters in all)`,
  });
}
