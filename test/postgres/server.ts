import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { runSql } from '../../src/apply/postgres/sql.js';
import { quoteIdentifier, quoteLiteral } from '../../src/apply/postgres/sql.js';
import type { PostgresSettings } from '../../src/apply/postgres/settings.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';

/** Returns the settings file that scripts/setup-postgres.sh writes: `$HEADSUP_POSTGRES_ENV` or `~/.cache/headsup/postgres.env`. */
export function testServerSettingsPath(): string {
  return process.env.HEADSUP_POSTGRES_ENV || join(homedir(), '.cache', 'headsup', 'postgres.env');
}

/**
 * Reads the test server's admin settings (the role with CREATEDB and CREATEROLE). Throws with the
 * command to run when the file is missing, so PostgreSQL tests fail instead of being skipped.
 */
export function readTestServerSettings(path = testServerSettingsPath()): PostgresSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`the PostgreSQL test server is not set up: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}); run bash scripts/setup-postgres.sh as root`, { cause: error });
  }

  const values = parseEnvFile(text);
  const required = (key: string): string => {
    const value = values.get(key);
    if (value === undefined || value === '') throw new Error(`${path} has no ${key}; run bash scripts/setup-postgres.sh again`);
    return value;
  };

  return {
    host: required('HEADSUP_PG_HOST'),
    port: Number(required('HEADSUP_PG_PORT')),
    name: values.get('HEADSUP_PG_DATABASE') || 'postgres',
    user: required('HEADSUP_PG_USER'),
    password: required('HEADSUP_PG_PASSWORD'),
    sslMode: 'disable',
  };
}

/**
 * Parses `KEY='value'` lines as setup-postgres.sh writes them: shell single quotes, where a quote
 * inside the value is written `'\''`.
 */
export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match) continue;

    values.set(match[1]!, unquoteShell(match[2]!));
  }

  return values;
}

function unquoteShell(raw: string): string {
  let value = '';
  for (const part of raw.matchAll(/'([^']*)'|\\(.)|([^'\\]+)/g)) value += part[1] ?? part[2] ?? part[3] ?? '';
  return value;
}

/** A database of one lab instance, owned by a role of its own that logs in with a password. */
export interface LabDatabase extends PostgresSettings {
  password: string;
}

/** Name prefix of lab roles and databases; the pid of the creating process follows it. */
const LAB_PREFIX = 'headsup_lab_';

/**
 * Creates a role with LOGIN and CREATEDB (for rehearsal copies) and a database it owns, both
 * named `headsup_lab_<pid>_<random>`. Owning the database makes the role the owner of its
 * `public` schema from PostgreSQL 15 on, as a Headscale role usually is. Lab databases of
 * processes that no longer run are dropped first.
 */
export async function createLabDatabase(admin = readTestServerSettings()): Promise<LabDatabase> {
  await dropStaleLabDatabases(admin);

  const name = `${LAB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  await runSql(
    nodeProcessRunner,
    admin,
    `CREATE ROLE ${quoteIdentifier(name)} LOGIN CREATEDB PASSWORD ${quoteLiteral(password)};
GRANT ${quoteIdentifier(name)} TO CURRENT_USER;`,
    { failureMessage: `creating the lab role ${name} failed` },
  );
  await runSql(nodeProcessRunner, admin, `CREATE DATABASE ${quoteIdentifier(name)} OWNER ${quoteIdentifier(name)};`, { failureMessage: `creating the lab database ${name} failed` });

  return { ...admin, name, user: name, password };
}

/** Drops the lab database, the rehearsal copies its role made, and the role. Succeeds when they are gone already. */
export async function dropLabDatabase(database: Pick<PostgresSettings, 'user'>, admin = readTestServerSettings()): Promise<void> {
  const role = database.user;
  const owned = await runSql(nodeProcessRunner, admin, `SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = ${quoteLiteral(role)};`);
  for (const name of owned.split('\n').filter((line) => line !== '')) {
    await runSql(nodeProcessRunner, admin, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE);`, { failureMessage: `dropping the lab database ${name} failed` });
  }

  await runSql(nodeProcessRunner, admin, `DROP ROLE IF EXISTS ${quoteIdentifier(role)};`, { failureMessage: `dropping the lab role ${role} failed` });
}

/** Drops lab roles (and their databases) whose creating process no longer runs, left by a killed test run. */
async function dropStaleLabDatabases(admin: PostgresSettings): Promise<void> {
  const roles = await runSql(nodeProcessRunner, admin, `SELECT rolname FROM pg_roles WHERE rolname LIKE '${LAB_PREFIX}%';`);
  for (const role of roles.split('\n').filter((line) => line !== '')) {
    const pid = Number(/^headsup_lab_(\d+)_/.exec(role)?.[1]);
    // Another test process may be dropping the same leftovers at this moment; its drop wins.
    if (Number.isInteger(pid) && pid > 0 && !processRuns(pid)) await dropLabDatabase({ user: role }, admin).catch(() => undefined);
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
