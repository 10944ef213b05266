import { parseVersion } from '../judge/version.js';
import type { Approval } from '../decide/policy/decide.js';
import type { StateDatabase } from './database.js';

interface ApprovalRow {
  version: string;
  approved_by: string;
  reason: string;
  approved_at: string;
}

/** Approvals of upgrades above the auto-approve level: who approved which version of which instance, when and why. */
export class ApprovalRepository {
  constructor(private readonly db: StateDatabase) {}

  record(instance: string, approval: Approval): void {
    this.db
      .prepare('INSERT INTO approvals (instance, version, approved_by, reason, approved_at) VALUES (?, ?, ?, ?, ?)')
      .run(instance, approval.version.text, approval.by, approval.reason, approval.at.toISOString());
  }

  /** Every approval of the instance, oldest first. */
  forInstance(instance: string): Approval[] {
    const rows = this.db.prepare('SELECT version, approved_by, reason, approved_at FROM approvals WHERE instance = ? ORDER BY id').all(instance) as ApprovalRow[];
    return rows.flatMap((row) => {
      const version = parseVersion(row.version);
      return version ? [{ version, by: row.approved_by, reason: row.reason, at: new Date(row.approved_at) }] : [];
    });
  }
}
