import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { stringify } from 'yaml';

import { requireVersion, type Version } from '../../src/judge/version.js';
import { freePort } from './ports.js';

/** The ports one instance listens on, all on 127.0.0.1. STUN is UDP, the others TCP. */
export interface LabPorts {
  http: number;
  metrics: number;
  grpc: number;
  stun: number;
}

export interface OfflineConfigOptions {
  /** Ports to use instead of fresh free ones, e.g. to keep an instance's ports across a rewrite. */
  ports?: Partial<LabPorts>;
  /**
   * Writes `randomize_client_port` with this value. Every example config up to 0.28 contains
   * `randomize_client_port: false`, and 0.29 exits at start while the key is present with any
   * value. Left out when undefined, which every version accepts.
   */
  randomizeClientPort?: boolean;
  /**
   * HuJSON policy written to `policy.hujson` and set as `policy.path`; null writes no policy.
   * Default: LAB_POLICY, which lets `nodes tag` set the lab tags.
   */
  policy?: string | null;
  /** Headscale's `log.level`. Default: info. */
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** Stores Headscale's data in this PostgreSQL database instead of `db.sqlite`. */
  postgres?: LabPostgres | null;
}

/** A PostgreSQL database for one lab instance; the config connects without TLS (`ssl: false`). */
export interface LabPostgres {
  host: string;
  port: number;
  name: string;
  user: string;
  password: string;
}

/** Where a written config points; every path is inside the instance directory. */
export interface OfflineConfig {
  version: Version;
  configPath: string;
  serverUrl: string;
  healthUrl: string;
  ports: LabPorts;
  /** SQLite database path; no file exists there when `postgres` is set. */
  dbPath: string;
  /** The PostgreSQL database Headscale uses, or null for SQLite. */
  postgres: LabPostgres | null;
  noiseKeyPath: string;
  derpKeyPath: string;
  socketPath: string;
  policyPath: string | null;
}

/** Tags the lab policy defines. From 0.28 `nodes tag` rejects a tag that no policy defines. */
export const LAB_TAGS = ['tag:lab-server', 'tag:lab-ci'] as const;

/**
 * Policy of the lab: everyone may reach everything, and the lab tags exist. The owner lists are
 * empty because only the admin CLI sets the tags. Accepted by 0.26.1–0.29.2 (policy v2).
 */
export const LAB_POLICY = `{
  "tagOwners": {
    "tag:lab-server": [],
    "tag:lab-ci": []
  },
  "acls": [
    { "action": "accept", "src": ["*"], "dst": ["*:*"] }
  ]
}
`;

/** The oldest minor whose config keys this writer supports, because 0.23 renamed the database, DNS and prefix keys. */
const OLDEST_MINOR = 23;

/**
 * Writes `<dir>/config.yaml`, a config for `version` that needs no network beyond 127.0.0.1. It
 * turns off the update check and the DERP map download, puts all listeners and STUN on loopback,
 * and keeps all state files inside `dir`. Most keys were checked by starting 0.26.1, 0.27.1,
 * 0.28.0 and 0.29.2 without them (results in docs/headscale-builds.md).
 * NOTE: configs for 0.23–0.25 use the keys of 0.26 without `dns.override_local_dns` and were never run.
 */
export async function writeOfflineConfig(version: string, dir: string, options: OfflineConfigOptions = {}): Promise<OfflineConfig> {
  const parsed = requireVersion(version);
  if (parsed.major === 0 && parsed.minor < OLDEST_MINOR) {
    throw new Error(`Headscale ${version} is not supported by the lab config: it needs 0.${OLDEST_MINOR}.0 or later (older releases use other config keys)`);
  }

  const ports = await resolvePorts(options.ports);
  const policy = options.policy === undefined ? LAB_POLICY : options.policy;
  const config: OfflineConfig = {
    version: parsed,
    configPath: join(dir, 'config.yaml'),
    serverUrl: `http://127.0.0.1:${ports.http}`,
    healthUrl: `http://127.0.0.1:${ports.http}/health`,
    ports,
    dbPath: join(dir, 'db.sqlite'),
    postgres: options.postgres ?? null,
    noiseKeyPath: join(dir, 'noise_private.key'),
    derpKeyPath: join(dir, 'derp_server_private.key'),
    socketPath: join(dir, 'headscale.sock'),
    policyPath: policy === null ? null : join(dir, 'policy.hujson'),
  };

  if (config.policyPath !== null && policy !== null) await writeFile(config.policyPath, policy);
  await writeFile(config.configPath, stringify(configDocument(config, options)));

  return config;
}

/** Builds the YAML document of a config as plain data. */
export function configDocument(config: OfflineConfig, options: Pick<OfflineConfigOptions, 'randomizeClientPort' | 'logLevel'> = {}): Record<string, unknown> {
  const { ports } = config;
  const document: Record<string, unknown> = {
    server_url: config.serverUrl,
    listen_addr: `127.0.0.1:${ports.http}`,
    metrics_listen_addr: `127.0.0.1:${ports.metrics}`,
    // Headscale binds gRPC only with TLS or grpc_allow_insecure (measured on 0.26.1–0.29.2), but a
    // loopback port keeps it there if that changes.
    grpc_listen_addr: `127.0.0.1:${ports.grpc}`,
    // Without this key every command except `version` queries GitHub for the newest release.
    disable_check_updates: true,
    noise: { private_key_path: config.noiseKeyPath },
    prefixes: { v4: '100.64.0.0/10', v6: 'fd7a:115c:a1e0::/48', allocation: 'sequential' },
    derp: derpSection(config),
    database: databaseSection(config),
    unix_socket: config.socketPath,
    dns: dnsSection(config.version),
    logtail: { enabled: false },
    log: { level: options.logLevel ?? 'info', format: 'text' },
  };

  if (config.policyPath !== null) document.policy = { mode: 'file', path: config.policyPath };
  if (options.randomizeClientPort !== undefined) document.randomize_client_port = options.randomizeClientPort;

  return document;
}

/**
 * Headscale exits when its DERP map is empty ("initial DERPMap is empty, Headscale requires at
 * least one entry", measured on 0.26.1–0.29.2), so the embedded DERP server provides the only
 * region, and `urls: []` keeps Headscale from downloading Tailscale's map. Without
 * `private_key_path` the server exits with "failed to save private key to disk at path \"\"".
 */
function derpSection(config: OfflineConfig): Record<string, unknown> {
  return {
    server: {
      enabled: true,
      region_id: 999,
      region_code: 'headscale',
      region_name: 'Headscale Embedded DERP',
      stun_listen_addr: `127.0.0.1:${config.ports.stun}`,
      private_key_path: config.derpKeyPath,
      automatically_add_embedded_derp_region: true,
      // Replaces the example's documentation address, which clients would receive as the DERP address.
      ipv4: '127.0.0.1',
    },
    urls: [],
    paths: [],
    auto_update_enabled: false,
  };
}

/** Keys of 0.23 and later; `ssl: false` becomes `sslmode=disable` in Headscale's connection string. */
function databaseSection(config: OfflineConfig): Record<string, unknown> {
  if (config.postgres === null) return { type: 'sqlite', sqlite: { path: config.dbPath } };

  const { host, port, name, user, password } = config.postgres;
  return { type: 'postgres', postgres: { host, port, name, user, pass: password, ssl: false } };
}

/**
 * MagicDNS needs `dns.base_domain`, so it is off. From 0.26 `dns.override_local_dns` defaults to
 * true and then requires `dns.nameservers.global` ("dns.nameservers.global must be set when
 * dns.override_local_dns is true"); 0.23–0.25 do not know the key.
 */
function dnsSection(version: Version): Record<string, unknown> {
  const dns: Record<string, unknown> = { magic_dns: false };
  if (version.major > 0 || version.minor >= 26) dns.override_local_dns = false;

  return dns;
}

async function resolvePorts(overrides: Partial<LabPorts> = {}): Promise<LabPorts> {
  return {
    http: overrides.http ?? (await freePort('tcp')),
    metrics: overrides.metrics ?? (await freePort('tcp')),
    grpc: overrides.grpc ?? (await freePort('tcp')),
    stun: overrides.stun ?? (await freePort('udp')),
  };
}
