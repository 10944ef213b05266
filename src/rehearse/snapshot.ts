import type { Version } from '../judge/version.js';
import type { ProcessRunner } from '../platform/exec.js';
import { cliDialect } from './cli-dialect.js';
import { cliJson, type HeadscaleCli } from './headscale-cli.js';
import {
  jsonList,
  normaliseApiKeys,
  normaliseNodes,
  normalisePreAuthKeys,
  normaliseRoutes,
  normaliseUsers,
  type ApiKeySnapshot,
  type NodeSnapshot,
  type PreAuthKeySnapshot,
  type UserSnapshot,
} from './normalise.js';
import { capturePolicy, readPolicySettings, type PolicySnapshot } from './policy-snapshot.js';

/**
 * The data an upgrade must keep, read through the CLI with `-o json` and normalised (see normalise.ts).
 * Left out on purpose, because they change without anyone touching the data or are secret:
 * - pre-auth key and API key secrets: secrets do not belong in a comparison. 0.28 lists its own
 *   keys masked (`hskey-auth-<prefix>-***`) but pre-auth keys made before 0.28 in full;
 * - `last_seen` and `online`: live state, written as clients come and go;
 * - `node_key` and `disco_key`: clients rotate them;
 * - `subnet_routes`: the primary routes the server elects in memory among connected nodes;
 * - `valid_tags` and `invalid_tags` of 0.26/0.27 apart from their union with `forced_tags`:
 *   computed from the policy when listed;
 * - `register_method` and user display names, emails and providers, which the CLI does not set.
 */
export interface Snapshot {
  users: UserSnapshot[];
  nodes: NodeSnapshot[];
  preAuthKeys: PreAuthKeySnapshot[];
  apiKeys: ApiKeySnapshot[];
  /** Null when the server has no policy. */
  policy: PolicySnapshot | null;
}

/** A running Headscale server, reached through `binaryPath -c configPath` over its unix socket. */
export interface SnapshotTarget {
  runner: ProcessRunner;
  binaryPath: string;
  configPath: string;
  /** The version of `binaryPath`, which decides the form of the CLI commands. */
  version: Version;
  /** Time limit of each CLI command. Default: 30 s. */
  timeoutMs?: number;
}

/**
 * Reads users, nodes with their routes, pre-auth keys, API keys and the policy of a running server
 * through its CLI. Only read commands run. Supports Headscale 0.26 and later; throws a
 * HeadsupError for older versions and when a command fails.
 */
export async function captureSnapshot(target: SnapshotTarget): Promise<Snapshot> {
  const cli: HeadscaleCli = { runner: target.runner, binaryPath: target.binaryPath, configPath: target.configPath, ...(target.timeoutMs ? { timeoutMs: target.timeoutMs } : {}) };
  const dialect = cliDialect(target.version);

  const users = normaliseUsers(await cliJson(cli, ['users', 'list']));
  const routes = normaliseRoutes(await cliJson(cli, ['nodes', 'list-routes']));
  const nodes = normaliseNodes(await cliJson(cli, ['nodes', 'list']), routes);
  const preAuthKeys = normalisePreAuthKeys(await listPreAuthKeys(cli, dialect, users));
  const apiKeys = normaliseApiKeys(await cliJson(cli, ['apikeys', 'list']));
  const policy = await capturePolicy(cli, await readPolicySettings(target.configPath));

  return { users, nodes, preAuthKeys, apiKeys, policy };
}

async function listPreAuthKeys(cli: HeadscaleCli, dialect: ReturnType<typeof cliDialect>, users: UserSnapshot[]): Promise<unknown[]> {
  if (!dialect.preAuthKeysListedPerUser) return jsonList(await cliJson(cli, dialect.preAuthKeysListArgs()));

  const keys: unknown[] = [];
  for (const user of users) keys.push(...jsonList(await cliJson(cli, dialect.preAuthKeysListArgs(user.id))));

  return keys;
}

export type { ApiKeySnapshot, NodeSnapshot, PolicySnapshot, PreAuthKeySnapshot, UserSnapshot };
