import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('instance lock ownership', () => {
  it('takes over a lock whose PID was reused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headsup-lock-'));
    // This process's PID with a start time it never had, as after a reboot.
    writeFileSync(join(dir, 'hs1.lock'), `${process.pid} 1\n`);

    const lock = acquireInstanceLock(dir, 'hs1');
    expect(readFileSync(lock.path, 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+\\n$`));
    lock.release();
  });

  it('takes over a lock held by a zombie', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headsup-lock-'));
    // `sleep 0` exits at once, and its parent, replaced by `sleep 3`, never reaps it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      expect(readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]?.[0]).toBe('Z');
      writeFileSync(join(dir, 'hs1.lock'), `${zombie}\n`);

      const lock = acquireInstanceLock(dir, 'hs1');
      lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
