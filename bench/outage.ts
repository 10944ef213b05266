import { Worker } from 'node:worker_threads';

/** Settings of the health-poller worker. */
export interface PollerSettings {
  healthUrl: string;
  versionUrl: string;
  intervalMs: number;
  probeTimeoutMs: number;
}

/**
 * A change recorded by the poller: `ok` false when `/health` stopped returning 200, true when it
 * returned 200 again. Times are epoch milliseconds. `version` is what `/version` returned right
 * after a passing probe.
 */
export interface PollerEvent {
  ok: boolean;
  sentAt: number;
  receivedAt: number;
  version: string | null;
}

/** One period in which `/health` did not return 200. */
export interface Outage {
  /** When the first failing probe was sent. */
  downAt: number;
  /** When the first passing probe after it returned; null when health never came back. */
  upAt: number | null;
  /** The version `/version` returned when health came back. */
  version: string | null;
}

export const POLL_INTERVAL_MS = 20;
const PROBE_TIMEOUT_MS = 1_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Watches one Headscale server from a worker thread. Example:
 * `const watch = HealthWatch.start(url); ...; const outages = await watch.stop();`
 */
export class HealthWatch {
  private readonly events: PollerEvent[] = [];
  private probes = 0;
  private finished: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.finished = new Promise((resolve, reject) => {
      worker.on('message', (message: { kind: 'event'; event: PollerEvent } | { kind: 'done'; probes: number }) => {
        if (message.kind === 'event') this.events.push(message.event);
        else {
          this.probes = message.probes;
          resolve();
        }
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve());
    });
  }

  /** Starts probing `healthUrl` (and the `/version` beside it) every POLL_INTERVAL_MS. */
  static start(healthUrl: string): HealthWatch {
    const settings: PollerSettings = {
      healthUrl,
      versionUrl: healthUrl.replace(/\/health$/, '/version'),
      intervalMs: POLL_INTERVAL_MS,
      probeTimeoutMs: PROBE_TIMEOUT_MS,
    };
    return new HealthWatch(new Worker(new URL('./health-poller.js', import.meta.url), { workerData: settings }));
  }

  /** Resolves once the poller has recorded a passing `/health` probe, so that no outage starts unrecorded. */
  async waitAnswering(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.events.some((event) => event.ok)) {
      if (Date.now() > deadline) throw new Error(`the health poller saw no passing probe within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  /** Stops the worker and returns the outages it saw, in order. */
  async stop(): Promise<{ outages: Outage[]; probes: number }> {
    this.worker.postMessage('stop');
    const timer = setTimeout(() => void this.worker.terminate(), STOP_TIMEOUT_MS);
    try {
      await this.finished;
    } finally {
      clearTimeout(timer);
      await this.worker.terminate();
    }
    return { outages: outagesOf(this.events), probes: this.probes };
  }
}

/** Pairs each failing event with the passing event after it; failures before the first pass are the server starting, not an outage. */
export function outagesOf(events: readonly PollerEvent[]): Outage[] {
  const outages: Outage[] = [];
  let open: Outage | null = null;
  let seenUp = false;
  for (const event of events) {
    if (event.ok) seenUp = true;
    if (!event.ok && seenUp && open === null) {
      open = { downAt: event.sentAt, upAt: null, version: null };
      outages.push(open);
    } else if (event.ok && open !== null) {
      open.upAt = event.receivedAt;
      open.version = event.version;
      open = null;
    }
  }
  return outages;
}
