import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { HeadsupError } from '../errors.js';

/** The ports a sandbox listens on, all on 127.0.0.1. STUN is UDP, the others TCP. */
export interface SandboxPorts {
  http: number;
  metrics: number;
  grpc: number;
  stun: number;
}

/** A file of the live instance that the sandbox needs a copy of; skipped when the source does not exist. */
export interface SandboxCopy {
  source: string;
  target: string;
}

export interface SandboxConfig {
  /** The rewritten config as YAML; comments and key order of the live config are kept. */
  text: string;
  databasePath: string;
  socketPath: string;
  /** The copy of the policy file, or null when the config names none. */
  policyPath: string | null;
  /** Keys, policy and read-only inputs to copy; the database is copied apart, through SQLite's backup API. */
  copies: SandboxCopy[];
  /** Facts about the rehearsal that the operator should know, in sentences. */
  notes: string[];
}

type Path = readonly (string | number)[];

/** Config keys naming private keys, with the name of their copy in the sandbox. */
const KEY_FILES: ReadonlyArray<[Path, string]> = [
  [['noise', 'private_key_path'], 'noise_private.key'],
  [['derp', 'server', 'private_key_path'], 'derp_server_private.key'],
  // Legacy key of 0.22 and earlier; 0.23 and later ignore it.
  [['private_key_path'], 'private.key'],
];

/** Config keys naming files the server only reads, with the name of their copy under `inputs/`. */
const INPUT_FILES: ReadonlyArray<[Path, string]> = [
  [['dns', 'extra_records_path'], 'extra-records'],
  [['oidc', 'client_secret_path'], 'oidc-client-secret'],
];

/**
 * Removed: a rehearsal serves plain HTTP on 127.0.0.1, must never request certificates, and must
 * not bind `tls_letsencrypt_listen` (`:http`, all interfaces, in the example configs).
 */
const REMOVED_KEYS: readonly Path[] = [
  ['tls_cert_path'],
  ['tls_key_path'],
  ['tls_letsencrypt_hostname'],
  ['tls_letsencrypt_cache_dir'],
  ['tls_letsencrypt_challenge_type'],
  ['tls_letsencrypt_listen'],
];

/**
 * Rewrites a live Headscale config for a sandbox in `dir`: every file the config names points
 * into `dir`, every listener is on 127.0.0.1 at `ports`, `server_url` is
 * `http://127.0.0.1:<http port>`, the update check is off, and TLS is off. It understands the
 * layout of 0.23 and later (`database.sqlite.path`, `policy.path`) and the older one (`db_path`,
 * `acl_policy_path`, `private_key_path`). Relative paths resolve against the live config's folder,
 * as Headscale resolves them.
 *
 * NOTE: Headscale also reads every key from HEADSCALE_* environment variables. This rewrite reads
 * only the file, so a key that production sets through its service environment is missing here.
 */
export function rewriteConfigForSandbox(liveText: string, options: { liveConfigPath: string; dir: string; ports: SandboxPorts }): SandboxConfig {
  const doc = parseConfig(liveText, options.liveConfigPath);
  const base = dirname(options.liveConfigPath);
  const inDir = (name: string) => join(options.dir, name);
  const copies: SandboxCopy[] = [];
  const notes: string[] = [];

  const databasePath = inDir('db.sqlite');
  for (const path of databaseKeys(doc)) doc.setIn(path, databasePath);

  const socketPath = inDir('headscale.sock');
  doc.setIn(['unix_socket'], socketPath);

  for (const [path, name] of KEY_FILES) redirect(doc, path, base, inDir(name), copies);

  const policyPath = redirectPolicy(doc, base, options.dir, copies);
  for (const [path, name] of INPUT_FILES) redirect(doc, path, base, inDir(join('inputs', name)), copies);
  redirectDerpPaths(doc, base, options.dir, copies);

  setListeners(doc, options.ports);
  for (const path of REMOVED_KEYS) doc.deleteIn(path);
  doc.setIn(['disable_check_updates'], true);
  notes.push(...limitDerp(doc));
  if (doc.hasIn(['oidc', 'issuer'])) notes.push('OIDC is configured, so the rehearsal contacts the OIDC issuer as production does.');

  return { text: doc.toString(), databasePath, socketPath, policyPath, copies, notes };
}

function parseConfig(text: string, configPath: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents))) {
    const reason = doc.errors[0]?.message ?? 'the top level is not a mapping';
    throw new HeadsupError('HEADSCALE_CONFIG_UNREADABLE', `cannot read the Headscale config ${configPath}: ${reason}`, {
      hint: 'check the `config:` path of the instance in the headsup config',
    });
  }

  return doc;
}

/** `db_path` in the layout before 0.23, `database.sqlite.path` from 0.23; both when both are present. */
function databaseKeys(doc: Document): Path[] {
  const legacy = doc.hasIn(['db_path']) || doc.hasIn(['db_type']);
  const current = doc.hasIn(['database']) || !legacy;
  return [...(legacy ? [['db_path']] : []), ...(current ? [['database', 'sqlite', 'path']] : [])];
}

/** Points a non-empty path key at `target` and records the copy; unset and empty keys stay as they are. */
function redirect(doc: Document, path: Path, base: string, target: string, copies: SandboxCopy[]): string | null {
  const value = doc.getIn(path);
  if (typeof value !== 'string' || value === '') return null;

  copies.push({ source: isAbsolute(value) ? value : resolve(base, value), target });
  doc.setIn(path, target);
  return target;
}

/** `policy.path` from 0.23, `acl_policy_path` before; each gets its own copy, and the first is the one 0.23+ reads. */
function redirectPolicy(doc: Document, base: string, dir: string, copies: SandboxCopy[]): string | null {
  const current = redirect(doc, ['policy', 'path'], base, join(dir, `policy${extensionOf(doc.getIn(['policy', 'path']))}`), copies);
  const legacy = redirect(doc, ['acl_policy_path'], base, join(dir, `acl-policy${extensionOf(doc.getIn(['acl_policy_path']))}`), copies);
  return current ?? legacy;
}

function extensionOf(value: unknown): string {
  return typeof value === 'string' && extname(value) !== '' ? extname(value) : '.hujson';
}

/** Local DERP map files (`derp.paths`) are read at start; each gets a copy under `inputs/`. */
function redirectDerpPaths(doc: Document, base: string, dir: string, copies: SandboxCopy[]): void {
  const paths = doc.getIn(['derp', 'paths']);
  if (!isSeq(paths)) return;

  paths.items.forEach((_item, index) => {
    const value = doc.getIn(['derp', 'paths', index]);
    const name = typeof value === 'string' ? `derp-map-${index}-${basename(value)}` : `derp-map-${index}`;
    redirect(doc, ['derp', 'paths', index], base, join(dir, 'inputs', name), copies);
  });
}

function setListeners(doc: Document, ports: SandboxPorts): void {
  doc.setIn(['server_url'], `http://127.0.0.1:${ports.http}`);
  doc.setIn(['listen_addr'], `127.0.0.1:${ports.http}`);
  doc.setIn(['metrics_listen_addr'], `127.0.0.1:${ports.metrics}`);
  doc.setIn(['grpc_listen_addr'], `127.0.0.1:${ports.grpc}`);
  if (isMap(doc.getIn(['derp', 'server']))) doc.setIn(['derp', 'server', 'stun_listen_addr'], `127.0.0.1:${ports.stun}`);
}

/**
 * With the embedded DERP server on, the sandbox uses only that region: no DERP map download and no
 * refresh. Without it the server has no region unless it downloads one, and from 0.23 it refuses
 * to start with an empty map, so the URLs stay.
 */
function limitDerp(doc: Document): string[] {
  if (doc.getIn(['derp', 'server', 'enabled']) === true) {
    doc.setIn(['derp', 'urls'], doc.createNode([]));
    doc.setIn(['derp', 'auto_update_enabled'], false);
    return [];
  }

  const urls = doc.getIn(['derp', 'urls']);
  if (isSeq(urls) && urls.items.length > 0) {
    return ['The embedded DERP server is off, so the rehearsal downloads the DERP map from `derp.urls` as production does.'];
  }

  return [];
}
