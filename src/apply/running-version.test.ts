import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headscaleBinary } from '../../test/lab/index.js';
import { formatVersion } from '../judge/version.js';
import { nodeProcessRunner } from '../platform/exec.js';
import { openStateDatabase } from '../store/database.js';
import { InstalledBinaryRepository } from '../store/installed-binaries.js';
import { sha256File } from './artifacts.js';
import { detectBinaryVersion, versionUrlFor } from './running-version.js';

// A Headscale 0.26 built without the release's ldflags prints `dev`. A two-line script replaces
// such a build, because only its output and the file's hash matter here, not the server.
function devBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'headsup-dev-build-'));
  const path = join(dir, 'headscale');
  writeFileSync(path, '#!/bin/sh\necho dev\n');
  chmodSync(path, 0o755);
  return path;
}

describe('binary version detection', () => {
  it('reads a release build', async () => {
    const installs = new InstalledBinaryRepository(openStateDatabase(':memory:'));
    const detected = await detectBinaryVersion(nodeProcessRunner, installs, headscaleBinary('v0.28.0'));

    expect(detected.source).toBe('binary');
    expect(formatVersion(detected.version!)).toBe('0.28.0');
  });

  it('uses the recorded install for a dev build', async () => {
    const installs = new InstalledBinaryRepository(openStateDatabase(':memory:'));
    const binary = devBuild();
    installs.record(await sha256File(binary), '0.26.1', binary, new Date());

    const detected = await detectBinaryVersion(nodeProcessRunner, installs, binary);
    expect(detected.source).toBe('recorded-install');
    expect(formatVersion(detected.version!)).toBe('0.26.1');
    expect(detected.detail).toBe('the binary prints "dev"; headsup installed it as 0.26.1');
  });

  it('calls an unrecorded dev build unknown', async () => {
    const installs = new InstalledBinaryRepository(openStateDatabase(':memory:'));
    const detected = await detectBinaryVersion(nodeProcessRunner, installs, devBuild());

    expect(detected.version).toBeNull();
    expect(detected.source).toBe('unknown');
    expect(detected.detail).toBe('the binary reports a development build ("dev") and headsup did not install it');
  });

  it('derives the version URL from the health URL', () => {
    expect(versionUrlFor('http://127.0.0.1:8080/health')).toBe('http://127.0.0.1:8080/version');
    expect(versionUrlFor('https://hs.example.com/prefix/health')).toBe('https://hs.example.com/prefix/version');
  });
});
