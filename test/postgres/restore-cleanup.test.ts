import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { dumpDatabase } from '../../src/apply/postgres/dump.js';
import { restoreDatabase } from '../../src/apply/postgres/restore.js';
import { runSql } from '../../src/apply/postgres/sql.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';
import { databaseFingerprint, query } from './fingerprint.js';
import { createLabDatabase, dropLabDatabase, readTestServerSettings, type LabDatabase } from './server.js';

/** Tables, a sequence, an index and a foreign key, as a Headscale migration creates them. */
const SCHEMA = `
CREATE TABLE users (id bigserial PRIMARY KEY, name text UNIQUE);
CREATE TABLE nodes (id bigserial PRIMARY KEY, user_id bigint REFERENCES users (id), hostname text);
INSERT INTO users (name) VALUES ('alice'), ('bob');
INSERT INTO nodes (user_id, hostname) VALUES (1, 'laptop'), (2, 'phone');
`;

/** Objects of every kind the clean-up drops, added after the dump as a newer version might. */
const LATER_OBJECTS = `
ALTER TABLE nodes ADD COLUMN tags text;
ALTER TABLE users DROP COLUMN name;
CREATE TABLE database_versions (id bigint PRIMARY KEY, version text NOT NULL);
INSERT INTO database_versions VALUES (1, 'v0.29.2');
CREATE TYPE node_state AS ENUM ('online', 'offline');
CREATE DOMAIN hostname_text AS text CHECK (VALUE <> '');
CREATE TYPE pair AS (a int, b int);
CREATE FUNCTION node_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM nodes';
CREATE VIEW node_names AS SELECT hostname FROM nodes;
CREATE MATERIALIZED VIEW user_ids AS SELECT id FROM users;
CREATE SEQUENCE stray_sequence;
INSERT INTO nodes (user_id, hostname) VALUES (1, 'added later');
`;

describe('restoreDatabase clean-up', { timeout: 60_000 }, () => {
  let workDir: string;
  let database: LabDatabase;
  let dumpFile: string;

  beforeAll(async () => {
    readTestServerSettings();
    workDir = await mkdtemp(join(tmpdir(), 'headsup-pg-cleanup-'));
  });

  beforeEach(async () => {
    if (database) await dropLabDatabase(database);
    database = await createLabDatabase();
    await runSql(nodeProcessRunner, database, SCHEMA);
    dumpFile = join(workDir, `${database.name}.dump`);
    await dumpDatabase(nodeProcessRunner, database, dumpFile);
  });

  afterAll(async () => {
    if (database) await dropLabDatabase(database);
    await rm(workDir, { recursive: true, force: true });
  });

  it('drops objects added after the dump', async () => {
    const dumped = await databaseFingerprint(database);
    await runSql(nodeProcessRunner, database, LATER_OBJECTS);

    await restoreDatabase(nodeProcessRunner, database, dumpFile);

    expect(await databaseFingerprint(database)).toEqual(dumped);
    const leftovers = await query(database, `SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typname IN ('node_state', 'hostname_text', 'pair');`);
    expect(leftovers).toEqual([]);
    expect(await query(database, `SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace;`)).toEqual([]);
    expect(await query(database, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm', 'S') ORDER BY relname;`)).toEqual([['nodes_id_seq'], ['users_id_seq']]);
  });

  it('restored sequences continue after the dumped rows', async () => {
    await runSql(nodeProcessRunner, database, LATER_OBJECTS);
    await restoreDatabase(nodeProcessRunner, database, dumpFile);

    const output = await runSql(nodeProcessRunner, database, `INSERT INTO users (name) VALUES ('carol') RETURNING id;`);

    expect(output.trim()).toBe('3');
  });

  it('failed restore changes nothing', async () => {
    // The dump now also contains a schema of its own, which the clean-up leaves in place, so loading
    // the dump fails on CREATE SCHEMA after the public schema was already emptied.
    await runSql(nodeProcessRunner, database, `CREATE SCHEMA extra; CREATE TABLE extra.notes (body text);`);
    await dumpDatabase(nodeProcessRunner, database, dumpFile);
    await runSql(nodeProcessRunner, database, `INSERT INTO users (name) VALUES ('after the dump');`);
    const before = await databaseFingerprint(database);

    const failure = restoreDatabase(nodeProcessRunner, database, dumpFile);

    await expect(failure).rejects.toMatchObject({ code: 'POSTGRES_RESTORE_FAILED', message: expect.stringContaining('already exists') });
    expect(await databaseFingerprint(database)).toEqual(before);
  });
});
