import type { StateDatabase } from './database.js';

/**
 * The binaries headsup installed, by SHA-256, so that a build printing `dev` (Headscale up to
 * 0.26 built without release flags) still has a known version.
 */
export class InstalledBinaryRepository {
  constructor(private readonly db: StateDatabase) {}

  record(sha256: string, version: string, path: string, at: Date): void {
    this.db
      .prepare('INSERT INTO installed_binaries (sha256, version, path, installed_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET version = excluded.version, path = excluded.path, installed_at = excluded.installed_at')
      .run(sha256, version, path, at.toISOString());
  }

  versionOf(sha256: string): string | null {
    const row = this.db.prepare('SELECT version FROM installed_binaries WHERE sha256 = ?').get(sha256) as { version: string } | undefined;
    return row?.version ?? null;
  }
}
