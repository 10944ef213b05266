import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runSql } from '../../src/apply/postgres/sql.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';
import { createLabDatabase, dropLabDatabase, parseEnvFile, readTestServerSettings } from './server.js';

describe('PostgreSQL test server settings', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headsup-pg-env-'));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('missing file names the setup script', () => {
    expect(() => readTestServerSettings(join(dir, 'absent.env'))).toThrow('run bash scripts/setup-postgres.sh');
  });

  it('parses shell single quotes', () => {
    const values = parseEnvFile(`# comment\nHEADSUP_PG_PORT='5432'\nHEADSUP_PG_PASSWORD='it'\\''s "x" $y'\n`);

    expect(values.get('HEADSUP_PG_PORT')).toBe('5432');
    expect(values.get('HEADSUP_PG_PASSWORD')).toBe(`it's "x" $y`);
  });

  it('missing key names the setup script', async () => {
    const path = join(dir, 'partial.env');
    await writeFile(path, `HEADSUP_PG_HOST='127.0.0.1'\n`);

    expect(() => readTestServerSettings(path)).toThrow(/no HEADSUP_PG_PORT; run bash scripts\/setup-postgres\.sh/);
  });
});

describe('PostgreSQL test server', () => {
  it('listens on 127.0.0.1 only', async () => {
    const admin = readTestServerSettings();

    const output = await runSql(nodeProcessRunner, admin, 'SHOW listen_addresses;');

    expect(admin.host).toBe('127.0.0.1');
    expect(output.trim()).toBe('127.0.0.1');
  });

  it('lab database is owned by its role', async () => {
    const database = await createLabDatabase();
    try {
      const output = await runSql(nodeProcessRunner, database, 'SELECT current_user, pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database();');

      expect(output.trim()).toBe(`${database.user}|${database.user}`);
    } finally {
      await dropLabDatabase(database);
    }

    const remaining = await runSql(nodeProcessRunner, readTestServerSettings(), `SELECT count(*) FROM pg_roles WHERE rolname = '${database.user}';`);
    expect(remaining.trim()).toBe('0');
  });
});
