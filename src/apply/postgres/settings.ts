import { readFile } from 'node:fs/promises';

import { parse } from 'yaml';

import { HeadsupError } from '../../errors.js';
import { configValueAt } from '../headscale-config.js';

/** How to reach the PostgreSQL database of a Headscale instance, as its config names it. */
export interface PostgresSettings {
  /** Host name, IP address, or the directory of a unix socket (a value starting with `/`). */
  host: string;
  port: number;
  /** Database name. */
  name: string;
  user: string;
  /** Null when the config sets none; libpq then falls back to `~/.pgpass`. */
  password: string | null;
  /** libpq `sslmode`, or null for the client default (`prefer`). */
  sslMode: string | null;
}

/** Port that Headscale's driver (pgx) and libpq use when the config sets none or 0. */
export const DEFAULT_POSTGRES_PORT = 5432;

type Tree = Record<string, unknown>;

/** Config keys of the PostgreSQL settings, from 0.23 on and before. */
const KEYS = {
  current: { type: 'database.type', host: 'database.postgres.host', port: 'database.postgres.port', name: 'database.postgres.name', user: 'database.postgres.user', pass: 'database.postgres.pass', ssl: 'database.postgres.ssl' },
  legacy: { type: 'db_type', host: 'db_host', port: 'db_port', name: 'db_name', user: 'db_user', pass: 'db_pass', ssl: 'db_ssl' },
} as const;

type KeySet = (typeof KEYS)[keyof typeof KEYS];

/**
 * Reads the PostgreSQL settings from a Headscale config: `database.postgres.{host,port,name,user,pass,ssl}`
 * (0.23 and later) or `db_{host,port,name,user,pass,ssl}` (before 0.23). Defaults follow Headscale
 * 0.22.3–0.29.2: port 5432 when unset or 0, the database name is the user name when unset, and
 * `ssl` defaults to false (`sslmode=disable`).
 *
 * Headscale also reads every key from `HEADSCALE_<KEY>` variables (dots become `_`), which win over
 * the file. headsup does not run in the service's environment, so a caller whose service sets such
 * variables passes them as `environment`. By default only the file is read.
 */
export async function readPostgresSettings(headscaleConfigPath: string, environment: Readonly<Record<string, string | undefined>> = {}): Promise<PostgresSettings> {
  const tree = await readTree(headscaleConfigPath);
  const keys = 'database' in tree ? KEYS.current : configValueAt(tree, KEYS.legacy.type) !== undefined ? KEYS.legacy : KEYS.current;
  const value = (key: string): unknown => environment[`HEADSCALE_${key.toUpperCase().replaceAll('.', '_')}`] ?? configValueAt(tree, key);

  const type = text(value(keys.type));
  if (!type.startsWith('postgres')) {
    throw new HeadsupError('HEADSCALE_CONFIG_NOT_POSTGRES', `the Headscale config ${headscaleConfigPath} sets ${keys.type} to "${type || 'sqlite'}", not postgres`, {
      hint: 'read PostgreSQL settings only for an instance whose database.type is postgres',
    });
  }

  return settingsFrom(headscaleConfigPath, keys, value);
}

function settingsFrom(configPath: string, keys: KeySet, value: (key: string) => unknown): PostgresSettings {
  const host = text(value(keys.host));
  const user = text(value(keys.user));
  if (host === '') throw missing(configPath, keys.host, 'a host name, an IP address or the directory of a unix socket');
  // Headscale's driver would log in as the operating-system user of the Headscale process, which
  // headsup cannot know.
  if (user === '') throw missing(configPath, keys.user, 'the role Headscale logs in as');

  const password = text(value(keys.pass));
  return {
    host,
    port: parsePort(configPath, keys.port, value(keys.port)),
    name: text(value(keys.name)) || user,
    user,
    password: password === '' ? null : password,
    sslMode: sslModeOf(value(keys.ssl)),
  };
}

/**
 * Maps the `ssl` key as Headscale 0.22.3–0.29.2 does: a Go boolean false gives `sslmode=disable`,
 * true adds no sslmode (the client default), any other text is the sslmode itself.
 */
function sslModeOf(raw: unknown): string | null {
  const ssl = raw === undefined || raw === null ? 'false' : text(raw);
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(ssl)) return 'disable';
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(ssl)) return null;

  return ssl;
}

function parsePort(configPath: string, key: string, raw: unknown): number {
  const port = raw === undefined || raw === null || raw === '' ? 0 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new HeadsupError('HEADSCALE_CONFIG_INVALID_PORT', `the Headscale config ${configPath} sets ${key} to ${JSON.stringify(raw)}, which is not a TCP port`, {
      hint: `set ${key} to a number from 1 to 65535, or leave it out for ${DEFAULT_POSTGRES_PORT}`,
    });
  }

  return port === 0 ? DEFAULT_POSTGRES_PORT : port;
}

function missing(configPath: string, key: string, expected: string): HeadsupError {
  return new HeadsupError('HEADSCALE_CONFIG_NO_POSTGRES_SETTING', `the Headscale config ${configPath} does not set ${key}`, {
    hint: `set ${key} to ${expected}`,
  });
}

async function readTree(configPath: string): Promise<Tree> {
  try {
    const tree: unknown = parse(await readFile(configPath, 'utf8'));
    return tree !== null && typeof tree === 'object' ? (tree as Tree) : {};
  } catch (error) {
    throw new HeadsupError('HEADSCALE_CONFIG_UNREADABLE', `cannot read the Headscale config ${configPath}: ${(error as Error).message}`, {
      hint: 'check the `config:` path of the instance in the headsup config',
      cause: error,
    });
  }
}


/** Renders a scalar as viper's GetString does, untrimmed; absent values become ''. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value);
}
