import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HeadsupError } from '../errors.js';
import { formatVersion } from '../judge/version.js';
import { nodeProcessRunner } from '../platform/exec.js';
import { cachedHeadscaleVersions, headscaleBinary } from '../../test/lab/binaries.js';
import { parseBinaryVersion, readBinaryVersion, type BinaryVersion } from './headscale-version.js';

function releaseText(result: BinaryVersion): string {
  if (result.kind !== 'release') throw new Error(`expected a release, got ${JSON.stringify(result)}`);

  return formatVersion(result.version);
}

describe('parseBinaryVersion', () => {
  it('reads the one-line tag of 0.25 and earlier', () => {
    const result = parseBinaryVersion('v0.23.0\n');

    expect(releaseText(result)).toBe('0.23.0');
    expect(result).toMatchObject({ commit: null, dirty: false, raw: 'v0.23.0' });
  });

  it('reads the one-line version of 0.26 without v', () => {
    expect(releaseText(parseBinaryVersion('0.26.1\n'))).toBe('0.26.1');
  });

  it('reads a pre-release tag', () => {
    const result = parseBinaryVersion('v0.23.0-beta.4');

    expect(result.kind).toBe('release');
    expect(result.kind === 'release' ? result.version.prerelease : null).toEqual({ kind: 'beta', number: 4 });
  });

  it('reads the four-line form of 0.27 and later', () => {
    const output = [
      'headscale version v0.29.2',
      'commit: 0123456789abcdef0123456789abcdef01234567',
      'build time: 2026-07-01T10:00:00Z',
      'built with: go1.26.8 linux/amd64',
      '',
    ].join('\n');

    const result = parseBinaryVersion(output);

    expect(releaseText(result)).toBe('0.29.2');
    expect(result).toMatchObject({ commit: '0123456789abcdef0123456789abcdef01234567', dirty: false });
  });

  it('treats commit unknown as no commit', () => {
    const output = 'headscale version v0.28.0\ncommit: unknown\nbuild time: unknown\nbuilt with: go1.26.8 linux/amd64\n';

    expect(parseBinaryVersion(output)).toMatchObject({ kind: 'release', commit: null });
  });

  it('reads a dirty four-line form', () => {
    const output = 'headscale version v0.29.2-dirty\ncommit: abc1234\nbuild time: unknown\nbuilt with: go1.26.8 linux/amd64\n';

    const result = parseBinaryVersion(output);

    expect(releaseText(result)).toBe('0.29.2');
    expect(result).toMatchObject({ dirty: true, commit: 'abc1234' });
  });

  it('reads the +dirty suffix Go stamps', () => {
    const result = parseBinaryVersion('headscale version v0.29.2+dirty\ncommit: abc1234\n');

    expect(releaseText(result)).toBe('0.29.2');
    expect(result).toMatchObject({ dirty: true });
  });

  it('ignores other build metadata', () => {
    expect(releaseText(parseBinaryVersion('v0.29.2+ubuntu1'))).toBe('0.29.2');
  });

  it('reads the JSON of 0.25 and earlier', () => {
    expect(releaseText(parseBinaryVersion('{"version":"v0.23.0"}'))).toBe('0.23.0');
  });

  it('reads the JSON of 0.26', () => {
    const result = parseBinaryVersion('{"commit":"4c8e8f2","version":"0.26.1"}');

    expect(releaseText(result)).toBe('0.26.1');
    expect(result).toMatchObject({ commit: '4c8e8f2' });
  });

  it('reads the JSON object of 0.27 and later', () => {
    const output = `{
\t"version": "v0.29.2",
\t"commit": "unknown",
\t"buildTime": "unknown",
\t"go": {
\t\t"version": "go1.26.8",
\t\t"os": "linux",
\t\t"arch": "amd64"
\t},
\t"dirty": true
}
`;

    const result = parseBinaryVersion(output);

    expect(releaseText(result)).toBe('0.29.2');
    expect(result).toMatchObject({ commit: null, dirty: true });
  });

  it('reads the YAML form of 0.27 and later', () => {
    const output = 'version: v0.28.0\ncommit: unknown\nbuildtime: unknown\ngo:\n    version: go1.26.8\n    os: linux\n    arch: amd64\ndirty: false\n';

    const result = parseBinaryVersion(output);

    expect(releaseText(result)).toBe('0.28.0');
    expect(result).toMatchObject({ dirty: false });
  });

  it.each([
    ['dev'],
    ['dev\n'],
    ['(devel)'],
    ['headscale version dev\ncommit: unknown\nbuild time: unknown\nbuilt with: go1.24.2 linux/amd64\n'],
    ['{"version":"dev"}'],
    ['{"version":"dev","commit":"dev"}'],
    ['v0.0.0-20250101120000-abcdef123456'],
    ['v0.29.3-0.20260701120000-abcdef123456'],
    ['v0.30.0-beta.1.0.20260701120000-abcdef123456'],
    ['headscale version v0.0.0-20250101120000-abcdef123456-dirty\ncommit: abcdef1\n'],
  ])('classifies %j as a dev build', (output) => {
    expect(parseBinaryVersion(output)).toEqual({ kind: 'dev', raw: output.trim() });
  });

  it.each([
    [''],
    ['   \n'],
    ['Error: unknown flag: --output'],
    ['something else entirely'],
    ['v0.28'],
    ['{"version": 28}'],
    ['{not json'],
    ['[]'],
    ['v0.29.2\nv0.28.0'],
  ])('leaves %j unparsed', (output) => {
    expect(parseBinaryVersion(output)).toEqual({ kind: 'unparsed', raw: output.trim() });
  });
});

describe('readBinaryVersion', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headsup-version-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function script(name: string, body: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('runs the binary with version as the only argument', async () => {
    const path = await script('strict-args', 'if [ "$#" -eq 1 ] && [ "$1" = version ]; then echo v0.25.1; else echo "unexpected arguments: $*" >&2; exit 64; fi');

    const result = await readBinaryVersion(nodeProcessRunner, path);

    expect(releaseText(result)).toBe('0.25.1');
  });

  it('rejects a missing binary with the path', async () => {
    const path = join(dir, 'no-such-headscale');

    const error = await readBinaryVersion(nodeProcessRunner, path).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HeadsupError);
    expect((error as HeadsupError).code).toBe('HEADSCALE_BINARY_MISSING');
    expect((error as HeadsupError).message).toContain(path);
  });

  it('rejects a file that is not executable', async () => {
    const path = join(dir, 'not-executable');
    await writeFile(path, 'v0.29.2\n');

    const error = await readBinaryVersion(nodeProcessRunner, path).catch((caught: unknown) => caught);

    expect((error as HeadsupError).code).toBe('HEADSCALE_BINARY_NOT_EXECUTABLE');
  });

  it('reports exit code, command and stderr of a failing binary', async () => {
    const path = await script('failing', 'echo "panic: broken build" >&2; exit 2');

    const error = await readBinaryVersion(nodeProcessRunner, path).catch((caught: unknown) => caught);

    expect((error as HeadsupError).code).toBe('HEADSCALE_VERSION_FAILED');
    expect((error as HeadsupError).message).toContain('exited with code 2');
    expect((error as HeadsupError).message).toContain(`${path} version`);
    expect((error as HeadsupError).message).toContain('panic: broken build');
  });

  it('reports a binary that hangs as timed out', async () => {
    const path = await script('hanging', 'sleep 30');

    const error = await readBinaryVersion(nodeProcessRunner, path, { timeoutMs: 200 }).catch((caught: unknown) => caught);

    expect((error as HeadsupError).message).toContain('timed out');
  });
});

describe('readBinaryVersion on real Headscale builds', () => {
  const versions = cachedHeadscaleVersions();

  it('finds at least one cached build', () => {
    expect(versions.length, 'no Headscale builds cached; run scripts/setup-headscale.sh').toBeGreaterThan(0);
  });

  it.each(versions)('reads %s from its binary', async (tag) => {
    const result = await readBinaryVersion(nodeProcessRunner, headscaleBinary(tag));

    expect(result.kind).toBe('release');
    expect(`v${releaseText(result)}`).toBe(tag);
  });
});
