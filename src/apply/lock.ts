import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { HeadsupError } from '../errors.js';

/** A held per-instance lock; `release` removes it. */
export interface InstanceLock {
  path: string;
  release(): void;
}

/**
 * Takes the lock of one instance: a file created exclusively, holding the owner's PID. A lock
 * whose process no longer exists is stale and is taken over; a live one is an error naming the
 * PID, so two runs never touch one instance at once.
 */
export function acquireInstanceLock(lockDir: string, instance: string): InstanceLock {
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const path = join(lockDir, `${instance}.lock`);

  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { path, release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (owner !== null && isAlive(owner)) {
        throw new HeadsupError('INSTANCE_LOCKED', `instance ${instance} is locked by headsup process ${owner}`, {
          hint: `wait for that run to finish; if no such process exists, remove ${path}`,
        });
      }
      rmSync(path, { force: true });
    }
  }
  throw new HeadsupError('INSTANCE_LOCKED', `could not take the lock ${path} for instance ${instance}`, { hint: 'retry the command' });
}

function readOwner(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
