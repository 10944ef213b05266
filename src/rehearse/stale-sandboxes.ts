import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { currentProcessStamp, isStampAlive } from '../apply/lock.js';
import type { Logger } from '../platform/logger.js';

const OWNER_FILE = 'owner';
const SERVER_PID_FILE = 'server.pid';
const KEPT_FILE = 'kept';

/** Records which headsup process owns a sandbox, so a later run can clean up after a crash. */
export async function markSandboxOwner(dir: string): Promise<void> {
  await writeFile(join(dir, OWNER_FILE), `${currentProcessStamp()}\n`, { mode: 0o600 });
}

/** Records the PID of the sandbox's Headscale server while it runs; null clears it. */
export async function markSandboxServer(dir: string, pid: number | null): Promise<void> {
  if (pid === null) await rm(join(dir, SERVER_PID_FILE), { force: true });
  else await writeFile(join(dir, SERVER_PID_FILE), `${pid}\n`, { mode: 0o600 });
}

/** Marks a sandbox that a failed rehearsal keeps for the operator; cleanup leaves it alone. */
export async function markSandboxKept(dir: string): Promise<void> {
  await writeFile(join(dir, KEPT_FILE), 'kept for inspection after a failed rehearsal\n', { mode: 0o600 });
}

/**
 * Cleans up after rehearsals whose headsup process died, because it was killed or the machine
 * restarted. It stops a sandbox server still running from such a sandbox, but only a process
 * whose command line names the sandbox's config. It then removes the sandbox unless a failed
 * rehearsal kept it, and returns the folders it removed.
 */
export async function cleanStaleSandboxes(workDir: string, logger: Logger): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(workDir);
  } catch {
    return [];
  }

  const removed: string[] = [];
  for (const name of names) {
    const dir = join(workDir, name);
    const owner = await readText(join(dir, OWNER_FILE));
    if (owner === null || isStampAlive(owner)) continue;

    await stopStrayServer(dir, logger);
    if ((await readText(join(dir, KEPT_FILE))) !== null) continue;
    await rm(dir, { recursive: true, force: true });
    logger.warn({ sandbox: dir }, 'rehearsal: removed the sandbox of a run that died');
    removed.push(dir);
  }
  return removed;
}

async function stopStrayServer(dir: string, logger: Logger): Promise<void> {
  const pid = Number.parseInt((await readText(join(dir, SERVER_PID_FILE))) ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return;

  const commandLine = (await readText(`/proc/${pid}/cmdline`))?.replaceAll('\0', ' ') ?? '';
  if (commandLine.includes(join(dir, 'config.yaml'))) {
    process.kill(pid, 'SIGKILL');
    logger.warn({ sandbox: dir, pid }, 'rehearsal: stopped a sandbox server left by a run that died');
  }
  await rm(join(dir, SERVER_PID_FILE), { force: true });
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}
