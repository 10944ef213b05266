import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HeadsupError } from '../errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type StateDatabase = Database.Database;

/**
 * Opens (creating when needed) the state database and brings its schema up to date. `:memory:`
 * gives a private in-memory database for tests.
 */
export function openStateDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): StateDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });

  let db: StateDatabase;
  try {
    db = new Database(path);
  } catch (error) {
    throw new HeadsupError('STATE_OPEN_FAILED', `cannot open the state database ${path}: ${(error as Error).message}`, {
      hint: 'check that the directory exists and is writable, or set `state:` in the config to another path',
      cause: error,
    });
  }
  // First, so that two processes opening a new file at once wait for each other below.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // The hop journal must survive a crash or power loss the moment a step is recorded.
  db.pragma('synchronous = FULL');
  migrate(db, migrations, path);
  return db;
}

/**
 * Applies the missing migrations in one immediate transaction, which takes the write lock before
 * reading the schema version. Two headsup processes that open a new state file at the same moment
 * (two `run`s started by cron and by hand) then migrate one after the other, never both.
 */
function migrate(db: StateDatabase, migrations: readonly Migration[], path: string): void {
  db.transaction(() => migrateLocked(db, migrations, path)).immediate();
}

function migrateLocked(db: StateDatabase, migrations: readonly Migration[], path: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  const current = row.version ?? 0;
  const newest = migrations.at(-1)?.version ?? 0;

  if (current > newest) {
    throw new HeadsupError(
      'STATE_TOO_NEW',
      `the state database ${path} has schema version ${current}, but this headsup knows only up to ${newest}`,
      { hint: 'run the newer headsup that wrote it, or point `state:` at another file' },
    );
  }

  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    migration.up(db);
    record.run(migration.version, migration.name, new Date().toISOString());
  }
}

export function schemaVersion(db: StateDatabase): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}
