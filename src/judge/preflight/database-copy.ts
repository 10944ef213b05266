import { realpath } from 'node:fs/promises';

import Database from 'better-sqlite3';

import { finding, type PreflightFinding, type PreflightInput } from './types.js';

export type SqliteDatabase = Database.Database;

/** The copy of the database, opened read-only, with the names that differ between versions. */
export interface DatabaseCopy {
  db: SqliteDatabase;
  /** `nodes` from 0.23 on; `machines` in 0.22 and earlier (0.23's migration renames it). */
  nodesTable: string;
  /** The live database path, for the commands a fix prints. */
  livePath: string;
}

export const DATABASE_COPY_CHECK = 'database-copy';

/**
 * Opens the caller's copy read-only, or returns the finding that explains why the database probes
 * cannot run: no copy, a PostgreSQL instance, a copy path that is the live database, or a file
 * SQLite cannot open.
 */
export async function openDatabaseCopy(input: PreflightInput): Promise<DatabaseCopy | PreflightFinding> {
  const livePath = input.files.sqlitePath;
  if (input.files.databaseType !== 'sqlite' || livePath === null) {
    return finding(DATABASE_COPY_CHECK, 'warn', 'the instance uses PostgreSQL; the database probes support SQLite only', 'run the probes\' queries by hand on a scratch database restored from `pg_dump`');
  }

  const copyPath = input.databaseCopyPath;
  if (copyPath === null) {
    return finding(DATABASE_COPY_CHECK, 'warn', `no copy of ${livePath} was given, so the database probes did not run`, 'make a consistent copy (stop Headscale and copy db.sqlite with its -wal and -shm files, or `sqlite3 db.sqlite ".backup copy.sqlite"`) and pass it as the database copy');
  }

  if ((await canonical(copyPath)) === (await canonical(livePath))) {
    return finding(DATABASE_COPY_CHECK, 'fail', `the database copy ${copyPath} is the live database; the probes run only on a copy`, `pass a copy, e.g. \`sqlite3 ${livePath} ".backup /tmp/headscale-copy.sqlite"\``);
  }

  let db: SqliteDatabase;
  try {
    db = new Database(copyPath, { readonly: true, fileMustExist: true });
    db.pragma('schema_version');
  } catch (error) {
    return finding(DATABASE_COPY_CHECK, 'fail', `cannot open the database copy ${copyPath}: ${(error as Error).message}`, `check that ${copyPath} is a complete SQLite file (\`sqlite3 ${copyPath} "PRAGMA integrity_check"\`)`);
  }

  return { db, nodesTable: tableExists(db, 'nodes') || !tableExists(db, 'machines') ? 'nodes' : 'machines', livePath };
}

export function tableExists(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

export function columnsOf(db: SqliteDatabase, table: string): Set<string> {
  const rows = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>;
  return new Set(rows.map((row) => row.name));
}

/** Quotes an SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The sqlite3 command line that runs `sql` on the live database; Headscale must be stopped first. */
export function sqliteCommand(livePath: string, sql: string): string {
  return `sqlite3 ${shellQuote(livePath)} ${shellQuote(sql)}`;
}

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Formats a node for a message: `3 (user2-node1)`. */
export function describeNode(row: { id: number; given_name?: string | null; hostname?: string | null }): string {
  const name = row.given_name || row.hostname;
  return name ? `${row.id} (${name})` : String(row.id);
}

async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}
