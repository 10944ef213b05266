import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Kills the process (SIGKILL) after this many milliseconds. Default: 60 s. */
  timeoutMs?: number;
  input?: string;
}

export interface RunResult {
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs programs; the only place headsup starts a process. */
export interface ProcessRunner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Runs a command line through `/bin/sh -c`, as operators write service commands. */
  runShell(commandLine: string, options?: RunOptions): Promise<RunResult>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_CAPTURE_BYTES = 1024 * 1024;

/**
 * Spawns a process and collects its output. The promise settles when the process exits, not when
 * its pipes close: a service start command may leave a daemon behind that keeps them open.
 */
function spawnAndCollect(file: string, args: readonly string[], display: string, options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < MAX_CAPTURE_BYTES) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_CAPTURE_BYTES) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (exitCode, signal) => {
      clearTimeout(timer);
      // Give the pipes a moment to deliver what the process wrote before it exited.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ command: display, exitCode, signal, stdout, stderr, timedOut });
      }, 20);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export const nodeProcessRunner: ProcessRunner = {
  run(file, args, options = {}) {
    return spawnAndCollect(file, args, [file, ...args].join(' '), options);
  },
  runShell(commandLine, options = {}) {
    return spawnAndCollect('/bin/sh', ['-c', commandLine], commandLine, options);
  },
};

/** Describes a failed run the way an operator reads it: the reason first, then the command, then the end of stderr. */
export function describeFailure(result: RunResult): string {
  const reason = result.timedOut
    ? 'timed out'
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.exitCode}`;
  const tail = lastLines(result.stderr || result.stdout, 8);
  return `\`${result.command}\` ${reason}${tail ? `:\n${tail}` : ''}`;
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
