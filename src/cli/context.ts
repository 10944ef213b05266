import { dirname, join } from 'node:path';
import type { ApplyContext } from '../apply/context.js';
import type { ProgressReporter } from '../apply/progress.js';
import { loadConfig, type HeadsupConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
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
import { GitHubAtomChannel } from '../watch/github-atom/index.js';
import { GitHubReleasesChannel } from '../watch/github-releases/index.js';
import { loadReleasesRedundant, type RedundantReleaseList } from '../watch/release-channels.js';
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
    clock: clockFromEnv(env),
    http: fetchHttpClient,
    runner: nodeProcessRunner,
    fs: nodeFileSystem,
    env,
  };
}

/**
 * Returns the system clock, or, when HEADSUP_TEST_NOW contains a time, a clock that starts there and
 * runs at real speed. End-to-end tests use it to run a whole command at a chosen moment, such as
 * inside a maintenance window. Operators use `plan --at` instead.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv): Clock {
  const text = env.HEADSUP_TEST_NOW;
  if (!text) return systemClock;
  const start = Date.parse(text);
  if (Number.isNaN(start)) throw new UsageError(`HEADSUP_TEST_NOW "${text}" is not a time`, 'write it as 2026-12-05T02:30:00Z, or unset it');
  const realStart = Date.now();
  return { now: () => new Date(start + (Date.now() - realStart)), sleep: systemClock.sleep };
}

/** Loads the release list from the configured channels, falling back to stored data or the snapshot. */
export async function fetchReleaseList(runtime: Runtime, offline = false): Promise<ReleaseList> {
  return (await loadReleaseChannels(runtime, offline)).list;
}

/** The GitHub token from the variable `channels.github.token_env` names, with where it came from; empty without one. */
export function githubToken(runtime: Runtime): { token?: string; tokenSource?: string } {
  const variable = runtime.config.github.token_env;
  const token = variable ? runtime.env[variable] : undefined;
  return token ? { token, tokenSource: `the environment variable ${variable}` } : {};
}

/**
 * Polls the GitHub releases API and, unless switched off, the releases Atom feed. The feed replaces
 * the API when the API fails, and the two are cross-checked when both respond.
 */
export async function loadReleaseChannels(runtime: Runtime, offline = false): Promise<RedundantReleaseList> {
  const { config } = runtime;
  const state = new ChannelStateRepository(runtime.db);
  const common = { http: runtime.http, clock: runtime.clock, logger: runtime.logger, state };
  const primary = new GitHubReleasesChannel({
    ...common,
    baseUrl: config.github.api_url,
    repository: config.github.repository,
    ...githubToken(runtime),
    timeoutMs: config.github.timeout,
  });

  const atom = config.channels.github_atom;
  if (!atom.enabled) {
    const list = await loadReleases({ channel: primary, state, clock: runtime.clock, logger: runtime.logger, offline });
    return { list, crossCheck: { status: 'not-compared', reason: 'the Atom feed is switched off (channels.github_atom.enabled)' }, channels: [] };
  }
  const secondary = new GitHubAtomChannel({ ...common, webUrl: atom.web_url, repository: config.github.repository, timeoutMs: atom.timeout });
  return loadReleasesRedundant({ primary, secondary, state, clock: runtime.clock, logger: runtime.logger, offline });
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
