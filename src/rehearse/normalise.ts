/**
 * Normalisers of the `-o json` output of the Headscale CLI, so that the output of 0.26, 0.27, 0.28
 * and 0.29 compares equal when the stored data did not change. They remove differences of form
 * only (field names, masking, time formats, `null` for empty lists). Changes of meaning that a
 * version makes on purpose are declared in expected-changes.ts instead.
 */

export interface UserSnapshot {
  id: number;
  name: string;
  createdAt: string | null;
}

export interface NodeSnapshot {
  id: number;
  /** The hostname the node registered with (`name` in the CLI output). */
  name: string;
  givenName: string;
  /**
   * The owning user's name, or null when the node belongs to no user. From 0.28 a tagged node
   * belongs to its tags, and the CLI lists the pseudo-user `tagged-devices` as its user. Up to
   * 0.27 a tagged node still belongs to the user it registered with.
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
  /** Sorted routes the node announces (`available_routes`). */
  advertisedRoutes: string[];
  /** Sorted routes an admin or the policy approved (`approved_routes`). */
  approvedRoutes: string[];
}

export interface PreAuthKeySnapshot {
  id: number;
  user: string | null;
  reusable: boolean;
  ephemeral: boolean;
  used: boolean;
  expiration: string | null;
  tags: string[];
  createdAt: string | null;
}

export interface ApiKeySnapshot {
  id: number;
  /** The public prefix without the `***` mask that 0.28 and later append. */
  prefix: string;
  expiration: string | null;
  createdAt: string | null;
}

/** The routes of one node as `nodes list-routes` lists them. */
export interface NodeRoutes {
  advertised: string[];
  approved: string[];
}

/** ID of the pseudo-user that owns tagged nodes from 0.28 on, measured on 0.28.0 and 0.29.2. */
export const TAGGED_DEVICES_USER_ID = 2_147_455_555;

export function normaliseUsers(output: unknown): UserSnapshot[] {
  return jsonList(output)
    .map((entry) => {
      const user = asRecord(entry);
      return { id: Number(user.id), name: String(user.name), createdAt: timestamp(user.created_at) };
    })
    .sort(byId);
}

/**
 * Normalises `nodes list`. Routes come from `nodes list-routes` (`routes`, keyed by node ID): up to
 * 0.27 it lists every node, from 0.28 only nodes with routes, so a node it leaves out has none.
 */
export function normaliseNodes(output: unknown, routes: ReadonlyMap<number, NodeRoutes> = new Map()): NodeSnapshot[] {
  return jsonList(output)
    .map((entry) => {
      const node = asRecord(entry);
      const id = Number(node.id);
      const user = node.user === undefined || node.user === null ? null : asRecord(node.user);
      const nodeRoutes = routes.get(id);
      return {
        id,
        name: String(node.name),
        givenName: String(node.given_name ?? ''),
        owner: user === null || Number(user.id) === TAGGED_DEVICES_USER_ID ? null : String(user.name),
        ipAddresses: sortedUnique(strings(node.ip_addresses)),
        tags: sortedUnique([...strings(node.tags), ...strings(node.forced_tags), ...strings(node.valid_tags)]),
        machineKey: String(node.machine_key ?? ''),
        expiry: timestamp(node.expiry),
        createdAt: timestamp(node.created_at),
        advertisedRoutes: nodeRoutes?.advertised ?? [],
        approvedRoutes: nodeRoutes?.approved ?? [],
      };
    })
    .sort(byId);
}

/**
 * Normalises `nodes list-routes` into routes by node ID. `subnet_routes` is left out: it lists the
 * routes the server elected in memory as primary, and a restart clears them for nodes that are
 * not connected (measured on 0.26.1, and across 0.27.1 → 0.28.0 → 0.29.2). No client connects
 * to a rehearsal, so the list would always differ from production.
 */
export function normaliseRoutes(output: unknown): Map<number, NodeRoutes> {
  const routes = new Map<number, NodeRoutes>();
  for (const entry of jsonList(output)) {
    const node = asRecord(entry);
    routes.set(Number(node.id), { advertised: sortedUnique(strings(node.available_routes)), approved: sortedUnique(strings(node.approved_routes)) });
  }

  return routes;
}

export function normalisePreAuthKeys(output: unknown): PreAuthKeySnapshot[] {
  return jsonList(output)
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

/**
 * Normalises `apikeys list`. Up to 0.27 the prefix is the 7 characters before the dot of the key.
 * 0.28 lists such a key as `<prefix>***` and its own keys as `hskey-api-<12 characters>-***`; the
 * mask is removed. `last_seen` is live state and left out.
 */
export function normaliseApiKeys(output: unknown): ApiKeySnapshot[] {
  return jsonList(output)
    .map((entry) => {
      const key = asRecord(entry);
      return {
        id: Number(key.id),
        prefix: unmaskedPrefix(String(key.prefix ?? '')),
        expiration: timestamp(key.expiration),
        createdAt: timestamp(key.created_at),
      };
    })
    .sort(byId);
}

/** Legacy prefixes are URL-safe base64 and may end with `-` themselves, so only the new form loses its dash. */
function unmaskedPrefix(listed: string): string {
  const prefix = listed.replace(/\*\*\*$/, '');
  return prefix.startsWith('hskey-api-') ? prefix.replace(/-$/, '') : prefix;
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

/** Checks that CLI output is a list; 0.26.1–0.29.2 print `null`, not `[]`, for a list with no entries. */
export function jsonList(value: unknown): unknown[] {
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
