import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFailure, type ProcessRunner } from '../../../platform/exec.js';
import { ServiceCommandError, type ServiceManager } from '../service-manager.js';

/**
 * A Headscale service run by systemd, driven through `systemctl`. `stop` and `start` wait for the
 * job to finish, as `systemctl` does by default.
 */
export class SystemdServiceManager implements ServiceManager {
  readonly id = 'systemd';
  readonly description: string;

  constructor(
    private readonly unit: string,
    private readonly runner: ProcessRunner,
    private readonly programs = { systemctl: 'systemctl', journalctl: 'journalctl', runtimeUnitDir: '/run/systemd/system' },
  ) {
    this.description = `systemd unit ${unit}`;
  }

  describeAction(action: 'start' | 'stop'): string {
    return `systemctl ${action} ${this.unit}`;
  }

  async stop(): Promise<void> {
    await this.systemctlOrThrow(['stop', this.unit]);
  }

  async start(): Promise<void> {
    await this.systemctlOrThrow(['start', this.unit]);
  }

  async isRunning(): Promise<boolean | null> {
    const result = await this.runner.run(this.programs.systemctl, ['is-active', '--quiet', this.unit], { timeoutMs: 30_000 });
    if (result.exitCode === 0) return true;
    // `systemctl is-active` exits 3 for an inactive or failed unit (LSB "program is not running").
    if (result.exitCode === 3) return false;
    return null;
  }

  /**
   * Writes a runtime drop-in with `Restart=no` (under /run, so a reboot forgets it) and reloads
   * systemd, so that a unit with `Restart=on-failure` does not restart a failing new version.
   */
  async hold(): Promise<void> {
    await mkdir(this.dropInDir(), { recursive: true });
    await writeFile(this.dropInPath(), '# Written by headsup while it upgrades this unit; removed when the upgrade step ends.\n[Service]\nRestart=no\n', { mode: 0o644 });
    await this.systemctlOrThrow(['daemon-reload']);
  }

  async release(): Promise<void> {
    await rm(this.dropInPath(), { force: true });
    await this.systemctlOrThrow(['daemon-reload']);
  }

  private dropInDir(): string {
    return join(this.programs.runtimeUnitDir, `${this.unit}.d`);
  }

  private dropInPath(): string {
    return join(this.dropInDir(), '50-headsup-hold.conf');
  }

  async recentLogs(): Promise<string | null> {
    const result = await this.runner.run(this.programs.journalctl, ['--unit', this.unit, '--lines', '40', '--no-pager', '--output', 'cat'], { timeoutMs: 30_000 });
    return result.exitCode === 0 ? result.stdout : null;
  }

  private async systemctlOrThrow(args: string[]): Promise<void> {
    const result = await this.runner.run(this.programs.systemctl, args, { timeoutMs: 120_000 });
    if (result.exitCode !== 0) throw new ServiceCommandError(describeFailure(result));
  }
}
