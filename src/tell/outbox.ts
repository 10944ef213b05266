import type { StateDatabase } from '../store/database.js';
import type { Alert } from './alert.js';
import type { DispatchResult } from './dispatcher.js';

/** The schema of the outbox, appended to the state database's migrations. */
export const ALERT_OUTBOX_MIGRATION_SQL = `
  CREATE TABLE alert_outbox (
    alert_key TEXT PRIMARY KEY,
    alert TEXT NOT NULL,
    queued_at TEXT NOT NULL
  );
`;

/** How long an alert that no notifier accepts is retried before it is dropped: a week. */
export const OUTBOX_MAX_AGE_MS = 7 * 86_400_000;

/**
 * Keeps alerts until every notifier has taken them, so that an alert whose delivery failed (a
 * receiver down during the run) is sent on a later run even though the event behind it does not
 * happen again. The alert log still decides per notifier what was already delivered.
 */
export class AlertOutbox {
  constructor(private readonly db: StateDatabase) {}

  /** Adds alerts; an alert whose key is already queued keeps its first version. */
  queue(alerts: readonly Alert[], at: Date): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO alert_outbox (alert_key, alert, queued_at) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const alert of alerts) insert.run(alert.key, JSON.stringify(alert), at.toISOString());
    })();
  }

  /** Returns the queued alerts, oldest first, after dropping those queued longer than a week ago. */
  pending(now: Date): Alert[] {
    this.db.prepare('DELETE FROM alert_outbox WHERE queued_at < ?').run(new Date(now.getTime() - OUTBOX_MAX_AGE_MS).toISOString());
    const rows = this.db.prepare('SELECT alert FROM alert_outbox ORDER BY queued_at, rowid').all() as Array<{ alert: string }>;
    return rows.map((row) => {
      const alert = JSON.parse(row.alert) as Alert & { at: string };
      return { ...alert, at: new Date(alert.at) };
    });
  }

  /** Removes the alerts that no notifier failed to take in `result`. */
  settle(result: DispatchResult): void {
    const failed = new Set(result.deliveries.filter((delivery) => delivery.status === 'failed').map((delivery) => delivery.key));
    const keys = new Set(result.deliveries.map((delivery) => delivery.key));
    const remove = this.db.prepare('DELETE FROM alert_outbox WHERE alert_key = ?');
    this.db.transaction(() => {
      for (const key of keys) if (!failed.has(key)) remove.run(key);
    })();
  }
}
