import { cliDialect } from './cli-dialect.js';
import type { HeadscaleInstance } from './instance.js';
import { LAB_TAGS } from './offline-config.js';

export interface SeedOptions {
  users: number;
  preAuthKeysPerUser: number;
  nodesPerUser: number;
  /** Tags every second node of each user with `tag:lab-server`. Default: true. */
  tagNodes?: boolean;
  /** Prefix of user names; seeding one instance twice needs a new prefix. Default: `user`. */
  userPrefix?: string;
}

export interface SeededUser {
  id: number;
  name: string;
}

export interface SeededPreAuthKey {
  id: number;
  user: string;
  reusable: boolean;
  ephemeral: boolean;
  tags: string[];
  /** The secret, printed only at creation from 0.28 on (the server stores a bcrypt hash). */
  key: string;
}

export interface SeededNode {
  id: number;
  name: string;
  /** The user the node was registered for. From 0.28 a tagged node belongs to its tags instead. */
  user: string;
  tags: string[];
}

export interface SeedResult {
  users: SeededUser[];
  preAuthKeys: SeededPreAuthKey[];
  nodes: SeededNode[];
}

/**
 * Fills a running instance through Headscale's own CLI. Each user `<prefix>N` gets pre-auth keys
 * that alternate between reusable with 24 h expiry and ephemeral with 30 days, and every third key
 * is tagged `tag:lab-ci`. Then the user gets nodes `<user>-nodeM`.
 *
 * Nodes come without a Tailscale client: `debug create-node` puts a pending registration with
 * generated keys into the server's registration cache, and the register command turns it into a
 * node with IPs, as an admin approving a login would. The cache lives in memory, so both steps
 * run against the same server process.
 */
export async function seed(instance: HeadscaleInstance, options: SeedOptions): Promise<SeedResult> {
  const result: SeedResult = { users: [], preAuthKeys: [], nodes: [] };
  const prefix = options.userPrefix ?? 'user';

  for (let u = 1; u <= options.users; u++) {
    const user = await createUser(instance, `${prefix}${u}`);
    result.users.push(user);

    for (let k = 0; k < options.preAuthKeysPerUser; k++) {
      result.preAuthKeys.push(await createPreAuthKey(instance, user, k));
    }

    for (let n = 1; n <= options.nodesPerUser; n++) {
      const tagged = (options.tagNodes ?? true) && n % 2 === 0;
      result.nodes.push(await createNode(instance, user, `${user.name}-node${n}`, tagged ? [LAB_TAGS[0]] : []));
    }
  }

  // Registration runs in order, so IDs and IPs follow the names. Tagging changes neither and takes
  // 0.5–1 s per call on 0.27–0.29, so it runs in parallel.
  await Promise.all(result.nodes.filter((node) => node.tags.length > 0).map((node) => tagNode(instance, node)));

  return result;
}

async function createUser(instance: HeadscaleInstance, name: string): Promise<SeededUser> {
  const created = await instance.cliJson<{ id: number | string; name: string }>(['users', 'create', name]);

  return { id: Number(created.id), name: created.name };
}

async function createPreAuthKey(instance: HeadscaleInstance, user: SeededUser, index: number): Promise<SeededPreAuthKey> {
  const reusable = index % 2 === 0;
  const tags = index % 3 === 2 ? [LAB_TAGS[1]] : [];
  const args = ['preauthkeys', 'create', '--user', String(user.id), '--expiration', index % 2 === 0 ? '24h' : '720h'];
  args.push(reusable ? '--reusable' : '--ephemeral');
  if (tags.length > 0) args.push('--tags', tags.join(','));

  const created = await instance.cliJson<{ id: number | string; key: string }>(args);

  return { id: Number(created.id), user: user.name, reusable, ephemeral: !reusable, tags, key: created.key };
}

async function createNode(instance: HeadscaleInstance, user: SeededUser, name: string, tags: string[]): Promise<SeededNode> {
  const dialect = cliDialect(instance.version);
  const registrationId = dialect.newRegistrationId();
  await instance.cliJson(['debug', 'create-node', '--name', name, '--user', user.name, '--key', registrationId]);

  const node = await instance.cliJson<{ id: number | string; name: string }>(dialect.registerArgs(user.name, registrationId));

  return { id: Number(node.id), name: node.name, user: user.name, tags };
}

async function tagNode(instance: HeadscaleInstance, node: SeededNode): Promise<void> {
  await instance.cliJson(['nodes', 'tag', '--identifier', String(node.id), '--tags', node.tags.join(',')]);
}
