import { ConfigError, HeadsupError } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import type { HttpClient } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import type { RetryPolicy } from '../watch/retry.js';
import type { Alert } from './alert.js';

/**
 * A destination for alerts. `id` is stable across runs, because the alert log records per id
 * which alerts were delivered, and it never contains the destination URL.
 */
export interface Notifier {
  readonly id: string;
  /** Tells whether this notifier takes the alert (its `kinds` and `min_severity`); all alerts when absent. */
  accepts?(alert: Alert): boolean;
  /** Delivers the alert, retrying temporary failures; throws DeliveryError when it was not delivered. */
  send(alert: Alert): Promise<void>;
}

/** The dependencies a notifier uses: HTTP, clock, logger and retry settings. */
export interface NotifierDeps {
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  /** Bound of each request, body included; DEFAULT_NOTIFY_TIMEOUT_MS when unset. */
  timeoutMs?: number;
  /** Retries of timeouts, network errors, 5xx and 429; DEFAULT_RETRY_POLICY from watch/retry when unset. */
  retryPolicy?: RetryPolicy;
}

export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

/**
 * An alert that a notifier could not deliver. `permanent` is true when the receiver rejected the
 * request (4xx other than 429), so retrying without a config change will fail the same way. The
 * message names the notifier id and at most the host, never the URL, which is a secret for
 * Slack and many webhook receivers.
 */
export class DeliveryError extends HeadsupError {
  readonly notifier: string;
  readonly permanent: boolean;

  constructor(notifier: string, reason: string, permanent: boolean, cause?: unknown) {
    super('ALERT_DELIVERY_FAILED', `notifier ${notifier} failed to deliver an alert: ${reason}`, {
      hint: permanent
        ? 'check the URL and the headers of this target under `alerts:` in the config'
        : 'headsup tries again on its next run',
      cause,
    });
    this.name = 'DeliveryError';
    this.notifier = notifier;
    this.permanent = permanent;
  }
}

/** Returns the host of an http(s) URL; throws a ConfigError that names the notifier but not the URL. */
export function endpointHost(url: string, notifier: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`notifier ${notifier}: the URL is not valid`, 'give an http:// or https:// URL under `alerts:` in the config');
  }

  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`notifier ${notifier}: the URL scheme ${parsed.protocol} is not supported`, 'give an http:// or https:// URL under `alerts:` in the config');
  }
  return parsed.host;
}
