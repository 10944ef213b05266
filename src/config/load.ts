import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { PolicyError } from '../decide/policy/resolve.js';
import { formatIssue } from './errors.js';
import { policyFor } from './policy.js';
import { configSchema, type InstanceSettings, type RawConfig } from './schema.js';

export interface HeadsupConfig {
  /** The file the config came from; null when headsup runs on its embedded defaults. */
  source: string | null;
  statePath: string;
  cacheDir: string;
  logFile: string;
  backupsDir: string;
  backupsKeep: number;
  github: RawConfig['channels']['github'];
  channels: RawConfig['channels'];
  /** The top-level `policy:` as written; `policyFor` resolves it per instance. */
  policy: RawConfig['policy'];
  environments: RawConfig['environments'];
  alerts: Pick<RawConfig, 'alerts' | 'alert_reminders'>;
  instances: Map<string, InstanceSettings>;
}

/** Lists the config files tried in order when neither `--config` nor `HEADSUP_CONFIG` names one. */
export function defaultConfigCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return [join(configHome, 'headsup', 'config.yaml'), '/etc/headsup/config.yaml'];
}

/**
 * Loads and validates the config. An explicit path that does not exist is an error; with no
 * explicit path and no file in the default places, headsup runs on its embedded defaults.
 */
export function loadConfig(explicitPath?: string, env: NodeJS.ProcessEnv = process.env): HeadsupConfig {
  const requested = explicitPath ?? env.HEADSUP_CONFIG;
  if (requested) {
    const path = resolve(expandHome(requested));
    if (!existsSync(path)) {
      throw new ConfigError(
        `config file ${path} not found`,
        explicitPath ? 'pass an existing file with --config' : 'HEADSUP_CONFIG names this file; fix the variable, or unset it to run on the embedded defaults',
      );
    }
    return parseConfigFile(path, env);
  }

  const found = defaultConfigCandidates(env).find((candidate) => existsSync(candidate));
  return found ? parseConfigFile(found, env) : resolveConfig(configSchema.parse({}), null, env);
}

export function parseConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): HeadsupConfig {
  const text = readFileSync(path, 'utf8');
  return parseConfigText(text, path, env);
}

export function parseConfigText(text: string, path: string, env: NodeJS.ProcessEnv = process.env): HeadsupConfig {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    throw new ConfigError(`${path} is not valid YAML: ${first.message.split('\n')[0]}`, 'fix the YAML syntax at the line shown');
  }

  const input: unknown = document.toJS() ?? {};
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => formatIssue(issue, input));
    throw new ConfigError(`invalid config in ${path}:\n  ${lines.join('\n  ')}`, 'correct the settings listed above; the README lists every key');
  }
  return resolveConfig(parsed.data, path, env);
}

function resolveConfig(raw: RawConfig, source: string | null, env: NodeJS.ProcessEnv): HeadsupConfig {
  const base = source ? dirname(source) : process.cwd();
  const absolute = (path: string) => resolvePath(path, base);
  const defaults = defaultLocations(env);

  const statePath = raw.state ? absolute(raw.state) : defaults.state;
  const instances = new Map<string, InstanceSettings>();
  for (const [name, settings] of Object.entries(raw.instances)) {
    instances.set(name, {
      ...settings,
      binary: absolute(settings.binary),
      config: absolute(settings.config),
      data_dir: settings.data_dir ? absolute(settings.data_dir) : undefined,
    });
  }

  const config: HeadsupConfig = {
    source,
    statePath,
    cacheDir: raw.cache_dir ? absolute(raw.cache_dir) : defaults.cache,
    logFile: raw.log_file ? absolute(raw.log_file) : join(dirname(statePath), 'headsup.log'),
    backupsDir: raw.backups.dir ? absolute(raw.backups.dir) : join(dirname(statePath), 'backups'),
    backupsKeep: raw.backups.keep,
    github: raw.channels.github,
    channels: raw.channels,
    policy: raw.policy,
    environments: raw.environments,
    alerts: { alerts: raw.alerts, alert_reminders: raw.alert_reminders },
    instances,
  };
  checkPolicies(config, source);
  return config;
}

/** Resolves the policy of the top level and of every instance, so that a bad window name fails at load. */
function checkPolicies(config: HeadsupConfig, source: string | null): void {
  for (const name of [undefined, ...config.instances.keys()]) {
    try {
      policyFor(config, name);
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      throw new ConfigError(`invalid policy in ${source ?? 'the embedded defaults'}: ${error.message}`, error.hint);
    }
  }
}

/** Chooses the default places of state and downloads: system paths for root, XDG paths otherwise. */
function defaultLocations(env: NodeJS.ProcessEnv): { state: string; cache: string } {
  if (process.getuid?.() === 0 && !env.XDG_STATE_HOME) {
    return { state: '/var/lib/headsup/state.db', cache: '/var/cache/headsup' };
  }
  const stateHome = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return { state: join(stateHome, 'headsup', 'state.db'), cache: join(cacheHome, 'headsup') };
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function resolvePath(path: string, base: string): string {
  const expanded = expandHome(path);
  return isAbsolute(expanded) ? expanded : resolve(base, expanded);
}
