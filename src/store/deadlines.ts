import type { StateDatabase } from './database.js';

/** A patch deadline as first recorded for one instance and one vulnerability. */
export interface StoredDeadline {
  instance: string;
  vulnerabilityId: string;
  severity: string;
  startsAt: Date;
  dueAt: Date;
  recordedAt: Date;
}

interface DeadlineRow {
  instance: string;
  vulnerability_id: string;
  severity: string;
  starts_at: string;
  due_at: string;
  recorded_at: string;
}

/**
 * Keeps patch deadlines so that they never move once set. The first deadline recorded for an
 * instance and a vulnerability stays, even when a later poll brings a new severity, a new
 * advisory date or changed windows. A team that planned for a date must be able to rely on it.
 */
export class DeadlineRepository {
  constructor(private readonly db: StateDatabase) {}

  /** Records `deadline` unless one exists for the pair, and returns the one in force. */
  settle(deadline: StoredDeadline): StoredDeadline {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO vulnerability_deadlines (instance, vulnerability_id, severity, starts_at, due_at, recorded_at)
         VALUES (@instance, @vulnerabilityId, @severity, @startsAt, @dueAt, @recordedAt)`,
      )
      .run({
        instance: deadline.instance,
        vulnerabilityId: deadline.vulnerabilityId,
        severity: deadline.severity,
        startsAt: deadline.startsAt.toISOString(),
        dueAt: deadline.dueAt.toISOString(),
        recordedAt: deadline.recordedAt.toISOString(),
      });
    return this.get(deadline.instance, deadline.vulnerabilityId)!;
  }

  get(instance: string, vulnerabilityId: string): StoredDeadline | null {
    const row = this.db
      .prepare('SELECT * FROM vulnerability_deadlines WHERE instance = ? AND vulnerability_id = ?')
      .get(instance, vulnerabilityId) as DeadlineRow | undefined;
    return row ? fromRow(row) : null;
  }

  forInstance(instance: string): StoredDeadline[] {
    const rows = this.db.prepare('SELECT * FROM vulnerability_deadlines WHERE instance = ? ORDER BY due_at').all(instance) as DeadlineRow[];
    return rows.map(fromRow);
  }
}

function fromRow(row: DeadlineRow): StoredDeadline {
  return {
    instance: row.instance,
    vulnerabilityId: row.vulnerability_id,
    severity: row.severity,
    startsAt: new Date(row.starts_at),
    dueAt: new Date(row.due_at),
    recordedAt: new Date(row.recorded_at),
  };
}
