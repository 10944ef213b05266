import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { dumpDatabase } from '../../src/apply/postgres/dump.js';
import { restoreDatabase } from '../../src/apply/postgres/restore.js';
import { createScratchCopy } from '../../src/apply/postgres/scratch.js';
import type { PostgresSettings } from '../../src/apply/postgres/settings.js';
import { runSql } from '../../src/apply/postgres/sql.js';
import { checkPgDumpSupportsServer, pgToolVersion, postgresServerVersion } from '../../src/apply/postgres/tool-version.js';
import { HeadsupError } from '../../src/errors.js';
import { nodeProcessRunner, type ProcessRunner, type RunOptions } from '../../src/platform/exec.js';
import { createLabDatabase, dropLabDatabase, readTestServerSettings, type LabDatabase } from './server.js';

interface RecordedRun {
  file: string;
  args: readonly string[];
  options: RunOptions;
}

/** Runs programs for real and records every call, to check what reaches a command line. */
function recordingRunner(): { runner: ProcessRunner; runs: RecordedRun[] } {
  const runs: RecordedRun[] = [];
  const runner: ProcessRunner = {
    run(file, args, options = {}) {
      runs.push({ file, args, options });
      return nodeProcessRunner.run(file, args, options);
    },
    runShell: (commandLine, options) => nodeProcessRunner.runShell(commandLine, options),
  };
  return { runner, runs };
}

/** Everything an operator or a log file could see of an error: message, hint, stack, causes, and pino's JSON. */
function visibleText(error: unknown): string {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  pino({ level: 'debug' }, stream).error({ err: error }, 'postgres step failed');

  return [inspect(error, { depth: 10 }), (error as HeadsupError).hint ?? '', JSON.stringify(error), ...lines].join('\n');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }

  throw new Error('expected a rejection');
}

describe('pg_dump', { timeout: 60_000 }, () => {
  let workDir: string;
  let database: LabDatabase;
  let referenceDump: string;

  beforeAll(async () => {
    readTestServerSettings();
    workDir = await mkdtemp(join(tmpdir(), 'headsup-pg-dump-'));
    database = await createLabDatabase();
    await runSql(nodeProcessRunner, database, `CREATE TABLE users (id bigserial PRIMARY KEY, name text); INSERT INTO users (name) VALUES ('alice');`);
    referenceDump = join(workDir, 'reference.dump');
    await dumpDatabase(nodeProcessRunner, database, referenceDump);
  });

  afterAll(async () => {
    // Unset when beforeAll failed, for example without a test server.
    if (database) await dropLabDatabase(database);
    await rm(workDir, { recursive: true, force: true });
  });

  it('writes a 0600 file with its hash', async () => {
    const file = join(workDir, 'private.dump');
    await writeFile(file, 'older content');
    await chmod(file, 0o644);

    const result = await dumpDatabase(nodeProcessRunner, database, file);
    const content = await readFile(file);

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(result.size).toBe(content.length);
    expect(result.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(content.subarray(0, 5).toString('latin1')).toBe('PGDMP');
  });

  it('passes the password only in PGPASSWORD', async () => {
    const { runner, runs } = recordingRunner();

    await dumpDatabase(runner, database, join(workDir, 'env.dump'));

    expect(runs).toHaveLength(1);
    expect(runs[0]!.args.join(' ')).not.toContain(database.password);
    expect(runs[0]!.args).toContain('--no-password');
    expect(runs[0]!.options.env?.PGPASSWORD).toBe(database.password);
  });

  it('hides a wrong password in errors and logs', async () => {
    const wrong: PostgresSettings = { ...database, password: 'wrong-Secret-7f3a9c' };
    const file = join(workDir, 'wrong.dump');

    const errors = [
      await rejection(dumpDatabase(nodeProcessRunner, wrong, file)),
      await rejection(restoreDatabase(nodeProcessRunner, wrong, referenceDump)),
      await rejection(createScratchCopy(nodeProcessRunner, wrong, referenceDump)),
    ];

    for (const error of errors) {
      expect(error).toBeInstanceOf(HeadsupError);
      expect((error as HeadsupError).message).toContain('password authentication failed');
      expect(visibleText(error)).not.toContain(wrong.password);
      expect(visibleText(error)).not.toContain(database.password);
    }
    expect((errors[0] as HeadsupError).code).toBe('POSTGRES_DUMP_FAILED');
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('names pg_dump too old for the server', async () => {
    const binDir = await mkdtemp(join(workDir, 'old-bin-'));
    // A stand-in for pg_dump 12, which refuses a newer server with these messages.
    await writeFile(
      join(binDir, 'pg_dump'),
      `#!/bin/sh
if [ "$1" = --version ]; then echo 'pg_dump (PostgreSQL) 12.22'; exit 0; fi
echo 'pg_dump: error: aborting because of server version mismatch' >&2
echo 'pg_dump: detail: server version: 15.0; pg_dump version: 12.22' >&2
exit 1
`,
      { mode: 0o755 },
    );
    await symlink('/usr/bin/psql', join(binDir, 'psql'));

    const error = await rejection(dumpDatabase(nodeProcessRunner, database, join(workDir, 'old.dump'), { binDir }));

    expect(error).toBeInstanceOf(HeadsupError);
    expect((error as HeadsupError).code).toBe('POSTGRES_TOOL_TOO_OLD');
    expect((error as HeadsupError).message).toMatch(/^pg_dump 12\.22 cannot dump the PostgreSQL 1\d\.\d+ server/);
    expect((error as HeadsupError).hint).toMatch(/postgresql-client-1\d/);
    expect(String(((error as HeadsupError).cause as Error).message)).toContain('server version mismatch');
  });

  it('reports a missing pg_dump', async () => {
    const binDir = await mkdtemp(join(workDir, 'empty-bin-'));

    const error = await rejection(dumpDatabase(nodeProcessRunner, database, join(workDir, 'missing.dump'), { binDir }));

    expect(error).toMatchObject({ code: 'POSTGRES_TOOL_MISSING' });
  });

  it('installed pg_dump supports the server', async () => {
    const { tool, server } = await checkPgDumpSupportsServer(nodeProcessRunner, database);

    expect(tool).toEqual(await pgToolVersion(nodeProcessRunner));
    expect(server).toEqual(await postgresServerVersion(nodeProcessRunner, database));
    expect(tool.major).toBeGreaterThanOrEqual(server.major);
  });
});
