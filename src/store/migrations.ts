import type Database from 'better-sqlite3';
import { ALERT_LOG_MIGRATION_SQL } from '../tell/alert-log.js';
import { ALERT_OUTBOX_MIGRATION_SQL } from '../tell/outbox.js';

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
  {
    version: 4,
    name: 'patch deadlines and first channel attempts',
    up(db) {
      db.exec(`
        CREATE TABLE vulnerability_deadlines (
          instance TEXT NOT NULL,
          vulnerability_id TEXT NOT NULL,
          severity TEXT NOT NULL,
          starts_at TEXT NOT NULL,
          due_at TEXT NOT NULL,
          recorded_at TEXT NOT NULL,
          PRIMARY KEY (instance, vulnerability_id)
        );
        ALTER TABLE channel_state ADD COLUMN first_attempt_at TEXT;
        UPDATE channel_state SET first_attempt_at = COALESCE(last_success_at, last_attempt_at);
      `);
    },
  },
  {
    version: 5,
    name: 'upgrade approvals',
    up(db) {
      db.exec(`
        CREATE TABLE approvals (
          id INTEGER PRIMARY KEY,
          instance TEXT NOT NULL,
          version TEXT NOT NULL,
          approved_by TEXT NOT NULL,
          reason TEXT NOT NULL,
          approved_at TEXT NOT NULL
        );
        CREATE INDEX approvals_instance ON approvals (instance, version);
      `);
    },
  },
  {
    version: 6,
    name: 'alert log and the releases and advisories already seen',
    up(db) {
      db.exec(ALERT_LOG_MIGRATION_SQL);
      db.exec(`
        CREATE TABLE seen_items (
          kind TEXT NOT NULL,
          id TEXT NOT NULL,
          first_seen_at TEXT NOT NULL,
          PRIMARY KEY (kind, id)
        );
      `);
    },
  },
  {
    version: 7,
    name: 'alerts waiting for delivery',
    up(db) {
      db.exec(ALERT_OUTBOX_MIGRATION_SQL);
    },
  },
  {
    version: 8,
    name: 'revoked approvals',
    up(db) {
      db.exec(`
        ALTER TABLE approvals ADD COLUMN revoked_at TEXT;
        ALTER TABLE approvals ADD COLUMN revoked_by TEXT;
        ALTER TABLE approvals ADD COLUMN revoke_reason TEXT;
      `);
    },
  },
];
