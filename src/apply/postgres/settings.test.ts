import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readPostgresSettings } from './settings.js';

describe('readPostgresSettings', () => {
  let dir: string;
  let counter = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headsup-pg-settings-'));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function configFile(yaml: string): Promise<string> {
    const path = join(dir, `config-${counter++}.yaml`);
    await writeFile(path, yaml);
    return path;
  }

  it('reads the keys of 0.23 and later', async () => {
    const path = await configFile(`
database:
  type: postgres
  postgres:
    host: db.example.internal
    port: 6543
    name: headscale
    user: hs
    pass: "s3cret"
    ssl: require
`);

    expect(await readPostgresSettings(path)).toEqual({ host: 'db.example.internal', port: 6543, name: 'headscale', user: 'hs', password: 's3cret', sslMode: 'require' });
  });

  it('reads the db_ keys before 0.23', async () => {
    const path = await configFile(`
db_type: postgres
db_host: 10.0.0.5
db_port: 5433
db_name: hs_old
db_user: headscale
db_pass: old-pass
db_ssl: true
`);

    expect(await readPostgresSettings(path)).toEqual({ host: '10.0.0.5', port: 5433, name: 'hs_old', user: 'headscale', password: 'old-pass', sslMode: null });
  });

  it('reads a unix socket host', async () => {
    const path = await configFile(`
database:
  type: postgres
  postgres:
    host: /var/run/postgresql
    name: headscale
    user: headscale
`);

    expect(await readPostgresSettings(path)).toEqual({ host: '/var/run/postgresql', port: 5432, name: 'headscale', user: 'headscale', password: null, sslMode: 'disable' });
  });

  it.each([
    ['false', 'disable'],
    ['true', null],
    ['"F"', 'disable'],
    ['"1"', null],
    ['verify-full', 'verify-full'],
  ])('maps ssl: %s to sslmode %s', async (ssl, sslMode) => {
    const path = await configFile(`database: { type: postgres, postgres: { host: h, user: u, ssl: ${ssl} } }\n`);

    expect((await readPostgresSettings(path)).sslMode).toBe(sslMode);
  });

  it('defaults name to user and port 0 to 5432', async () => {
    const path = await configFile(`database: { type: postgres, postgres: { host: h, port: 0, user: hs } }\n`);

    expect(await readPostgresSettings(path)).toMatchObject({ name: 'hs', port: 5432 });
  });

  it('keeps spaces and quotes in the password', async () => {
    const path = await configFile(`database: { type: postgres, postgres: { host: h, user: u, pass: " it's \\"quoted\\" " } }\n`);

    expect((await readPostgresSettings(path)).password).toBe(` it's "quoted" `);
  });

  it('prefers HEADSCALE_ variables', async () => {
    const path = await configFile(`database: { type: postgres, postgres: { host: h, user: u, pass: file-pass } }\n`);

    const settings = await readPostgresSettings(path, { HEADSCALE_DATABASE_POSTGRES_PASS: 'env-pass', HEADSCALE_DATABASE_POSTGRES_PORT: '7000' });

    expect(settings).toMatchObject({ password: 'env-pass', port: 7000, host: 'h' });
  });

  it('rejects a SQLite config', async () => {
    const path = await configFile(`database: { type: sqlite, sqlite: { path: /var/lib/headscale/db.sqlite } }\n`);

    await expect(readPostgresSettings(path)).rejects.toMatchObject({ code: 'HEADSCALE_CONFIG_NOT_POSTGRES' });
  });

  it('rejects a missing user', async () => {
    const path = await configFile(`database: { type: postgres, postgres: { host: h } }\n`);

    await expect(readPostgresSettings(path)).rejects.toMatchObject({ code: 'HEADSCALE_CONFIG_NO_POSTGRES_SETTING', message: expect.stringContaining('database.postgres.user') });
  });

  it('rejects a port out of range', async () => {
    const path = await configFile(`database: { type: postgres, postgres: { host: h, user: u, port: 70000 } }\n`);

    await expect(readPostgresSettings(path)).rejects.toMatchObject({ code: 'HEADSCALE_CONFIG_INVALID_PORT' });
  });

  it('rejects a missing file', async () => {
    await expect(readPostgresSettings(join(dir, 'absent.yaml'))).rejects.toMatchObject({ code: 'HEADSCALE_CONFIG_UNREADABLE' });
  });
});
