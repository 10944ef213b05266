import { cliDialect } from './cli-dialect.js';
import type { HeadscaleInstance } from './instance.js';

/**
 * What an upgrade must keep, read through the CLI with `-o json` and normalised so that the output
 * of 0.26, 0.27, 0.28 and 0.29 compares equal when the stored data did not change. Left out on
 * purpose, because they change without anyone touching the data:
 * - pre-auth key secrets: secrets do not belong in a comparison, and 0.28 lists its own keys
 *   masked (`hskey-auth-<prefix>-***`) but keys made before 0.28 in full;
 * - `last_seen` and `online`: live state, written as clients come and go;
 * - `node_key` and `disco_key`: clients rotate them;
 * - `valid_tags` and `invalid_tags` of 0.26/0.27: computed from the policy when listed;
 * - `register_method` and user display names, emails and providers, which the CLI does not set.
 */
export interface Invariants {
  users: UserInvariant[];
  nodes: NodeInvariant[];
  preAuthKeys: PreAuthKeyInvariant[];
}

export interface UserInvariant {
  id: number;
  name: string;
  createdAt: string | null;
}

export interface NodeInvariant {
  id: number;
  /** The hostname the node registered with (`name` in the CLI output). */
  name: string;
  givenName: string;
  /**
   * The owning user's name, or null for a tagged node. From 0.28 a tagged node belongs to its tags,
   * and the CLI reports the pseudo-user `tagged-devices` as its owner. Up to 0.27 tags were
   * attributes of a user's node. Null in both cases keeps the comparison across 0.27 → 0.28 equal.
   */
  owner: string | null;
  ipAddresses: string[];
  /**
   * Sorted tags: `tags` from 0.28, the union of `forced_tags` and `valid_tags` up to 0.27. The
   * 0.28 migration merges exactly these into its `tags` column.
   */
  tags: string[];
  machineKey: string;
  /** Key expiry, null for none. 0.29 migrates the zero time that earlier versions store to NULL. */
  expiry: string | null;
  createdAt: string | null;
}

export interface PreAuthKeyInvariant {
  id: number;
  user: string | null;
  reusable: boolean;
  ephemeral: boolean;
  used: boolean;
  expiration: string | null;
  tags: string[];
  createdAt: string | null;
}

/** Reads users, nodes and pre-auth keys of a running instance through its CLI. */
export async function captureInvariants(instance: HeadscaleInstance): Promise<Invariants> {
  const users = normaliseUsers(await instance.cliJson(['users', 'list']));
  const nodes = normaliseNodes(await instance.cliJson(['nodes', 'list']));
  const preAuthKeys = normalisePreAuthKeys(await listPreAuthKeys(instance, users));

  return { users, nodes, preAuthKeys };
}

async function listPreAuthKeys(instance: HeadscaleInstance, users: UserInvariant[]): Promise<unknown[]> {
  const dialect = cliDialect(instance.version);
  if (!dialect.preAuthKeysListedPerUser) return asArray(await instance.cliJson(dialect.preAuthKeysListArgs()));

  const keys: unknown[] = [];
  for (const user of users) keys.push(...asArray(await instance.cliJson(dialect.preAuthKeysListArgs(user.id))));

  return keys;
}

export function normaliseUsers(output: unknown): UserInvariant[] {
  return asArray(output)
    .map((entry) => {
      const user = asRecord(entry);
      return { id: Number(user.id), name: String(user.name), createdAt: timestamp(user.created_at) };
    })
    .sort(byId);
}

export function normaliseNodes(output: unknown): NodeInvariant[] {
  return asArray(output)
    .map((entry) => {
      const node = asRecord(entry);
      const tags = sortedUnique([...strings(node.tags), ...strings(node.forced_tags), ...strings(node.valid_tags)]);
      const user = node.user === undefined || node.user === null ? null : asRecord(node.user);
      return {
        id: Number(node.id),
        name: String(node.name),
        givenName: String(node.given_name ?? ''),
        owner: tags.length > 0 || user === null ? null : String(user.name),
        ipAddresses: sortedUnique(strings(node.ip_addresses)),
        tags,
        machineKey: String(node.machine_key ?? ''),
        expiry: timestamp(node.expiry),
        createdAt: timestamp(node.created_at),
      };
    })
    .sort(byId);
}

export function normalisePreAuthKeys(output: unknown): PreAuthKeyInvariant[] {
  return asArray(output)
    .map((entry) => {
      const key = asRecord(entry);
      const user = key.user === undefined || key.user === null ? null : asRecord(key.user);
      return {
        id: Number(key.id),
        user: user === null ? null : String(user.name),
        // The CLI prints protobuf messages through encoding/json, which leaves out false fields.
        reusable: key.reusable === true,
        ephemeral: key.ephemeral === true,
        used: key.used === true,
        expiration: timestamp(key.expiration),
        tags: sortedUnique(strings(key.acl_tags)),
        createdAt: timestamp(key.created_at),
      };
    })
    .sort(byId);
}

/** Go's zero time, 0001-01-01T00:00:00Z, which Headscale prints for "not set". */
const GO_ZERO_SECONDS = -62_135_596_800;

/**
 * Converts a protobuf timestamp as the CLI prints it (`{"seconds": …, "nanos": …}`) or an RFC 3339
 * string to ISO form with millisecond precision. Returns null when absent or Go's zero time.
 */
export function timestamp(value: unknown): string | null {
  if (value === undefined || value === null) return null;

  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    if (Number.isNaN(parsed) || parsed === GO_ZERO_SECONDS * 1000) return null;
    return new Date(parsed).toISOString();
  }

  const { seconds, nanos } = asRecord(value);
  const wholeSeconds = Number(seconds ?? 0);
  if (wholeSeconds === GO_ZERO_SECONDS || (seconds === undefined && nanos === undefined)) return null;

  return new Date(wholeSeconds * 1000 + Math.floor(Number(nanos ?? 0) / 1e6)).toISOString();
}

/** 0.26.1–0.29.2 print `null`, not `[]`, for a list with no entries. */
function asArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`expected a JSON list from the Headscale CLI, got ${JSON.stringify(value).slice(0, 200)}`);

  return value;
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new Error(`expected a JSON object from the Headscale CLI, got ${JSON.stringify(value)}`);

  return value as Record<string, unknown>;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function byId(a: { id: number }, b: { id: number }): number {
  return a.id - b.id;
}
