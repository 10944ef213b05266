import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { GitHubFixtureServer } from '../fixture/github-server.js';
import { headscaleBinary } from '../lab/index.js';
import type { HeadscaleInstance } from '../lab/index.js';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A headsup home for one test: config, state, cache and backups in a private temp folder. */
export interface HeadsupHome {
  dir: string;
  configPath: string;
  statePath: string;
  cacheDir: string;
  backupsDir: string;
  run(...args: string[]): Promise<CliRun>;
  /** Runs headsup with its clock starting at `at` (HEADSUP_TEST_NOW), running at real speed from there. */
  runAt(at: string, ...args: string[]): Promise<CliRun>;
}

/**
 * Writes a headsup config whose release channel is the fixture server and whose instances are lab
 * Headscale servers supervised by the lab's start/stop/status scripts (a stand-in for systemd,
 * which cannot run as PID 1 here).
 */
export async function createHeadsupHome(options: {
  apiUrl: string;
  instances: Record<string, HeadscaleInstance>;
  channelTimeout?: string;
  keep?: number;
  startCommand?: (hs: HeadscaleInstance) => string;
  /** More top-level YAML, such as `policy:` and `alerts:`. */
  extra?: string;
}): Promise<HeadsupHome> {
  const dir = await mkdtemp(join(tmpdir(), 'headsup-e2e-'));
  const statePath = join(dir, 'state', 'state.db');
  const cacheDir = join(dir, 'cache');
  const backupsDir = join(dir, 'backups');
  const instances = Object.entries(options.instances)
    .map(
      ([name, hs]) => `  ${name}:
    binary: ${hs.binaryPath}
    config: ${hs.configPath}
    health_url: ${hs.healthUrl}
    service:
      start: ${JSON.stringify(options.startCommand ? options.startCommand(hs) : hs.scripts.start)}
      stop: ${hs.scripts.stop}
      status: ${hs.scripts.status}
      logs: tail -n 60 ${hs.logPath}
    health: { passes: 3, interval: 300ms, timeout: 45s }
`,
    )
    .join('');
  const configPath = join(dir, 'headsup.yaml');
  await writeFile(
    configPath,
    `state: ${statePath}
cache_dir: ${cacheDir}
log_file: ${join(dir, 'headsup.log')}
backups: { dir: ${backupsDir}, keep: ${options.keep ?? 5} }
channels:
  github: { api_url: ${options.apiUrl}, timeout: ${options.channelTimeout ?? '10s'} }
  github_atom: { web_url: ${options.apiUrl}, timeout: ${options.channelTimeout ?? '10s'} }
  osv: { api_url: ${options.apiUrl}, timeout: ${options.channelTimeout ?? '10s'} }
${options.extra ?? ''}
instances:
${instances || '  {}\n'}`,
  );

  return {
    dir,
    configPath,
    statePath,
    cacheDir,
    backupsDir,
    run: (...args) => runCli(['--config', configPath, ...args]),
    runAt: (at, ...args) => runCli(['--config', configPath, ...args], { HEADSUP_TEST_NOW: at }),
  };
}

/** Runs headsup in this process, as `bin/headsup.js` would, and collects what it prints. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exitCode = await main(args, {
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { exitCode, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/** Serves the real cached binaries of these versions as release assets. */
export async function serveBinaries(server: GitHubFixtureServer, versions: string[]): Promise<void> {
  for (const version of versions) await server.setBinary(version, headscaleBinary(version));
}

/**
 * Builds a start command that adds `randomize_client_port: false` to the Headscale config just before
 * 0.29.2 starts, which 0.29 rejects. It makes the live hop fail after the pre-flight checks and
 * the rehearsal passed, as a difference between production and its copy would.
 */
export function startFailingOn0292(hs: HeadscaleInstance): string {
  return `sh -c 'if ${hs.binaryPath} version | grep -q v0.29.2; then echo "randomize_client_port: false" >> ${hs.configPath}; fi; exec ${hs.scripts.start}'`;
}
