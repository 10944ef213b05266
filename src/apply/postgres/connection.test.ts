import { describe, expect, it } from 'vitest';

import type { RunResult } from '../../platform/exec.js';
import { connectionString, redact, toolFailure } from './connection.js';
import type { PostgresSettings } from './settings.js';
import { parseServerVersionNumber, parseToolVersion } from './tool-version.js';

const settings: PostgresSettings = { host: '/var/run/postgresql', port: 5432, name: "odd 'name' \\x", user: 'headscale', password: 'pa55-word', sslMode: null };

describe('connectionString', () => {
  it('quotes values and leaves out the password', () => {
    const text = connectionString(settings);

    expect(text).toBe(`host='/var/run/postgresql' port=5432 user='headscale' dbname='odd \\'name\\' \\\\x'`);
    expect(text).not.toContain('pa55-word');
  });

  it('adds sslmode when set', () => {
    expect(connectionString({ ...settings, sslMode: 'disable' }, 'other')).toBe(`host='/var/run/postgresql' port=5432 user='headscale' dbname='other' sslmode='disable'`);
  });
});

describe('toolFailure', () => {
  it('hides the password in stderr', () => {
    const result: RunResult = { command: 'psql --file=-', exitCode: 2, signal: null, stdout: '', stderr: 'ERROR: near "pa55-word"\n', timedOut: false };

    const error = toolFailure('POSTGRES_SQL_FAILED', 'psql failed', result, settings, 'hint');

    expect(error.message).toBe('psql failed: `psql --file=-` exited with code 2:\nERROR: near "[password hidden]"');
  });

  it('leaves text alone without a password', () => {
    expect(redact('pa55-word', { ...settings, password: null })).toBe('pa55-word');
  });
});

describe('PostgreSQL versions', () => {
  it.each([
    ['pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', { major: 15, minor: 18, text: '15.18' }],
    ['pg_dump (PostgreSQL) 17beta1', { major: 17, minor: 0, text: '17' }],
    ['pg_restore (PostgreSQL) 9.6.24', { major: 9.6, minor: 24, text: '9.6.24' }],
  ])('parses %s', (output, expected) => {
    expect(parseToolVersion(output)).toEqual(expected);
  });

  it('returns null for other output', () => {
    expect(parseToolVersion('pg_dump: command not found')).toBeNull();
  });

  it.each([
    [150018, { major: 15, minor: 18, text: '15.18' }],
    [170000, { major: 17, minor: 0, text: '17.0' }],
    [90624, { major: 9.6, minor: 24, text: '9.6.24' }],
  ])('parses server_version_num %d', (number, expected) => {
    expect(parseServerVersionNumber(number)).toEqual(expected);
  });
});
