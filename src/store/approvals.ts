import { parseVersion, type Version } from '../judge/version.js';
import type { Approval } from '../decide/policy/decide.js';
import type { StateDatabase } from './database.js';

interface ApprovalRow {
  version: string;
  approved_by: string;
  reason: string;
  approved_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

/** An approval as recorded, with its revocation when there is one. */
export interface ApprovalRecord extends Approval {
  readonly revoked: { readonly by: string; readonly at: Date; readonly reason: string } | null;
}

/** Approvals of upgrades above the auto-approve level: who approved which version of which instance, when and why. */
export class ApprovalRepository {
  constructor(private readonly db: StateDatabase) {}

  record(instance: string, approval: Approval): void {
    this.db
      .prepare('INSERT INTO approvals (instance, version, approved_by, reason, approved_at) VALUES (?, ?, ?, ?, ?)')
      .run(instance, approval.version.text, approval.by, approval.reason, approval.at.toISOString());
  }

  /** Returns the approvals in force for the instance, oldest first, without revoked ones. */
  forInstance(instance: string): Approval[] {
    return this.history(instance)
      .filter((record) => record.revoked === null)
      .map(({ version, by, reason, at }) => ({ version, by, reason, at }));
  }

  /** Returns every approval of the instance, revoked ones included, oldest first. */
  history(instance: string): ApprovalRecord[] {
    const rows = this.db
      .prepare('SELECT version, approved_by, reason, approved_at, revoked_at, revoked_by, revoke_reason FROM approvals WHERE instance = ? ORDER BY id')
      .all(instance) as ApprovalRow[];
    return rows.flatMap((row) => {
      const version = parseVersion(row.version);
      if (!version) return [];
      const revoked = row.revoked_at ? { by: row.revoked_by ?? 'unknown', at: new Date(row.revoked_at), reason: row.revoke_reason ?? '' } : null;
      return [{ version, by: row.approved_by, reason: row.reason, at: new Date(row.approved_at), revoked }];
    });
  }

  /** Revokes every approval in force of `version` for the instance; returns how many it revoked. */
  revoke(instance: string, version: Version, revocation: { by: string; at: Date; reason: string }): number {
    return this.db
      .prepare('UPDATE approvals SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE instance = ? AND version = ? AND revoked_at IS NULL')
      .run(revocation.at.toISOString(), revocation.by, revocation.reason, instance, version.text).changes;
  }
}
