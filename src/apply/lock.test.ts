import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireInstanceLock } from './lock.js';

describe('instance lock', () => {
  it('rejects a second holder while the first lives', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headsup-lock-'));
    const lock = acquireInstanceLock(dir, 'hs1');
    try {
      expect(() => acquireInstanceLock(dir, 'hs1')).toThrow(`instance hs1 is locked by headsup process ${process.pid}`);
    } finally {
      lock.release();
    }
    expect(existsSync(lock.path)).toBe(false);
  });

  it('takes over a lock of a dead process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headsup-lock-'));
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(dir, 'hs1.lock'), `${dead}\n`);

    const lock = acquireInstanceLock(dir, 'hs1');
    expect(lock.path).toBe(join(dir, 'hs1.lock'));
    lock.release();
  });

  it('locks instances independently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headsup-lock-'));
    const first = acquireInstanceLock(dir, 'hs1');
    const second = acquireInstanceLock(dir, 'hs2');
    first.release();
    second.release();
  });
});
