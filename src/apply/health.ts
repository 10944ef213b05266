import type { Clock } from '../platform/clock.js';
import type { HttpClient } from '../platform/http.js';

export interface HealthGateOptions {
  url: string;
  /** Consecutive passing checks required. */
  passes: number;
  intervalMs: number;
  timeoutMs: number;
  http: HttpClient;
  clock: Clock;
  /**
   * Asked after a failed check. Two `false` answers in a row end the wait, because a stopped server
   * will not recover. One is not enough: right after a start, a supervisor may still be launching it.
   */
  isRunning?: () => Promise<boolean | null>;
}

export interface HealthGateResult {
  healthy: boolean;
  checks: number;
  /** The last failure seen, e.g. `HTTP 500` or `ECONNREFUSED`; null when every check passed. */
  lastError: string | null;
  /** True when the wait ended because the service stopped running. */
  exited: boolean;
  elapsedMs: number;
}

/**
 * Polls a Headscale `/health` URL until it returns HTTP 200 `passes` times in a row, or until
 * the timeout. Since 0.17 Headscale's `/health` pings the database and returns 500 when that
 * fails, so a pass means the server is up and its database responds.
 */
export async function waitForHealth(options: HealthGateOptions): Promise<HealthGateResult> {
  const started = options.clock.now().getTime();
  let consecutive = 0;
  let checks = 0;
  let lastError: string | null = null;
  let notRunning = 0;

  for (;;) {
    checks++;
    const error = await probe(options);
    if (error === null) {
      consecutive++;
      if (consecutive >= options.passes) {
        return { healthy: true, checks, lastError, exited: false, elapsedMs: options.clock.now().getTime() - started };
      }
    } else {
      consecutive = 0;
      lastError = error;
      notRunning = options.isRunning && (await options.isRunning()) === false ? notRunning + 1 : 0;
      if (notRunning >= 2) {
        return { healthy: false, checks, lastError: error, exited: true, elapsedMs: options.clock.now().getTime() - started };
      }
    }

    const elapsed = options.clock.now().getTime() - started;
    if (elapsed >= options.timeoutMs) return { healthy: false, checks, lastError, exited: false, elapsedMs: elapsed };
    await options.clock.sleep(Math.min(options.intervalMs, Math.max(0, options.timeoutMs - elapsed)));
  }
}

/** One health probe; returns null on HTTP 200, otherwise what went wrong. */
export async function probe(options: Pick<HealthGateOptions, 'url' | 'http'>): Promise<string | null> {
  try {
    const response = await options.http.fetch(options.url, { timeoutMs: 5000 });
    await response.arrayBuffer();
    return response.status === 200 ? null : `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).message;
  }
}
