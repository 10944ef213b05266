import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { shellQuote } from '../lab/service-scripts.js';
import { rehearsePath } from '../../src/rehearse/rehearse.js';
import { nodeServerLauncher, type ServerLauncher } from '../../src/rehearse/server-process.js';
import { Lab, type HeadscaleInstance } from '../lab/index.js';
import { newWorkDir, rehearsalInput, removeWorkDirs } from './harness.js';

const HOOK_TIMEOUT_MS = 120_000;

/** A stand-in `serve` that returns 200 on /health at the config's listen_addr and ignores SIGTERM. */
const HEALTHY_SERVER = `
const config = require('node:fs').readFileSync(process.argv[1], 'utf8');
const port = Number(/^listen_addr: 127\\.0\\.0\\.1:(\\d+)$/m.exec(config)[1]);
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
require('node:http').createServer((request, response) => response.end('{"status":"pass"}')).listen(port, '127.0.0.1');
`;

/**
 * Writes a stand-in Headscale 0.29: `configtest` passes, `serve` runs `serveBody`, `policy check`
 * runs `policyCheckBody`, and every other CLI command prints text that is not JSON.
 */
async function fakeHeadscale(dir: string, name: string, serveBody: string, policyCheckBody = 'exit 0'): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    `#!/bin/sh
case "$1 $3 $4" in
  configtest*) exit 0 ;;
  serve*) ${serveBody} ;;
  '-c policy check') ${policyCheckBody} ;;
  *) echo 'not json'; exit 0 ;;
esac
`,
  );
  await chmod(path, 0o755);
  return path;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('rehearsal with a misbehaving server', { timeout: 120_000 }, () => {
  const lab = new Lab();
  let live: HeadscaleInstance;
  let dir: string;
  const pids: number[] = [];
  const launcher: ServerLauncher = {
    async launch(file, args, options) {
      const server = await nodeServerLauncher.launch(file, args, options);
      pids.push(server.pid);
      return server;
    },
  };

  beforeAll(async () => {
    live = await lab.started('v0.28.0');
    dir = await newWorkDir();
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await lab.disposeAll();
    await removeWorkDirs();
  }, HOOK_TIMEOUT_MS);

  async function rehearseWith(binaryPath: string, healthMs = 30_000) {
    const input = await rehearsalInput(live, ['v0.29.2'], { launcher, timeouts: { healthMs, stopGraceMs: 300 } });
    pids.length = 0;
    return rehearsePath({ ...input, hops: [{ hop: input.hops[0]!.hop, binaryPath }] });
  }

  it('kills a server that ignores SIGTERM after a failed snapshot', async () => {
    const binary = await fakeHeadscale(dir, 'stubborn', `exec ${shellQuote(process.execPath)} -e ${shellQuote(HEALTHY_SERVER)} "$3"`);

    const result = await rehearseWith(binary);

    expect(result.hops[0]?.failedStep).toBe('snapshot');
    expect(result.hops[0]?.firstError).toMatch(/printed no JSON/);
    expect(pids).toHaveLength(1);
    expect(processAlive(pids[0]!)).toBe(false);
    expect(await readFile(join(result.sandboxDir!, 'serve-0.29.2.log'), 'utf8')).toContain('ignoring SIGTERM');
  });

  it('reports a rejected policy file', async () => {
    const binary = await fakeHeadscale(
      dir,
      'strict',
      `exec ${shellQuote(process.execPath)} -e ${shellQuote(HEALTHY_SERVER)} "$3"`,
      "echo 'Error: parsing policy: unknown field \"acl\"'; exit 1",
    );

    const result = await rehearseWith(binary);

    expect(result.hops[0]?.failedStep).toBe('policy-check');
    expect(result.hops[0]?.firstError).toBe('Error: parsing policy: unknown field "acl"');
    expect(processAlive(pids[0]!)).toBe(false);
  });

  it('reports health when the server never answers', async () => {
    const binary = await fakeHeadscale(dir, 'silent', 'exec sleep 60');

    const result = await rehearseWith(binary, 1_000);

    expect(result.hops[0]?.failedStep).toBe('health');
    expect(result.hops[0]?.firstError).toMatch(/did not pass within 1000 ms/);
    expect(processAlive(pids[0]!)).toBe(false);
  });

  it('reports serve with the first log error when the server exits', async () => {
    const binary = await fakeHeadscale(dir, 'crashing', "echo '2026-12-04T20:10:27Z FTL cannot bind 127.0.0.1:1' >&2; exit 1");

    const result = await rehearseWith(binary);

    expect(result.hops[0]?.failedStep).toBe('serve');
    expect(result.hops[0]?.firstError).toBe('2026-12-04T20:10:27Z FTL cannot bind 127.0.0.1:1');
    expect(result.sandboxKept).toBe(true);
  });
});
