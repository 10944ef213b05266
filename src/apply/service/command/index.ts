import { describeFailure, type ProcessRunner } from '../../../platform/exec.js';
import { ServiceCommandError, type ServiceManager } from '../service-manager.js';

export interface ServiceCommands {
  start: string;
  stop: string;
  status?: string | undefined;
  logs?: string | undefined;
}

/**
 * A Headscale service run by any other supervisor (runit, s6, OpenRC, a container runtime, a
 * script), driven by the shell commands the operator configured. A status command that exits 0
 * means running, any other exit means stopped.
 */
export class CommandServiceManager implements ServiceManager {
  readonly id = 'command';
  readonly description: string;

  constructor(
    private readonly commands: ServiceCommands,
    private readonly runner: ProcessRunner,
  ) {
    this.description = `the configured service commands`;
  }

  describeAction(action: 'start' | 'stop'): string {
    return this.commands[action];
  }

  async stop(): Promise<void> {
    await this.runOrThrow(this.commands.stop);
  }

  async start(): Promise<void> {
    await this.runOrThrow(this.commands.start);
  }

  async isRunning(): Promise<boolean | null> {
    if (!this.commands.status) return null;
    const result = await this.runner.runShell(this.commands.status, { timeoutMs: 30_000 });
    return result.exitCode === 0;
  }

  // NOTE: plain commands offer no way to pause automatic restarts. So a supervisor that restarts
  // Headscale on failure may restart a failing new version until the rollback stops it.
  async hold(): Promise<void> {}

  async release(): Promise<void> {}

  async recentLogs(): Promise<string | null> {
    if (!this.commands.logs) return null;
    const result = await this.runner.runShell(this.commands.logs, { timeoutMs: 30_000 });
    return result.exitCode === 0 ? result.stdout : null;
  }

  private async runOrThrow(commandLine: string): Promise<void> {
    const result = await this.runner.runShell(commandLine, { timeoutMs: 120_000 });
    if (result.exitCode !== 0) throw new ServiceCommandError(describeFailure(result));
  }
}
