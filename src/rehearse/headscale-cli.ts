import { HeadsupError } from '../errors.js';
import { describeFailure, lastLines, type ProcessRunner, type RunOptions, type RunResult } from '../platform/exec.js';

/** How to run one Headscale binary against one config; the CLI reaches the server through the config's unix socket. */
export interface HeadscaleCli {
  runner: ProcessRunner;
  binaryPath: string;
  configPath: string;
  /** Time limit of each command. Default: 30 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Environment for every Headscale process headsup starts: the HEADSCALE_* variables are unset,
 * because Headscale reads every config key from them as well (`HEADSCALE_DATABASE_SQLITE_PATH`
 * overrides `database.sqlite.path`), and a rehearsal must use only the paths of its own config.
 */
export function headscaleEnvironment(): Record<string, undefined> {
  const cleared: Record<string, undefined> = {};
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('HEADSCALE_')) cleared[name] = undefined;
  }

  return cleared;
}

/** Runs `<binary> <args>` with HEADSCALE_* variables unset. */
export function runHeadscale(runner: ProcessRunner, binaryPath: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runner.run(binaryPath, args, { timeoutMs: DEFAULT_TIMEOUT_MS, ...options, env: { ...options.env, ...headscaleEnvironment() } });
}

/** Runs `<binary> -c <config> <args> -o json`; `-o json` also turns off Headscale's update check. */
export function runCli(cli: HeadscaleCli, args: readonly string[]): Promise<RunResult> {
  return runHeadscale(cli.runner, cli.binaryPath, ['-c', cli.configPath, ...args, '-o', 'json'], { timeoutMs: cli.timeoutMs ?? DEFAULT_TIMEOUT_MS });
}

/** Runs a CLI command with `-o json` and parses its output; throws a HeadsupError naming the command when it fails. */
export async function cliJson(cli: HeadscaleCli, args: readonly string[]): Promise<unknown> {
  const result = await runCli(cli, args);
  if (result.exitCode !== 0 || result.timedOut) {
    // describeFailure shows stdout when stderr is empty, which is where 0.29 prints its JSON errors.
    throw new HeadsupError('HEADSCALE_CLI_FAILED', `the Headscale CLI failed: ${describeFailure(result)}`, {
      hint: `check that the server of ${cli.configPath} runs and that its unix socket is reachable`,
    });
  }

  try {
    return JSON.parse(result.stdout) as unknown;
  } catch (error) {
    throw new HeadsupError('HEADSCALE_CLI_FAILED', `\`${result.command}\` printed no JSON:\n${lastLines(result.stdout, 8)}`, { cause: error });
  }
}
