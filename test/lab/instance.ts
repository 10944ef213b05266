import { readFileSync } from 'node:fs';
import { copyFile, chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { requireVersion, type Version } from '../../src/judge/version.js';
import { describeFailure, lastLines, nodeProcessRunner, type RunResult } from '../../src/platform/exec.js';
import { createLabDatabase, dropLabDatabase, type LabDatabase } from '../postgres/server.js';
import { headscaleBinary, headscaleTag } from './binaries.js';
import { writeOfflineConfig, type LabPorts, type LabPostgres, type OfflineConfig, type OfflineConfigOptions } from './offline-config.js';
import { STATUS_NOT_RUNNING, STOP_GRACE_SECONDS, writeServiceScripts, type ServiceScripts } from './service-scripts.js';

const CLI_TIMEOUT_MS = 30_000;
const SCRIPT_TIMEOUT_MS = (STOP_GRACE_SECONDS + 15) * 1000;
const HEALTH_POLL_MS = 100;
const LOG_TAIL_LINES = 15;

export interface InstanceOptions extends Omit<OfflineConfigOptions, 'postgres'> {
  /**
   * `true` stores Headscale's data in a fresh PostgreSQL database (with a role of its own) on the
   * server that scripts/setup-postgres.sh prepared, dropped again by dispose(). A LabPostgres uses
   * that database and leaves it in place. Default: SQLite.
   */
  postgres?: boolean | LabPostgres;
}

/** Instances not yet disposed; killed with SIGKILL if the test process exits before disposing them. */
const liveInstances = new Set<HeadscaleInstance>();
let exitHookInstalled = false;

/**
 * One Headscale server in a private directory under the OS temp dir, run through its own
 * start/stop/status scripts. Layout of `dir`:
 * `bin/headscale` (a copy of the cached build, replaceable in place), `config.yaml`,
 * `policy.hujson`, `db.sqlite` (without the postgres option), the Noise and DERP keys,
 * `headscale.sock`, `headscale.log`, `headscale.pid`, `start.sh`, `stop.sh` and `status.sh`.
 */
export class HeadscaleInstance {
  /** The version of the binary installed last, which decides the CLI dialect. */
  version: Version;
  readonly binaryPath: string;
  readonly logPath: string;
  readonly pidPath: string;
  readonly scripts: ServiceScripts;
  private config: OfflineConfig;
  private disposed = false;

  private constructor(
    readonly dir: string,
    config: OfflineConfig,
    scripts: ServiceScripts,
    /** The database created for this instance, dropped by dispose(); null for SQLite or a database passed in. */
    private readonly ownedDatabase: LabDatabase | null = null,
  ) {
    this.version = config.version;
    this.config = config;
    this.binaryPath = join(dir, 'bin', 'headscale');
    this.logPath = join(dir, 'headscale.log');
    this.pidPath = join(dir, 'headscale.pid');
    this.scripts = scripts;
  }

  /** Creates the directory, copies the binary of `version`, and writes the config and scripts. Does not start. */
  static async create(version: string, options: InstanceOptions = {}): Promise<HeadscaleInstance> {
    const source = headscaleBinary(version);
    const dir = await mkdtemp(join(tmpdir(), `headsup-lab-${headscaleTag(version)}-`));
    let ownedDatabase: LabDatabase | null = null;
    try {
      await mkdir(join(dir, 'bin'));
      await copyExecutable(source, join(dir, 'bin', 'headscale'));
      if (options.postgres === true) ownedDatabase = await createLabDatabase();
      const postgres = options.postgres === true ? ownedDatabase : options.postgres || null;
      const config = await writeOfflineConfig(version, dir, { ...options, postgres });
      const scripts = await writeServiceScripts({
        dir,
        binaryPath: join(dir, 'bin', 'headscale'),
        configPath: config.configPath,
        pidPath: join(dir, 'headscale.pid'),
        logPath: join(dir, 'headscale.log'),
      });
      const instance = new HeadscaleInstance(dir, config, scripts, ownedDatabase);
      track(instance);
      return instance;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      // The first error matters more; a database left behind is dropped by a later run.
      if (ownedDatabase) await dropLabDatabase(ownedDatabase).catch(() => undefined);
      throw error;
    }
  }

  get configPath(): string {
    return this.config.configPath;
  }

  get dbPath(): string {
    return this.config.dbPath;
  }

  /** The PostgreSQL database the instance uses, or null for SQLite. */
  get postgres(): LabPostgres | null {
    return this.config.postgres;
  }

  get noiseKeyPath(): string {
    return this.config.noiseKeyPath;
  }

  get derpKeyPath(): string {
    return this.config.derpKeyPath;
  }

  get socketPath(): string {
    return this.config.socketPath;
  }

  get policyPath(): string | null {
    return this.config.policyPath;
  }

  get serverUrl(): string {
    return this.config.serverUrl;
  }

  get healthUrl(): string {
    return this.config.healthUrl;
  }

  get ports(): LabPorts {
    return this.config.ports;
  }

  /** Runs start.sh; throws when it exits non-zero. */
  async start(): Promise<void> {
    await this.runScript(this.scripts.start);
  }

  /** Runs stop.sh; throws when it exits non-zero. Succeeds when the server was not running. */
  async stop(): Promise<void> {
    await this.runScript(this.scripts.stop);
  }

  /** Runs status.sh: true for exit 0, false for exit 3, an error for anything else. */
  async isRunning(): Promise<boolean> {
    const result = await nodeProcessRunner.run(this.scripts.status, [], { timeoutMs: SCRIPT_TIMEOUT_MS });
    if (result.exitCode === 0) return true;
    if (result.exitCode === STATUS_NOT_RUNNING) return false;

    throw new Error(`status script of the lab instance in ${this.dir} failed: ${describeFailure(result)}`);
  }

  /**
   * Polls `GET /health` until it returns 200 with `{"status":"pass"}`. Throws with the end of the
   * server log when the deadline passes or the server exits first.
   */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.healthPasses()) return;

      if (!(await this.isRunning())) {
        throw new Error(`Headscale ${headscaleTag(this.version.text)} in ${this.dir} exited before /health passed; log tail:\n${await this.logTail()}`);
      }

      await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    }

    throw new Error(`${this.healthUrl} did not pass within ${timeoutMs} ms; log tail:\n${await this.logTail()}`);
  }

  /** Runs `<dir>/bin/headscale -c <config> <args>`; the CLI reaches the running server over the unix socket. */
  cli(args: readonly string[]): Promise<RunResult> {
    return nodeProcessRunner.run(this.binaryPath, ['-c', this.configPath, ...args], { timeoutMs: CLI_TIMEOUT_MS, env: withoutHeadscaleVariables() });
  }

  /** Runs a CLI command with `-o json` and parses its output; throws with the command and stderr when it fails. */
  async cliJson<T = unknown>(args: readonly string[]): Promise<T> {
    const result = await this.cli([...args, '-o', 'json']);
    if (result.exitCode !== 0 || result.timedOut) {
      // describeFailure shows stdout when stderr is empty, which is where 0.29 prints its JSON errors.
      throw new Error(`Headscale CLI failed: ${describeFailure(result)}`);
    }

    try {
      return JSON.parse(result.stdout) as T;
    } catch (error) {
      throw new Error(`\`${result.command}\` printed no JSON:\n${lastLines(result.stdout, 8)}`, { cause: error });
    }
  }

  /**
   * Replaces `bin/headscale` with the cached build of `version` by rename, as a package upgrade
   * does, and records `version` as the instance's version. A running server keeps executing the
   * old file until it restarts. The config stays as it is; see rewriteConfig.
   */
  async installBinary(version: string): Promise<void> {
    const staging = `${this.binaryPath}.new`;
    await copyExecutable(headscaleBinary(version), staging);
    await rename(staging, this.binaryPath);
    this.version = requireVersion(version);
  }

  /** Rewrites config.yaml for `version`, keeping this instance's ports, file paths and database. */
  async rewriteConfig(version: string, options: Omit<OfflineConfigOptions, 'ports' | 'postgres'> = {}): Promise<void> {
    this.config = await writeOfflineConfig(version, this.dir, { ...options, ports: this.config.ports, postgres: this.config.postgres });
  }

  readLog(): Promise<string> {
    return readFile(this.logPath, 'utf8').catch(() => '');
  }

  /**
   * Stops the server and removes the directory and the database created for it, unless
   * `HEADSUP_KEEP_LAB=1` is set.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;

    this.disposed = true;
    liveInstances.delete(this);
    try {
      await this.stop();
    } finally {
      if (process.env.HEADSUP_KEEP_LAB === '1') {
        process.stderr.write(`headsup lab: kept ${this.dir}${this.ownedDatabase ? ` and PostgreSQL database ${this.ownedDatabase.name}` : ''}\n`);
      } else {
        await rm(this.dir, { recursive: true, force: true });
        if (this.ownedDatabase) await dropLabDatabase(this.ownedDatabase);
      }
    }
  }

  /** Leaves the server running after this process exits, for `npm run lab`; `stop.sh` ends it later. */
  detach(): void {
    liveInstances.delete(this);
  }

  /** Kills the server without waiting; for the exit hook only. */
  killNow(): void {
    try {
      const pid = Number(readFileSync(this.pidPath, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // No pid file or no such process: nothing to kill.
    }
  }

  private async runScript(path: string): Promise<void> {
    const result = await nodeProcessRunner.run(path, [], { timeoutMs: SCRIPT_TIMEOUT_MS });
    if (result.exitCode !== 0 || result.timedOut) {
      throw new Error(`lab service script failed: ${describeFailure(result)}`);
    }
  }

  private async healthPasses(): Promise<boolean> {
    try {
      const response = await fetch(this.healthUrl, { signal: AbortSignal.timeout(2_000) });
      const body = await response.text();
      return response.status === 200 && body.includes('"pass"');
    } catch {
      return false;
    }
  }

  private async logTail(): Promise<string> {
    return lastLines(await this.readLog(), LOG_TAIL_LINES);
  }
}

/**
 * Creates instances and disposes all of them in one call, for `afterAll`/`afterEach`.
 * Example: `const lab = new Lab(); afterAll(() => lab.disposeAll());`
 */
export class Lab {
  private readonly instances: HeadscaleInstance[] = [];

  async create(version: string, options: InstanceOptions = {}): Promise<HeadscaleInstance> {
    const instance = await HeadscaleInstance.create(version, options);
    this.instances.push(instance);
    return instance;
  }

  /** Creates an instance, starts it and waits until /health passes. */
  async started(version: string, options: InstanceOptions = {}): Promise<HeadscaleInstance> {
    const instance = await this.create(version, options);
    await instance.start();
    await instance.waitHealthy();
    return instance;
  }

  /** Disposes every instance, even when some fail, then throws the first failure. */
  async disposeAll(): Promise<void> {
    const instances = this.instances.splice(0);
    const results = await Promise.allSettled(instances.map((instance) => instance.dispose()));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  }
}

async function copyExecutable(source: string, target: string): Promise<void> {
  await copyFile(source, target);
  await chmod(target, 0o755);
}

/** Unsets HEADSCALE_* variables, because Headscale reads every config key from them as well. */
function withoutHeadscaleVariables(): Record<string, undefined> {
  const cleared: Record<string, undefined> = {};
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('HEADSCALE_')) cleared[name] = undefined;
  }

  return cleared;
}

function track(instance: HeadscaleInstance): void {
  liveInstances.add(instance);
  if (exitHookInstalled) return;

  exitHookInstalled = true;
  process.once('exit', () => {
    for (const live of liveInstances) live.killNow();
  });
}
