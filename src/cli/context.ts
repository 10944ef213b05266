import { dirname, join } from 'node:path';
import type { ApplyContext } from '../apply/context.js';
import type { ProgressReporter } from '../apply/progress.js';
import { loadConfig, type HeadsupConfig } from '../config/load.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { nodeProcessRunner, type ProcessRunner } from '../platform/exec.js';
import { nodeFileSystem, type FileSystem } from '../platform/fs.js';
import { fetchHttpClient, type HttpClient } from '../platform/http.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { ChannelStateRepository } from '../store/channel-state.js';
import { openStateDatabase, type StateDatabase } from '../store/database.js';
import { EventRepository } from '../store/events.js';
import { HopRepository } from '../store/hops.js';
import { InstalledBinaryRepository } from '../store/installed-binaries.js';
import { VerifiedArtifactRepository } from '../store/verified-artifacts.js';
import { GitHubReleasesChannel } from '../watch/github-releases/index.js';
import { loadReleases } from '../watch/release-service.js';
import type { ReleaseList } from '../watch/release.js';

/** The outside world of one command. Tests build one with their own clock or HTTP client. */
export interface Runtime {
  config: HeadsupConfig;
  db: StateDatabase;
  logger: Logger;
  clock: Clock;
  http: HttpClient;
  runner: ProcessRunner;
  fs: FileSystem;
  env: NodeJS.ProcessEnv;
}

export function createRuntime(options: { configPath?: string | undefined; env?: NodeJS.ProcessEnv }): Runtime {
  const env = options.env ?? process.env;
  const config = loadConfig(options.configPath, env);
  const db = openStateDatabase(config.statePath);
  return {
    config,
    db,
    logger: createLogger(config.logFile),
    clock: systemClock,
    http: fetchHttpClient,
    runner: nodeProcessRunner,
    fs: nodeFileSystem,
    env,
  };
}

/** Loads the release list from the configured GitHub channel, falling back to stored data or the snapshot. */
export function fetchReleaseList(runtime: Runtime, offline = false): Promise<ReleaseList> {
  const { config, env } = runtime;
  const tokenEnv = config.github.token_env;
  const token = tokenEnv ? env[tokenEnv] : undefined;
  const state = new ChannelStateRepository(runtime.db);
  const channel = new GitHubReleasesChannel({
    baseUrl: config.github.api_url,
    repository: config.github.repository,
    ...(token ? { token, tokenSource: `the environment variable ${tokenEnv}` } : {}),
    http: runtime.http,
    clock: runtime.clock,
    logger: runtime.logger,
    state,
    timeoutMs: config.github.timeout,
  });
  return loadReleases({ channel, state, clock: runtime.clock, logger: runtime.logger, offline });
}

export function applyContextOf(runtime: Runtime, reporter: ProgressReporter): ApplyContext {
  return {
    fs: runtime.fs,
    http: runtime.http,
    clock: runtime.clock,
    runner: runtime.runner,
    logger: runtime.logger,
    hops: new HopRepository(runtime.db),
    installs: new InstalledBinaryRepository(runtime.db),
    pins: new VerifiedArtifactRepository(runtime.db),
    events: new EventRepository(runtime.db),
    reporter,
    backupsDir: runtime.config.backupsDir,
    backupsKeep: runtime.config.backupsKeep,
    cacheDir: runtime.config.cacheDir,
    lockDir: join(dirname(runtime.config.statePath), 'locks'),
    rehearsalsDir: join(dirname(runtime.config.statePath), 'rehearsals'),
    crashAt: runtime.env.HEADSUP_TEST_CRASH_AT,
  };
}
