import type { StateDatabase } from './database.js';

/**
 * The SHA-256 each release binary had when headsup first verified it. A published release never
 * changes, so a later `checksums.txt` that lists another hash for the same file is a warning sign
 * (a replaced release or a tampered mirror), and headsup stops instead of trusting it.
 */
export class VerifiedArtifactRepository {
  constructor(private readonly db: StateDatabase) {}

  get(version: string, asset: string): { sha256: string; firstVerifiedAt: string } | null {
    const row = this.db.prepare('SELECT sha256, first_verified_at FROM verified_artifacts WHERE version = ? AND asset = ?').get(version, asset) as
      | { sha256: string; first_verified_at: string }
      | undefined;
    return row ? { sha256: row.sha256, firstVerifiedAt: row.first_verified_at } : null;
  }

  /** Records the first verified hash; an existing record is kept. */
  record(version: string, asset: string, sha256: string, at: Date): void {
    this.db.prepare('INSERT OR IGNORE INTO verified_artifacts (version, asset, sha256, first_verified_at) VALUES (?, ?, ?, ?)').run(version, asset, sha256, at.toISOString());
  }
}
