/**
 * Builds the Headscale 0.28.0 databases the bench upgrades: 100 nodes made through Headscale's
 * own CLI, and larger ones grown from that by SQL while Headscale is stopped.
 */
import { randomBytes } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';

import { HeadscaleInstance, seed } from '../test/lab/index.js';

export const FROM_VERSION = '0.28.0';
export const TO_VERSION = '0.29.2';

/** Nodes, users and pre-auth keys the CLI creates: 10 users with 10 nodes and one key each, every second node tagged. */
export const CLI_SEED = { users: 10, nodesPerUser: 10, preAuthKeysPerUser: 1 } as const;
export const CLI_NODES = CLI_SEED.users * CLI_SEED.nodesPerUser;

interface NodeRow {
  id: number;
  host_info: string | null;
  hostname: string;
  user_id: number | null;
  register_method: string | null;
  tags: string | null;
  auth_key_id: number | null;
  expiry: string | null;
  last_seen: string | null;
  approved_routes: string | null;
  created_at: string | null;
  updated_at: string | null;
}

/** The template databases by node count, as files in `dir`. */
export type Templates = Map<number, string>;

/**
 * Seeds a 0.28.0 server through its CLI, stops it, and writes one database file per size into
 * `dir`. Sizes above CLI_NODES are grown from the CLI-made database by addNodesBySql.
 */
export async function buildTemplates(dir: string, sizes: readonly number[], log: (line: string) => void): Promise<Templates> {
  const instance = await HeadscaleInstance.create(FROM_VERSION);
  const base = join(dir, `nodes-${CLI_NODES}.sqlite`);
  try {
    await instance.start();
    await instance.waitHealthy();
    const started = Date.now();
    await seed(instance, { ...CLI_SEED, tagNodes: true });
    log(`seeded ${CLI_NODES} nodes through the Headscale ${FROM_VERSION} CLI in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await instance.stop();
    compactCopy(instance.dbPath, base);
  } finally {
    await instance.dispose();
  }

  const templates: Templates = new Map();
  for (const size of sizes) {
    if (size === CLI_NODES) {
      templates.set(size, base);
      continue;
    }
    if (size < CLI_NODES) throw new Error(`--sizes ${size} is below ${CLI_NODES}, the nodes the CLI seeds; use ${CLI_NODES} or more`);

    const path = join(dir, `nodes-${size}.sqlite`);
    await copyFile(base, path);
    addNodesBySql(path, size - CLI_NODES);
    templates.set(size, path);
  }
  return templates;
}

/** Writes a checkpointed, single-file copy of a stopped server's database (`VACUUM INTO`). */
function compactCopy(source: string, target: string): void {
  const db = new Database(source);
  try {
    db.exec(`VACUUM INTO '${target.replaceAll("'", "''")}'`);
  } finally {
    db.close();
  }
}

/**
 * Adds `count` nodes to a 0.28.0 database. Each new node copies a CLI-made node (its user, tags,
 * registration method and timestamps) and gets fresh random machine and node keys, the next free
 * IPv4 and IPv6 addresses of the lab prefixes, and a unique hostname. This is what registering a
 * node writes, without the Tailscale client that `nodes register` would need per node.
 */
export function addNodesBySql(path: string, count: number): void {
  const db = new Database(path);
  try {
    const models = db.prepare('SELECT * FROM nodes ORDER BY id').all() as NodeRow[];
    if (models.length === 0) throw new Error(`${path} has no nodes to copy`);

    const insert = db.prepare(`INSERT INTO nodes (machine_key, node_key, disco_key, endpoints, host_info, ipv4, ipv6, hostname, given_name,
      user_id, register_method, tags, auth_key_id, expiry, last_seen, approved_routes, created_at, updated_at, deleted_at)
      VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`);
    let offset = lastAddressOffset(db);
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const model = models[i % models.length]!;
        offset = nextHostOffset(offset);
        const hostname = `${model.hostname}-copy${i + 1}`;
        const hostInfo = JSON.stringify({ ...(model.host_info ? (JSON.parse(model.host_info) as object) : {}), Hostname: hostname });
        insert.run(
          `mkey:${randomBytes(32).toString('hex')}`,
          `nodekey:${randomBytes(32).toString('hex')}`,
          `discokey:${'0'.repeat(64)}`,
          hostInfo,
          ipv4At(offset),
          `fd7a:115c:a1e0::${offset.toString(16)}`,
          hostname,
          hostname,
          model.user_id,
          model.register_method,
          model.tags,
          model.auth_key_id,
          model.expiry,
          model.last_seen,
          model.approved_routes,
          model.created_at,
          model.updated_at,
        );
      }
    })();
  } finally {
    db.close();
  }
}

/** Returns the highest IPv4 offset inside 100.64.0.0/10 that a node has. */
function lastAddressOffset(db: Database.Database): number {
  const rows = db.prepare('SELECT ipv4 FROM nodes WHERE ipv4 IS NOT NULL').all() as Array<{ ipv4: string }>;
  return Math.max(0, ...rows.map((row) => offsetOf(row.ipv4)));
}

function offsetOf(ipv4: string): number {
  const [a = 0, b = 0, c = 0, d = 0] = ipv4.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) - ((100 << 24) | (64 << 16));
}

/** Skips offsets ending in .0 and .255, which some clients treat as network or broadcast addresses. */
function nextHostOffset(offset: number): number {
  let next = offset + 1;
  while ((next & 0xff) === 0 || (next & 0xff) === 0xff) next++;
  return next;
}

function ipv4At(offset: number): string {
  const value = (100 << 24) + (64 << 16) + offset;
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}
