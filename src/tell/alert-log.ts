import type { StateDatabase } from '../store/database.js';
import type { AlertKind } from './alert.js';

/**
 * The schema of the alert log, to be appended to the state database's migrations as one new
 * migration. One row per notifier and alert key; `send_count` counts successful deliveries, so a
 * row with `send_count = 0` records only failed attempts.
 */
export const ALERT_LOG_MIGRATION_SQL = `
  CREATE TABLE alert_log (
    notifier TEXT NOT NULL,
    alert_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    first_sent_at TEXT,
    last_sent_at TEXT,
    send_count INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_attempt_at TEXT NOT NULL,
    PRIMARY KEY (notifier, alert_key)
  );
`;

/** The log entry of one alert key at one notifier. */
export interface AlertLogEntry {
  notifier: string;
  key: string;
  kind: AlertKind;
  /** The first successful delivery; null while every attempt failed. */
  firstSentAt: Date | null;
  lastSentAt: Date | null;
  sendCount: number;
  /** The reason of the latest attempt when it failed; null after a success. */
  lastError: string | null;
  lastAttemptAt: Date;
}

interface AlertLogRow {
  notifier: string;
  alert_key: string;
  kind: string;
  first_sent_at: string | null;
  last_sent_at: string | null;
  send_count: number;
  last_error: string | null;
  last_attempt_at: string;
}

/** Records which alert each notifier delivered and when, so the dispatcher sends each once. */
export class AlertLogRepository {
  constructor(private readonly db: StateDatabase) {}

  find(notifier: string, key: string): AlertLogEntry | null {
    const row = this.db.prepare('SELECT * FROM alert_log WHERE notifier = ? AND alert_key = ?').get(notifier, key) as AlertLogRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** Records a successful delivery at `at` and clears the last error. */
  recordSent(notifier: string, key: string, kind: AlertKind, at: Date): void {
    const time = at.toISOString();
    this.db
      .prepare(
        `INSERT INTO alert_log (notifier, alert_key, kind, first_sent_at, last_sent_at, send_count, last_error, last_attempt_at)
         VALUES (?, ?, ?, ?, ?, 1, NULL, ?)
         ON CONFLICT (notifier, alert_key) DO UPDATE SET
           kind = excluded.kind,
           first_sent_at = COALESCE(alert_log.first_sent_at, excluded.first_sent_at),
           last_sent_at = excluded.last_sent_at,
           send_count = alert_log.send_count + 1,
           last_error = NULL,
           last_attempt_at = excluded.last_attempt_at`,
      )
      .run(notifier, key, kind, time, time, time);
  }

  /** Records a failed attempt; earlier successful deliveries stay recorded. */
  recordFailure(notifier: string, key: string, kind: AlertKind, at: Date, error: string): void {
    this.db
      .prepare(
        `INSERT INTO alert_log (notifier, alert_key, kind, send_count, last_error, last_attempt_at)
         VALUES (?, ?, ?, 0, ?, ?)
         ON CONFLICT (notifier, alert_key) DO UPDATE SET
           kind = excluded.kind,
           last_error = excluded.last_error,
           last_attempt_at = excluded.last_attempt_at`,
      )
      .run(notifier, key, kind, error, at.toISOString());
  }

  /** Lists the entries whose latest attempt failed, oldest attempt first. */
  failing(): AlertLogEntry[] {
    const rows = this.db.prepare('SELECT * FROM alert_log WHERE last_error IS NOT NULL ORDER BY last_attempt_at').all() as AlertLogRow[];
    return rows.map(toEntry);
  }
}

function toEntry(row: AlertLogRow): AlertLogEntry {
  return {
    notifier: row.notifier,
    key: row.alert_key,
    kind: row.kind as AlertKind,
    firstSentAt: row.first_sent_at === null ? null : new Date(row.first_sent_at),
    lastSentAt: row.last_sent_at === null ? null : new Date(row.last_sent_at),
    sendCount: row.send_count,
    lastError: row.last_error,
    lastAttemptAt: new Date(row.last_attempt_at),
  };
}
