import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateDatabase, type StateDatabase } from '../store/database.js';
import { AlertLogRepository } from './alert-log.js';

let db: StateDatabase;
let log: AlertLogRepository;

beforeEach(() => {
  db = openStateDatabase(join(mkdtempSync(join(tmpdir(), 'headsup-alert-log-')), 'state.db'));
  log = new AlertLogRepository(db);
});

afterEach(() => {
  db.close();
});

const T1 = new Date('2026-07-21T12:00:00Z');
const T2 = new Date('2026-07-22T12:00:00Z');
const T3 = new Date('2026-07-23T12:00:00Z');

describe('AlertLogRepository', () => {
  it('finds nothing for an unknown key', () => {
    expect(log.find('webhook:a', 'new-release:v0.29.2')).toBeNull();
  });

  it('records the first delivery', () => {
    log.recordSent('webhook:a', 'new-release:v0.29.2', 'new-release', T1);

    expect(log.find('webhook:a', 'new-release:v0.29.2')).toEqual({
      notifier: 'webhook:a',
      key: 'new-release:v0.29.2',
      kind: 'new-release',
      firstSentAt: T1,
      lastSentAt: T1,
      sendCount: 1,
      lastError: null,
      lastAttemptAt: T1,
    });
  });

  it('keeps the first delivery time on a reminder', () => {
    log.recordSent('webhook:a', 'deadline-near:hs1:GHSA-x', 'deadline-near', T1);
    log.recordSent('webhook:a', 'deadline-near:hs1:GHSA-x', 'deadline-near', T2);

    const entry = log.find('webhook:a', 'deadline-near:hs1:GHSA-x');
    expect(entry?.firstSentAt).toEqual(T1);
    expect(entry?.lastSentAt).toEqual(T2);
    expect(entry?.sendCount).toBe(2);
  });

  it('records a failure without counting it as sent', () => {
    log.recordFailure('slack:b', 'upgrade-failed:hs1:1', 'upgrade-failed', T1, 'timed out');

    const entry = log.find('slack:b', 'upgrade-failed:hs1:1');
    expect(entry?.sendCount).toBe(0);
    expect(entry?.firstSentAt).toBeNull();
    expect(entry?.lastSentAt).toBeNull();
    expect(entry?.lastError).toBe('timed out');
    expect(log.failing().map((failing) => failing.key)).toEqual(['upgrade-failed:hs1:1']);
  });

  it('keeps earlier deliveries after a failure, and clears the error on success', () => {
    log.recordSent('slack:b', 'channel-stale:github', 'channel-stale', T1);
    log.recordFailure('slack:b', 'channel-stale:github', 'channel-stale', T2, 'returned HTTP 500');

    expect(log.find('slack:b', 'channel-stale:github')).toMatchObject({ sendCount: 1, lastSentAt: T1, lastError: 'returned HTTP 500', lastAttemptAt: T2 });

    log.recordSent('slack:b', 'channel-stale:github', 'channel-stale', T3);

    expect(log.find('slack:b', 'channel-stale:github')).toMatchObject({ sendCount: 2, firstSentAt: T1, lastSentAt: T3, lastError: null });
    expect(log.failing()).toEqual([]);
  });

  it('keeps notifiers apart', () => {
    log.recordSent('webhook:a', 'new-release:v0.29.2', 'new-release', T1);

    expect(log.find('slack:b', 'new-release:v0.29.2')).toBeNull();
  });
});
