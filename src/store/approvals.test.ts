import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireVersion } from '../judge/version.js';
import { ApprovalRepository } from './approvals.js';
import { openStateDatabase, type StateDatabase } from './database.js';

describe('ApprovalRepository', () => {
  let dir: string;
  let db: StateDatabase;
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops revoked approvals from those in force', () => {
    dir = mkdtempSync(join(tmpdir(), 'headsup-approvals-'));
    db = openStateDatabase(join(dir, 'state.db'));
    const approvals = new ApprovalRepository(db);
    approvals.record('hs1', { version: requireVersion('v0.29.2'), by: 'alice', at: new Date('2026-12-01T00:00:00Z'), reason: 'staging ok' });
    approvals.record('hs2', { version: requireVersion('0.29.2'), by: 'alice', at: new Date('2026-12-01T00:00:00Z'), reason: 'staging ok' });

    expect(approvals.revoke('hs1', requireVersion('0.29.2'), { by: 'bob', at: new Date('2026-12-02T00:00:00Z'), reason: 'regression' })).toBe(1);

    expect(approvals.forInstance('hs1')).toEqual([]);
    expect(approvals.forInstance('hs2')).toHaveLength(1);
    expect(approvals.history('hs1')[0]!.revoked).toEqual({ by: 'bob', at: new Date('2026-12-02T00:00:00Z'), reason: 'regression' });
    expect(approvals.revoke('hs1', requireVersion('0.29.2'), { by: 'bob', at: new Date(), reason: 'again' })).toBe(0);
  });
});
