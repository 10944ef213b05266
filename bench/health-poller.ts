/**
 * Worker thread that probes a Headscale `/health` URL every `intervalMs` and reports each change
 * between passing and failing probes. It runs on its own event loop, so synchronous work in the
 * bench process (SQLite, file copies) cannot delay a probe.
 */
import { parentPort, workerData } from 'node:worker_threads';

import type { PollerEvent, PollerSettings } from './outage.js';

const settings = workerData as PollerSettings;
const port = parentPort;
if (!port) throw new Error('health-poller.ts runs only as a worker thread');

let stopping = false;
port.on('message', (message: unknown) => {
  if (message === 'stop') stopping = true;
});

/** Milliseconds since the epoch with sub-millisecond precision, comparable across threads and processes. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

async function probeHealth(): Promise<boolean> {
  try {
    const response = await fetch(settings.healthUrl, { signal: AbortSignal.timeout(settings.probeTimeoutMs) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function servedVersion(): Promise<string | null> {
  try {
    const response = await fetch(settings.versionUrl, { signal: AbortSignal.timeout(settings.probeTimeoutMs) });
    const body = (await response.json()) as { version?: unknown };
    return typeof body.version === 'string' ? body.version : null;
  } catch {
    return null;
  }
}

async function poll(): Promise<void> {
  let answering: boolean | null = null;
  let probes = 0;
  while (!stopping) {
    const sentAt = now();
    const ok = await probeHealth();
    const receivedAt = now();
    probes++;
    if (ok !== answering) {
      const event: PollerEvent = { ok, sentAt, receivedAt, version: ok ? await servedVersion() : null };
      port!.postMessage({ kind: 'event', event });
      answering = ok;
    }

    const wait = settings.intervalMs - (now() - sentAt);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  port!.postMessage({ kind: 'done', probes });
}

void poll();
