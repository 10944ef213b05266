import type { StateDatabase } from './database.js';

/** Something that happened, kept for the audit log and reports. */
export interface EventRecord {
  at: Date;
  instance: string | null;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}

export class EventRepository {
  constructor(private readonly db: StateDatabase) {}

  append(event: EventRecord): void {
    this.db
      .prepare('INSERT INTO events (at, instance, kind, message, data) VALUES (?, ?, ?, ?, ?)')
      .run(event.at.toISOString(), event.instance, event.kind, event.message, event.data ? JSON.stringify(event.data) : null);
  }

  recent(limit = 50): EventRecord[] {
    const rows = this.db.prepare('SELECT at, instance, kind, message, data FROM events ORDER BY id DESC LIMIT ?').all(limit) as Array<{
      at: string;
      instance: string | null;
      kind: string;
      message: string;
      data: string | null;
    }>;
    return rows.map((row) => ({
      at: new Date(row.at),
      instance: row.instance,
      kind: row.kind,
      message: row.message,
      ...(row.data ? { data: JSON.parse(row.data) as Record<string, unknown> } : {}),
    }));
  }
}
