import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HeadsupError } from '../errors.js';

/** A held per-instance lock; `release` removes it. */
export interface InstanceLock {
  path: string;
  release(): void;
}

/**
 * Takes the lock of one instance: a file created exclusively, containing the owner's PID and, on
 * Linux, the process start time. A lock is stale, and taken over, when its process is gone, is a
 * zombie, or when its PID now belongs to a process started at another time (PID reuse, for
 * example after a reboot). A live lock is an error naming the PID, so two runs never touch one
 * instance at once.
 */
export function acquireInstanceLock(lockDir: string, instance: string): InstanceLock {
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const path = join(lockDir, `${instance}.lock`);

  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${currentProcessStamp()}\n`);
      closeSync(fd);
      return { path, release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (owner !== null && isAlive(owner)) {
        throw new HeadsupError('INSTANCE_LOCKED', `instance ${instance} is locked by headsup process ${owner.pid}`, {
          hint: `wait for that run to finish; if no such process exists, remove ${path}`,
        });
      }
      rmSync(path, { force: true });
    }
  }
  throw new HeadsupError('INSTANCE_LOCKED', `could not take the lock ${path} for instance ${instance}`, { hint: 'retry the command' });
}

/** This process's PID and start time, as a lock file or a sandbox records its owner. */
export function currentProcessStamp(): string {
  return `${process.pid} ${processStartTime(process.pid) ?? ''}`.trim();
}

/** True while the process a stamp names still runs (not a zombie, and not a reused PID). */
export function isStampAlive(stamp: string): boolean {
  const [pidText, startTime] = stamp.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? '', 10);
  return Number.isInteger(pid) && pid > 0 && isAlive({ pid, startTime: startTime || null });
}

interface LockOwner {
  pid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat); null where unknown. */
  startTime: string | null;
}

function readOwner(path: string): LockOwner | null {
  try {
    const [pidText, startTime] = readFileSync(path, 'utf8').trim().split(/\s+/);
    const pid = Number.parseInt(pidText ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? { pid, startTime: startTime || null } : null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  const stat = procStat(owner.pid);
  if (stat === 'missing') return false;
  if (stat !== 'unavailable') {
    if (stat.state === 'Z' || stat.state === 'X') return false;
    if (owner.startTime !== null && stat.startTime !== owner.startTime) return false;
    return true;
  }
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function processStartTime(pid: number): string | null {
  const stat = procStat(pid);
  return typeof stat === 'object' ? stat.startTime : null;
}

/** Reads state and start time from /proc/<pid>/stat; 'unavailable' where /proc does not exist. */
function procStat(pid: number): { state: string; startTime: string } | 'missing' | 'unavailable' {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return 'unavailable';
    try {
      readFileSync('/proc/self/stat', 'utf8');
      return 'missing';
    } catch {
      return 'unavailable';
    }
  }
  // The command name (field 2) is in parentheses and may contain spaces; the fields after it are plain.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}
