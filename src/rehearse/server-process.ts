import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** Exit status of a server process. */
export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A long-running child process, e.g. `headscale serve`, writing its output to a log file. */
export interface ServerProcess {
  readonly pid: number;
  /** Null while the process runs. */
  exitStatus(): ServerExit | null;
  /**
   * Ends the process: SIGTERM, then SIGKILL when it still runs after `graceMs`. Resolves once it
   * has exited, with the signal that ended it (null when it had exited before).
   */
  stop(graceMs: number): Promise<NodeJS.Signals | null>;
}

/**
 * Starts long-running processes. ProcessRunner runs commands to completion; a rehearsal needs a
 * server that runs while other commands talk to it.
 */
export interface ServerLauncher {
  launch(file: string, args: readonly string[], options: { logPath: string; env?: Record<string, string | undefined> }): Promise<ServerProcess>;
}

/** Time to wait for the exit after SIGKILL, which the kernel delivers at once. */
const KILL_WAIT_MS = 5_000;

/** Processes launched and not yet exited; killed with SIGKILL if headsup exits first. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Launches with node:child_process. Output goes to `logPath` (appended, mode 0600), and standard
 * input is closed. A process still running when headsup exits is killed with SIGKILL.
 */
export const nodeServerLauncher: ServerLauncher = {
  async launch(file, args, options) {
    const log = openSync(options.logPath, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(file, args, { stdio: ['ignore', log, log], env: options.env ? { ...process.env, ...options.env } : process.env });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } finally {
      closeSync(log);
    }

    return track(child);
  },
};

function track(child: ChildProcess): ServerProcess {
  let exit: ServerExit | null = null;
  const exited = new Promise<ServerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      running.delete(child);
      resolve(exit);
    });
  });
  running.add(child);
  installExitHook();

  return {
    pid: child.pid!,
    exitStatus: () => exit,
    async stop(graceMs) {
      if (exit !== null) return null;

      child.kill('SIGTERM');
      if (await exitsWithin(exited, graceMs)) return 'SIGTERM';

      child.kill('SIGKILL');
      if (await exitsWithin(exited, KILL_WAIT_MS)) return 'SIGKILL';
      throw new Error(`process ${child.pid} did not exit within ${KILL_WAIT_MS} ms of SIGKILL`);
    },
  };
}

async function exitsWithin(exited: Promise<ServerExit>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([exited.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;

  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
