import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { fetchHttpClient } from '../platform/http.js';
import { waitForHealth } from './health.js';

let server: Server | undefined;

async function serveStatuses(statuses: number[]): Promise<string> {
  let index = 0;
  server = createServer((_request, response) => {
    const status = statuses[Math.min(index++, statuses.length - 1)]!;
    response.writeHead(status, { 'content-type': 'application/health+json' }).end(JSON.stringify({ status: status === 200 ? 'pass' : 'fail' }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

afterEach(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

const base = { intervalMs: 10, http: fetchHttpClient, clock: systemClock };

describe('health gate', () => {
  it('needs consecutive passes', async () => {
    const url = await serveStatuses([200, 500, 200, 200, 200]);
    const result = await waitForHealth({ ...base, url, passes: 3, timeoutMs: 5000 });

    expect(result.healthy).toBe(true);
    expect(result.checks).toBe(5);
    expect(result.lastError).toBe('HTTP 500');
  });

  it('fails after the timeout', async () => {
    const url = await serveStatuses([500]);
    const result = await waitForHealth({ ...base, url, passes: 2, timeoutMs: 200 });

    expect(result.healthy).toBe(false);
    expect(result.lastError).toBe('HTTP 500');
  });

  it('reports a refused connection', async () => {
    const url = await serveStatuses([200]);
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const result = await waitForHealth({ ...base, url, passes: 1, timeoutMs: 100 });

    expect(result.healthy).toBe(false);
    expect(result.lastError).toBe('ECONNREFUSED');
  });

  it('stops waiting when the service exited', async () => {
    const url = await serveStatuses([500]);
    const result = await waitForHealth({ ...base, url, passes: 1, timeoutMs: 60_000, isRunning: async () => false });

    expect(result.healthy).toBe(false);
    expect(result.exited).toBe(true);
    expect(result.lastError).toBe('HTTP 500');
  });

  it('waits through one not-running answer', async () => {
    // A supervisor that is still launching the server may report it stopped once.
    const url = await serveStatuses([500, 500, 200]);
    const answers = [false, true];
    const result = await waitForHealth({ ...base, url, passes: 1, timeoutMs: 5000, isRunning: async () => answers.shift() ?? true });

    expect(result.healthy).toBe(true);
    expect(result.exited).toBe(false);
  });
});
