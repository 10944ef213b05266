import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateDatabase, type StateDatabase } from './database.js';
import { DeadlineRepository } from './deadlines.js';

describe('DeadlineRepository', () => {
  let dir: string;
  let db: StateDatabase;
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the first deadline of a vulnerability even when a later one differs', () => {
    dir = mkdtempSync(join(tmpdir(), 'headsup-deadlines-'));
    db = openStateDatabase(join(dir, 'state.db'));
    const deadlines = new DeadlineRepository(db);
    const first = { instance: 'hs1', vulnerabilityId: 'GHSA-wp76-cf2j-rqq7', severity: 'high', startsAt: new Date('2024-09-18T00:00:00Z'), dueAt: new Date('2024-09-25T00:00:00Z'), recordedAt: new Date('2024-09-19T00:00:00Z') };

    expect(deadlines.settle(first)).toEqual(first);
    const moved = deadlines.settle({ ...first, severity: 'critical', dueAt: new Date('2024-09-20T00:00:00Z'), recordedAt: new Date('2024-09-21T00:00:00Z') });
    expect(moved).toEqual(first);

    const other = deadlines.settle({ ...first, instance: 'hs2', dueAt: new Date('2024-09-30T00:00:00Z') });
    expect(other.dueAt).toEqual(new Date('2024-09-30T00:00:00Z'));
    expect(deadlines.forInstance('hs1')).toEqual([first]);
  });
});
