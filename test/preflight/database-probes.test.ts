import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkClientVersions } from '../../src/judge/preflight/client-versions.js';
import { openDatabaseCopy, type DatabaseCopy } from '../../src/judge/preflight/database-copy.js';
import { checkDuplicateUsers } from '../../src/judge/preflight/duplicate-users.js';
import { checkForeignKeys, checkOrphanAuthKeys } from '../../src/judge/preflight/foreign-keys.js';
import { checkNodeKeys } from '../../src/judge/preflight/node-keys.js';
import { checkNullColumns } from '../../src/judge/preflight/null-columns.js';
import type { PreflightFinding, PreflightInput } from '../../src/judge/preflight/types.js';
import { checkUnknownTables } from '../../src/judge/preflight/unknown-tables.js';
import { requireVersion } from '../../src/judge/version.js';
import { silentLogger } from '../../src/platform/logger.js';
import { configtestOnCopy, corruptedCopy, runSql, seededLabDatabase, type LabDatabase } from './lab-database.js';

const FROM = requireVersion('0.28.0');
const TO = requireVersion('0.29.2');
const LIVE_PATH = '/var/lib/headscale/db.sqlite';

function inputFor(copyPath: string | null, livePath = LIVE_PATH): PreflightInput {
  return {
    headscaleConfigPath: '/etc/headscale/config.yaml',
    files: { databaseType: 'sqlite', sqlitePath: livePath, keyFiles: [], policyFile: null, noiseKeyPath: null },
    from: FROM,
    to: TO,
    databaseCopyPath: copyPath,
    backupsDir: '/var/lib/headsup/backups',
    logger: silentLogger(),
  };
}

const opened: DatabaseCopy[] = [];

async function open(copyPath: string): Promise<DatabaseCopy> {
  const copy = await openDatabaseCopy(inputFor(copyPath));
  if (!('db' in copy)) throw new Error(`cannot open ${copyPath}: ${copy.message}`);
  opened.push(copy);
  return copy;
}

function verdicts(findings: PreflightFinding[]): string[] {
  return findings.map((item) => `${item.check}=${item.verdict}`);
}

function output(result: { stdout: string; stderr: string }): string {
  return `${result.stdout}\n${result.stderr}`;
}

describe('database probes on a seeded 0.28.0 lab database', { timeout: 120_000 }, () => {
  let lab: LabDatabase;

  beforeAll(async () => {
    lab = await seededLabDatabase('v0.28.0');
  }, 180_000);

  afterAll(async () => {
    for (const copy of opened) copy.db.close();
    await lab?.dispose();
  });

  it('passes every probe on the clean copy', async () => {
    const copy = await open(await corruptedCopy(lab));

    expect(verdicts(checkOrphanAuthKeys(copy))).toEqual(['database:orphan-auth-keys=pass']);
    expect(verdicts(checkForeignKeys(copy))).toEqual(['database:foreign-keys=pass']);
    expect(verdicts(checkNodeKeys(copy, FROM))).toEqual(['database:node-keys=pass']);
    expect(verdicts(checkDuplicateUsers(copy))).toEqual(['database:duplicate-users=pass']);
    expect(verdicts(checkNullColumns(copy))).toEqual(['database:null-columns=pass']);
    expect(verdicts(checkUnknownTables(copy, TO))).toEqual(['database:unknown-tables=pass']);
  });

  it('leaves the copy unchanged', async () => {
    const path = await corruptedCopy(lab);
    const before = createHash('sha256').update(await readFile(path)).digest('hex');
    const copy = await open(path);
    checkOrphanAuthKeys(copy);
    checkNodeKeys(copy, FROM);
    checkUnknownTables(copy, TO);
    copy.db.close();

    expect(createHash('sha256').update(await readFile(path)).digest('hex')).toBe(before);
  });

  it('names a node whose pre-auth key was deleted', async () => {
    const path = await corruptedCopy(lab, 'UPDATE nodes SET auth_key_id = 2 WHERE id = 1; DELETE FROM pre_auth_keys WHERE id = 2;');
    const [orphans] = checkOrphanAuthKeys(await open(path));

    expect(orphans?.verdict).toBe('fail');
    expect(orphans?.message).toContain('1 (user1-node1) → key 2');
    expect(orphans?.fix).toBe(`with Headscale stopped: sqlite3 ${LIVE_PATH} 'UPDATE nodes SET auth_key_id = NULL WHERE id IN (1);'`);
  });

  it('orphan key stops 0.29.2 until the fix runs', async () => {
    const path = await corruptedCopy(lab, 'UPDATE nodes SET auth_key_id = 2 WHERE id = 1; DELETE FROM pre_auth_keys WHERE id = 2;');
    const [orphans] = checkOrphanAuthKeys(await open(path));
    const broken = await configtestOnCopy('v0.29.2', path, lab.scratch);

    expect(broken.exitCode).not.toBe(0);
    expect(output(broken)).toContain('foreign key constraints violated');

    const fixed = await corruptedCopy(lab, 'UPDATE nodes SET auth_key_id = 2 WHERE id = 1; DELETE FROM pre_auth_keys WHERE id = 2;');
    runSql(fixed, (orphans?.details as { sql: string }).sql);
    const result = await configtestOnCopy('v0.29.2', fixed, lab.scratch);

    expect(output(result)).not.toContain('foreign key');
    expect(result.exitCode).toBe(0);
  });

  it('reports other foreign keys with their ON DELETE action', async () => {
    const copy = await open(await corruptedCopy(lab, 'DELETE FROM users WHERE id = 2;'));
    const findings = checkForeignKeys(copy);
    const byTable = Object.fromEntries(findings.map((item) => [(item.details as { table: string }).table, item]));

    expect(verdicts(findings)).toEqual(['database:foreign-keys=fail', 'database:foreign-keys=fail']);
    expect(byTable.nodes?.message).toBe('2 row(s) of nodes reference missing users rows through nodes.user_id: rowid 3, 4');
    expect(byTable.nodes?.fix).toContain("'DELETE FROM nodes WHERE rowid IN (3, 4);'");
    expect(byTable.pre_auth_keys?.fix).toContain("'UPDATE pre_auth_keys SET user_id = NULL WHERE rowid IN (3, 4);'");
  });

  it('fails on an empty disco key', async () => {
    const path = await corruptedCopy(lab, "UPDATE nodes SET disco_key = '' WHERE id = 3;");
    const [keys] = checkNodeKeys(await open(path), FROM);

    expect(keys?.verdict).toBe('fail');
    expect(keys?.message).toContain('node 3 (user2-node1) disco_key is empty');
    expect(keys?.fix).toContain('headscale nodes delete --identifier 3 --force');

    const result = await configtestOnCopy('v0.29.2', path, lab.scratch);
    expect(result.exitCode).not.toBe(0);
    expect(output(result)).toContain('decoding to DiscoKey');
  });

  it('fails on a key without its type prefix', async () => {
    const copy = await open(await corruptedCopy(lab, "UPDATE nodes SET machine_key = substr(machine_key, 6) WHERE id = 2;"));
    const [keys] = checkNodeKeys(copy, FROM);

    expect(keys?.verdict).toBe('fail');
    expect(keys?.message).toMatch(/node 2 \(user1-node2\) machine_key is malformed \("[0-9a-f]{64}"\)/);
  });

  it('accepts bare hex keys of a 0.22 database', async () => {
    const copy = await open(await corruptedCopy(lab, "UPDATE nodes SET machine_key = substr(machine_key, 6), node_key = substr(node_key, 9), disco_key = substr(disco_key, 10);"));

    expect(verdicts(checkNodeKeys(copy, requireVersion('0.22.3')))).toEqual(['database:node-keys=pass']);
  });

  it('warns on a NULL key', async () => {
    const copy = await open(await corruptedCopy(lab, 'UPDATE nodes SET node_key = NULL WHERE id = 4;'));
    const [keys] = checkNodeKeys(copy, FROM);

    expect(keys?.verdict).toBe('warn');
    expect(keys?.message).toContain('node 4 (user2-node2) node_key is NULL');
  });

  it('fails on a table the target schema lacks', async () => {
    const path = await corruptedCopy(lab, 'CREATE TABLE audit_log (id integer PRIMARY KEY, note text);');
    const [unknown] = checkUnknownTables(await open(path), TO);

    expect(unknown?.verdict).toBe('fail');
    expect(unknown?.message).toContain('table audit_log not in the schema of v0.29.2');
    expect(unknown?.fix).toContain(`sqlite3 ${LIVE_PATH} 'DROP TABLE "audit_log";'`);

    const result = await configtestOnCopy('v0.29.2', path, lab.scratch);
    expect(result.exitCode).not.toBe(0);
    expect(output(result)).toContain('Remove table "audit_log"');
  });

  it('fails on an extra index of a known table', async () => {
    const copy = await open(await corruptedCopy(lab, 'CREATE INDEX idx_nodes_hostname ON nodes(hostname);'));
    const [unknown] = checkUnknownTables(copy, TO);

    expect(unknown?.verdict).toBe('fail');
    expect(unknown?.message).toContain('index idx_nodes_hostname');
  });

  it('accepts litestream tables from 0.27.1 on', async () => {
    const copy = await open(await corruptedCopy(lab, 'CREATE TABLE _litestream_seq (id integer PRIMARY KEY, seq integer);'));

    expect(verdicts(checkUnknownTables(copy, TO))).toEqual(['database:unknown-tables=pass']);
    expect(verdicts(checkUnknownTables(copy, requireVersion('0.27.0')))).toEqual(['database:unknown-tables=fail']);
  });

  it('counts a legacy table as dropped while its migration is pending', async () => {
    const pending = await open(await corruptedCopy(lab, "CREATE TABLE kvs (k text, v text); DELETE FROM migrations WHERE id = '202510311551';"));
    const applied = await open(await corruptedCopy(lab, 'CREATE TABLE kvs (k text, v text);'));

    expect(verdicts(checkUnknownTables(pending, TO))).toEqual(['database:unknown-tables=pass']);
    expect(verdicts(checkUnknownTables(applied, TO))).toEqual(['database:unknown-tables=fail']);
  });

  it('skips the schema check before 0.27', async () => {
    const copy = await open(await corruptedCopy(lab, 'CREATE TABLE audit_log (id integer PRIMARY KEY);'));

    expect(verdicts(checkUnknownTables(copy, requireVersion('0.26.1')))).toEqual(['database:unknown-tables=pass']);
  });

  it('fails on duplicate local user names', async () => {
    const copy = await open(await corruptedCopy(lab, "DROP INDEX idx_name_no_provider_identifier; INSERT INTO users (name) VALUES ('user1');"));
    const [duplicates] = checkDuplicateUsers(copy);

    expect(duplicates?.verdict).toBe('fail');
    expect(duplicates?.message).toContain('"user1" (ids 1, 3)');
  });

  it('warns on a name shared with an OIDC user', async () => {
    const copy = await open(await corruptedCopy(lab, "INSERT INTO users (name, provider_identifier) VALUES ('user2', 'https://idp.example.com/abc123');"));
    const [shared] = checkDuplicateUsers(copy);

    expect(shared?.verdict).toBe('warn');
    expect(shared?.message).toContain('"user2" (ids 2, 3)');
  });

  it('warns on an untagged node without a user', async () => {
    const copy = await open(await corruptedCopy(lab, 'UPDATE nodes SET user_id = NULL WHERE id IN (1, 2);'));
    const [owners] = checkNullColumns(copy);

    // Node 2 is tagged, and from 0.28 a tagged node belongs to its tags, not a user.
    expect(owners?.verdict).toBe('warn');
    expect(owners?.message).toBe('untagged node(s) without a user: 1 (user1-node1); no user\'s policy rules apply to them');
  });

  it('names nodes whose client is too old', async () => {
    const copy = await open(
      await corruptedCopy(
        lab,
        `UPDATE nodes SET host_info = json_set(host_info, '$.IPNVersion', '1.58.2-t0123abcd-g4567') WHERE id = 1;
         UPDATE nodes SET host_info = json_set(host_info, '$.IPNVersion', '1.80.0-tabc') WHERE id = 2;
         UPDATE nodes SET host_info = json_set(host_info, '$.IPNVersion', '1.76.6') WHERE id = 3;
         UPDATE nodes SET host_info = json_set(host_info, '$.IPNVersion', 'unstable') WHERE id = 4;`,
      ),
    );
    const [tooOld, unknown] = checkClientVersions(copy, TO);

    expect(tooOld?.verdict).toBe('fail');
    expect(tooOld?.message).toMatch(/^2 node\(s\) run an older Tailscale and will be cut off: 1 \(user1-node1\) on 1\.58\.2-t0123abcd-g4567, 3 \(user2-node1\) on 1\.76\.6; 0\.29\.2 accepts Tailscale 1\.80 and later/);
    expect(unknown?.verdict).toBe('warn');
    expect(unknown?.message).toContain('4 (user2-node2) ("unstable")');
    expect(verdicts(checkClientVersions(copy, requireVersion('0.28.0')))).toEqual(['client-versions=fail', 'client-versions=warn']);
    expect((checkClientVersions(copy, requireVersion('0.28.0'))[0]?.details as { tooOld: unknown[] }).tooOld).toHaveLength(1);
    expect(verdicts(checkClientVersions(copy, requireVersion('0.22.3')))).toEqual(['client-versions=pass']);
  });

  it('warns when lab nodes report no version', async () => {
    const [unknown] = checkClientVersions(await open(await corruptedCopy(lab)), TO);

    expect(unknown?.verdict).toBe('warn');
    expect(unknown?.message).toContain('the Tailscale version of 4 node(s) is unknown');
  });

  it('refuses the live database as the copy', async () => {
    const path = await corruptedCopy(lab);
    const result = await openDatabaseCopy(inputFor(path, path));

    expect('db' in result).toBe(false);
    expect(result).toMatchObject({ check: 'database-copy', verdict: 'fail' });
  });

  it('warns when no copy was made', async () => {
    const result = await openDatabaseCopy(inputFor(null));

    expect(result).toMatchObject({ check: 'database-copy', verdict: 'warn' });
  });
});
