import { parseVersion, type Version } from '../judge/version.js';
import type { StateDatabase } from './database.js';

/**
 * Remembers which releases and advisories headsup has already seen, so that each is announced
 * once. The first poll of a kind records everything it finds without announcing it: a new install
 * must not alert about ninety old releases.
 */
export class SeenItemsRepository {
  constructor(private readonly db: StateDatabase) {}

  /** Records `ids` of `kind` and returns those not seen before; empty on the first call for a kind. */
  markSeen(kind: string, ids: readonly string[], at: Date): string[] {
    const first = (this.db.prepare('SELECT COUNT(*) AS count FROM seen_items WHERE kind = ?').get(kind) as { count: number }).count === 0;
    const insert = this.db.prepare('INSERT OR IGNORE INTO seen_items (kind, id, first_seen_at) VALUES (?, ?, ?)');
    const fresh: string[] = [];
    this.db.transaction(() => {
      for (const id of ids) {
        if (insert.run(kind, id, at.toISOString()).changes > 0) fresh.push(id);
      }
    })();
    return first ? [] : fresh;
  }
}

/**
 * Remembers upgrade targets whose unattended attempt failed, or that a person rolled back from, so
 * that `headsup run` does not stop an instance again for the same target every cycle. An approval
 * recorded after the failure, or a successful manual `headsup upgrade`, clears the way.
 */
export class FailedTargetRepository {
  constructor(private readonly db: StateDatabase) {}

  record(instance: string, version: string, at: Date): void {
    this.db.prepare('INSERT OR REPLACE INTO seen_items (kind, id, first_seen_at) VALUES (?, ?, ?)').run(`failed-target:${instance}`, version, at.toISOString());
  }

  clear(instance: string, version: string): void {
    this.db.prepare('DELETE FROM seen_items WHERE kind = ? AND id = ?').run(`failed-target:${instance}`, version);
  }

  /** Returns every failed target of the instance, with the time it failed. */
  forInstance(instance: string): Array<{ version: string; at: Date }> {
    const rows = this.db.prepare('SELECT id, first_seen_at FROM seen_items WHERE kind = ?').all(`failed-target:${instance}`) as Array<{ id: string; first_seen_at: string }>;
    return rows.map((row) => ({ version: row.id, at: new Date(row.first_seen_at) }));
  }

  failedAt(instance: string, version: string): Date | null {
    const row = this.db.prepare('SELECT first_seen_at FROM seen_items WHERE kind = ? AND id = ?').get(`failed-target:${instance}`, version) as { first_seen_at: string } | undefined;
    return row ? new Date(row.first_seen_at) : null;
  }
}

/** Reads an instance's failed targets in the form `planInstance` takes. */
export function failedTargetsOf(repository: FailedTargetRepository, instance: string): Array<{ version: Version; at: Date }> {
  return repository.forInstance(instance).flatMap((item) => {
    const version = parseVersion(item.version);
    return version ? [{ version, at: item.at }] : [];
  });
}
