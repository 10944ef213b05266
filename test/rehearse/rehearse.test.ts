import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { nodeProcessRunner, type ProcessRunner } from '../../src/platform/exec.js';
import { formatDifferences, unexpectedDifferences } from '../../src/rehearse/diff.js';
import { rehearsePath } from '../../src/rehearse/rehearse.js';
import { headscaleBinary, Lab, LAB_TAGS, seed } from '../lab/index.js';
import { addRouter, createApiKey, hashLiveFiles, livePid, rehearsalInput, removeWorkDirs } from './harness.js';

const HOOK_TIMEOUT_MS = 120_000;

describe('rehearsal on real Headscale', { timeout: 240_000 }, () => {
  const lab = new Lab();

  afterEach(async () => {
    await lab.disposeAll();
    await removeWorkDirs();
  }, HOOK_TIMEOUT_MS);

  it('passes 0.28.0 to 0.29.2 without differences', async () => {
    const live = await lab.started('v0.28.0');
    await seed(live, { users: 2, preAuthKeysPerUser: 2, nodesPerUser: 2 });
    const router = await addRouter(live, 'user2', 'router', ['10.2.0.0/16', '0.0.0.0/0', '::/0'], ['10.2.0.0/16']);
    await createApiKey(live);
    const hashes = hashLiveFiles(live);
    const pid = livePid(live);

    const result = await rehearsePath(await rehearsalInput(live, ['v0.29.2']));

    expect(result.error).toBeNull();
    expect(result.before?.nodes.find((node) => node.id === router)?.advertisedRoutes).toEqual(['0.0.0.0/0', '10.2.0.0/16', '::/0']);
    expect(result.before?.apiKeys).toHaveLength(1);
    expect(result.hops.map((hop) => [hop.hop.to.text, hop.failedStep, hop.firstError])).toEqual([['0.29.2', null, null]]);
    expect(result.hops[0]?.differences).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.before?.nodes).toHaveLength(5);
    expect(result.before?.preAuthKeys).toHaveLength(4);
    expect(hashLiveFiles(live)).toEqual(hashes);
    expect(livePid(live)).toBe(pid);
    expect(await live.isRunning()).toBe(true);
    expect(result.sandboxKept).toBe(false);
    expect(existsSync(result.sandboxDir!)).toBe(false);
  });

  it('fails at configtest on randomize_client_port', async () => {
    const live = await lab.started('v0.28.0', { randomizeClientPort: false });
    await seed(live, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    const hashes = hashLiveFiles(live);
    const pid = livePid(live);

    const result = await rehearsePath(await rehearsalInput(live, ['v0.29.2']));

    expect(result.ok).toBe(false);
    expect(result.hops).toHaveLength(1);
    expect(result.hops[0]?.failedStep).toBe('configtest');
    expect(result.hops[0]?.firstError).toMatch(/FTL FATAL: The "randomize_client_port" configuration key has been removed/);
    expect(result.sandboxKept).toBe(true);
    expect(existsSync(result.sandboxDir!)).toBe(true);
    expect(readdirSync(result.sandboxDir!)).toContain('config.yaml');
    expect(hashLiveFiles(live)).toEqual(hashes);
    expect(livePid(live)).toBe(pid);
  });

  it('fails at configtest on a sidecar table', async () => {
    const live = await lab.started('v0.28.0');
    await seed(live, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 1 });
    // A table another tool added to Headscale's database; 0.27 and later validate the schema.
    const database = new Database(live.dbPath);
    database.exec('CREATE TABLE audit_sidecar (id INTEGER PRIMARY KEY, note TEXT)');
    database.close();
    const hashes = hashLiveFiles(live);

    const result = await rehearsePath(await rehearsalInput(live, ['v0.29.2']));

    expect(result.hops[0]?.failedStep).toBe('configtest');
    expect(result.hops[0]?.firstError).toMatch(/validating schema: invalid schema .* >> Remove table "audit_sidecar"/);
    expect(hashLiveFiles(live)).toEqual(hashes);
  });

  it('keeps a policy stored in the database', async () => {
    const live = await lab.create('v0.28.0');
    await writeFile(live.configPath, (await readFile(live.configPath, 'utf8')).replace('mode: file', 'mode: database'));
    await live.start();
    await live.waitHealthy();
    expect((await live.cli(['policy', 'set', '--file', live.policyPath!])).exitCode).toBe(0);
    await seed(live, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 2 });

    const result = await rehearsePath(await rehearsalInput(live, ['v0.29.2']));

    expect(result.hops[0]?.failedStep).toBeNull();
    expect(result.before?.policy?.source).toBe('database');
    expect(result.hops[0]?.differences).toEqual([]);
  });

  it('ignores HEADSCALE_ variables in its environment', async () => {
    const live = await lab.started('v0.28.0');
    await seed(live, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 1 });
    const hashes = hashLiveFiles(live);
    // Headscale reads every config key from these variables; they would point the sandbox at production.
    process.env.HEADSCALE_DATABASE_SQLITE_PATH = live.dbPath;
    process.env.HEADSCALE_UNIX_SOCKET = live.socketPath;

    try {
      const result = await rehearsePath(await rehearsalInput(live, ['v0.29.2']));

      expect(result.hops[0]?.failedStep).toBeNull();
    } finally {
      delete process.env.HEADSCALE_DATABASE_SQLITE_PATH;
      delete process.env.HEADSCALE_UNIX_SOCKET;
    }
    expect(hashLiveFiles(live)).toEqual(hashes);
  });

  it('fails at copy when the database is missing', async () => {
    const live = await lab.started('v0.28.0');
    const input = await rehearsalInput(live, ['v0.29.2']);

    const result = await rehearsePath({ ...input, files: { ...input.files, sqlitePath: `${live.dir}/missing.sqlite` } });

    expect(result.hops.map((hop) => hop.failedStep)).toEqual(['copy']);
    expect(result.hops[0]?.firstError).toContain(`cannot open the live database ${live.dir}/missing.sqlite read-only`);
    expect(result.sandboxDir).toBeNull();
    expect(readdirSync(input.workDir)).toEqual([]);
  });

  it('passes 0.26.1 through 0.27.1 to 0.28.0', async () => {
    const live = await lab.started('v0.26.1');
    await seed(live, { users: 2, preAuthKeysPerUser: 2, nodesPerUser: 2 });
    const router = await addRouter(live, 'user1', 'router', ['10.1.0.0/16', '0.0.0.0/0', '::/0'], ['10.1.0.0/16', '0.0.0.0/0']);
    await createApiKey(live);
    const hashes = hashLiveFiles(live);
    const pid = livePid(live);

    const result = await rehearsePath(await rehearsalInput(live, ['v0.27.1', 'v0.28.0']));

    expect(result.hops.map((hop) => [hop.hop.to.text, hop.failedStep, hop.firstError])).toEqual([
      ['0.27.1', null, null],
      ['0.28.0', null, null],
    ]);
    expect(result.ok).toBe(true);
    expect(result.hops[0]?.differences).toEqual([]);
    const taggedNodes = result.before!.nodes.filter((node) => node.tags.includes(LAB_TAGS[0]));
    expect(taggedNodes).toHaveLength(2);
    expect(unexpectedDifferences(result.hops[1]!.differences)).toEqual([]);
    expect(result.hops[1]?.differences.map((difference) => [difference.entity, difference.field, difference.before, difference.after])).toEqual(
      taggedNodes.map((node) => [`node ${node.id} (${node.name})`, 'owner', node.owner, null]),
    );
    expect(result.before?.nodes.find((node) => node.id === router)).toMatchObject({
      advertisedRoutes: ['0.0.0.0/0', '10.1.0.0/16', '::/0'],
      approvedRoutes: ['0.0.0.0/0', '10.1.0.0/16', '::/0'],
    });
    expect(result.before?.apiKeys).toHaveLength(1);
    expect(hashLiveFiles(live)).toEqual(hashes);
    expect(livePid(live)).toBe(pid);
  });

  it('reports a change injected between hops', async () => {
    const live = await lab.started('v0.27.1');
    await seed(live, { users: 1, preAuthKeysPerUser: 1, nodesPerUser: 2 });
    const target = headscaleBinary('v0.29.2');
    // Before the second hop's configtest, rename node 1 in the sandbox database behind Headscale's back.
    const runner: ProcessRunner = {
      ...nodeProcessRunner,
      run(file, args, options) {
        if (file === target && args[0] === 'configtest') injectGivenName(String(args[2]));
        return nodeProcessRunner.run(file, args, options);
      },
    };

    const result = await rehearsePath(await rehearsalInput(live, ['v0.28.0', 'v0.29.2'], { runner }));

    expect(result.ok).toBe(false);
    expect(result.hops.map((hop) => [hop.hop.to.text, hop.failedStep])).toEqual([
      ['0.28.0', null],
      ['0.29.2', 'diff'],
    ]);
    expect(result.hops[1]?.firstError).toBe('node 1 (user1-node1): givenName changed from "user1-node1" to "injected"');
    expect(unexpectedDifferences(result.hops[1]!.differences)).toEqual([
      { kind: 'node', entity: 'node 1 (user1-node1)', field: 'givenName', before: 'user1-node1', after: 'injected', expectedReason: null },
    ]);
    expect(result.sandboxKept).toBe(true);
  });

  it('reports an undeclared change as a difference', async () => {
    const live = await lab.started('v0.27.1');
    await seed(live, { users: 1, preAuthKeysPerUser: 0, nodesPerUser: 2 });

    const result = await rehearsePath(await rehearsalInput(live, ['v0.28.0'], { expectedChanges: [] }));

    expect(result.ok).toBe(false);
    expect(result.hops[0]?.failedStep).toBe('diff');
    expect(result.hops[0]?.firstError).toBe('node 2 (user1-node2): owner changed from "user1" to null');
    expect(formatDifferences(result.hops[0]!.differences)).toBe('node 2 (user1-node2): owner changed from "user1" to null');
  });
});

/** Sets the given name of node 1 in the sandbox database that the config at `configPath` names. */
function injectGivenName(configPath: string): void {
  const database = new Database(configPath.replace(/config\.yaml$/, 'db.sqlite'));
  try {
    database.prepare("UPDATE nodes SET given_name = 'injected' WHERE id = 1").run();
  } finally {
    database.close();
  }
}
