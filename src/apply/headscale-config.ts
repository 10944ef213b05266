import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { HeadsupError } from '../errors.js';

/** The files of an instance that a backup must hold, as its Headscale config names them. */
export interface HeadscaleFiles {
  databaseType: 'sqlite' | 'postgres';
  /** SQLite database path; null for PostgreSQL. */
  sqlitePath: string | null;
  /** Private keys and other files the server reads: Noise key, DERP key, legacy key, TLS key and certificate, file policy. */
  keyFiles: string[];
  policyFile: string | null;
  /** The Noise private key clients know the server by; null when the config names none. */
  noiseKeyPath: string | null;
}

type Tree = Record<string, unknown>;

/**
 * Reads the paths a Headscale config points at. It understands both the layout of 0.23 and later
 * (`database.sqlite.path`, `noise.private_key_path`, `policy.path`) and the older one (`db_type`,
 * `db_path`, `private_key_path`, `acl_policy_path`). Relative paths resolve against the config
 * file's directory, as Headscale resolves them.
 */
export async function readHeadscaleFiles(configPath: string): Promise<HeadscaleFiles> {
  let tree: Tree;
  try {
    tree = (parse(await readFile(configPath, 'utf8')) ?? {}) as Tree;
  } catch (error) {
    throw new HeadsupError('HEADSCALE_CONFIG_UNREADABLE', `cannot read the Headscale config ${configPath}: ${(error as Error).message}`, {
      hint: 'check the `config:` path of the instance in the headsup config',
      cause: error,
    });
  }

  const base = dirname(configPath);
  const path = (value: unknown) => (typeof value === 'string' && value !== '' ? absolute(value, base) : null);

  const type = String(configValueAt(tree, 'database.type') ?? configValueAt(tree, 'db_type') ?? 'sqlite');
  const databaseType = type.startsWith('postgres') ? 'postgres' : 'sqlite';
  const sqlitePath = databaseType === 'sqlite' ? path(configValueAt(tree, 'database.sqlite.path') ?? configValueAt(tree, 'db_path')) : null;

  if (databaseType === 'sqlite' && !sqlitePath) {
    throw new HeadsupError('HEADSCALE_CONFIG_NO_DATABASE', `the Headscale config ${configPath} names no SQLite database path`, {
      hint: 'set `database.sqlite.path` in the Headscale config (or `db_path` before 0.23)',
    });
  }

  const policyFile = path(configValueAt(tree, 'policy.path') ?? configValueAt(tree, 'acl_policy_path'));
  const candidates = [
    configValueAt(tree, 'noise.private_key_path'),
    configValueAt(tree, 'derp.server.private_key_path'),
    configValueAt(tree, 'private_key_path'),
    configValueAt(tree, 'tls_key_path'),
    configValueAt(tree, 'tls_cert_path'),
  ];
  const keyFiles = [...new Set(candidates.map(path).filter((p): p is string => p !== null))];

  return { databaseType, sqlitePath, keyFiles, policyFile, noiseKeyPath: path(configValueAt(tree, 'noise.private_key_path')) };
}

/** Looks up a dotted key such as `database.sqlite.path` in a parsed YAML tree; undefined when absent. */
export function configValueAt(tree: Tree, dotted: string): unknown {
  let current: unknown = tree;
  for (const key of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Tree)[key];
  }
  return current;
}

function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
