import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/**
 * Schema migrations of the state database, applied in order, each in its own transaction.
 * Append new migrations; never edit one that has shipped.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    up(db) {
      db.exec(`
        CREATE TABLE channel_state (
          channel TEXT PRIMARY KEY,
          etag TEXT,
          data TEXT,
          last_success_at TEXT,
          last_attempt_at TEXT,
          last_error TEXT,
          last_error_at TEXT
        );

        CREATE TABLE installed_binaries (
          sha256 TEXT PRIMARY KEY,
          version TEXT NOT NULL,
          path TEXT NOT NULL,
          installed_at TEXT NOT NULL
        );

        CREATE TABLE hops (
          id INTEGER PRIMARY KEY,
          instance TEXT NOT NULL,
          from_version TEXT NOT NULL,
          to_version TEXT NOT NULL,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          outcome TEXT,
          error TEXT,
          backup_dir TEXT
        );
        CREATE INDEX hops_instance ON hops (instance, id);

        CREATE TABLE hop_steps (
          id INTEGER PRIMARY KEY,
          hop_id INTEGER NOT NULL REFERENCES hops (id),
          step TEXT NOT NULL,
          status TEXT NOT NULL,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          detail TEXT
        );
        CREATE INDEX hop_steps_hop ON hop_steps (hop_id, id);

        CREATE TABLE events (
          id INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          instance TEXT,
          kind TEXT NOT NULL,
          message TEXT NOT NULL,
          data TEXT
        );
      `);
    },
  },
  {
    version: 2,
    name: 'hop journal details for crash recovery',
    up(db) {
      db.exec(`
        ALTER TABLE hops ADD COLUMN artifact_path TEXT;
        ALTER TABLE hops ADD COLUMN artifact_sha256 TEXT;
        ALTER TABLE hops ADD COLUMN previous_sha256 TEXT;
        CREATE INDEX hops_unfinished ON hops (instance) WHERE outcome IS NULL;
      `);
    },
  },
  {
    version: 3,
    name: 'checksums of verified release binaries',
    up(db) {
      db.exec(`
        CREATE TABLE verified_artifacts (
          version TEXT NOT NULL,
          asset TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          first_verified_at TEXT NOT NULL,
          PRIMARY KEY (version, asset)
        );
      `);
    },
  },
];
