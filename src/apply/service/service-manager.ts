/**
 * Stops and starts one Headscale service. Implementations live in their own folders (`systemd/`,
 * `command/`) and are chosen by the instance's `service:` setting.
 */
export interface ServiceManager {
  /** Stable id of the implementation, e.g. `systemd`. */
  readonly id: string;
  /** What the operator configured, for messages, e.g. `headscale.service`. */
  readonly description: string;
  /** The exact command an action runs, for plans, e.g. `systemctl stop headscale.service`. */
  describeAction(action: 'start' | 'stop'): string;
  /** Stops the service and returns once it has exited; succeeds when it was not running. */
  stop(): Promise<void>;
  /** Starts the service and returns once it is launched (not yet healthy). */
  start(): Promise<void>;
  /** True while the service runs; null when the manager cannot tell. */
  isRunning(): Promise<boolean | null>;
  /**
   * Keeps the supervisor from restarting Headscale on its own until `release`, so that a server
   * that fails after a migration started is not restarted into a half-migrated database.
   * Idempotent; a no-op where the supervisor offers no such control.
   */
  hold(): Promise<void>;
  /** Ends a `hold`; idempotent. */
  release(): Promise<void>;
  /** The service's recent log lines, to show why it failed; null when none are available. */
  recentLogs(): Promise<string | null>;
}

export class ServiceCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceCommandError';
  }
}
