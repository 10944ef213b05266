import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeProcessRunner } from '../../../platform/exec.js';
import { SystemdServiceManager } from './index.js';

// systemd cannot run as PID 1 in this test environment, so a stand-in `systemctl` script records
// its arguments and keeps the unit's state in a file, and exits with systemctl's exit codes.
function standIn(options: { failStart?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'headsup-systemd-'));
  const calls = join(dir, 'calls');
  const state = join(dir, 'state');
  writeFileSync(state, 'active');
  const systemctl = join(dir, 'systemctl');
  writeFileSync(
    systemctl,
    `#!/bin/sh
echo "$*" >> ${calls}
case "$1" in
  stop) echo inactive > ${state} ;;
  start) ${options.failStart ? `echo "Job for $2 failed because the control process exited with error code." >&2; exit 1` : `echo active > ${state}`} ;;
  is-active) [ "$(cat ${state})" = active ] && exit 0 || exit 3 ;;
esac
`,
  );
  const journalctl = join(dir, 'journalctl');
  writeFileSync(journalctl, `#!/bin/sh\necho "$*" >> ${calls}\necho "2026-12-04T10:00:00Z FTL boom"\n`);
  chmodSync(systemctl, 0o755);
  chmodSync(journalctl, 0o755);
  const runtimeUnitDir = join(dir, 'run-systemd-system');
  return { calls: () => readFileSync(calls, 'utf8').trim().split('\n'), programs: { systemctl, journalctl, runtimeUnitDir }, runtimeUnitDir };
}

describe('systemd service manager', () => {
  it('stops, starts and reads the state', async () => {
    const fake = standIn();
    const manager = new SystemdServiceManager('headscale.service', nodeProcessRunner, fake.programs);

    expect(await manager.isRunning()).toBe(true);
    await manager.stop();
    expect(await manager.isRunning()).toBe(false);
    await manager.start();
    expect(await manager.isRunning()).toBe(true);
    expect(fake.calls()).toEqual([
      'is-active --quiet headscale.service',
      'stop headscale.service',
      'is-active --quiet headscale.service',
      'start headscale.service',
      'is-active --quiet headscale.service',
    ]);
  });

  it('reports a failed start with stderr', async () => {
    const fake = standIn({ failStart: true });
    const manager = new SystemdServiceManager('headscale.service', nodeProcessRunner, fake.programs);

    await expect(manager.start()).rejects.toThrow(/exited with code 1:\nJob for headscale.service failed/);
  });

  it('reads the unit journal', async () => {
    const fake = standIn();
    const manager = new SystemdServiceManager('headscale.service', nodeProcessRunner, fake.programs);

    expect(await manager.recentLogs()).toContain('FTL boom');
    expect(fake.calls()).toEqual(['--unit headscale.service --lines 40 --no-pager --output cat']);
  });

  it('holds restarts with a runtime drop-in', async () => {
    const fake = standIn();
    const manager = new SystemdServiceManager('headscale.service', nodeProcessRunner, fake.programs);
    const dropIn = join(fake.runtimeUnitDir, 'headscale.service.d', '50-headsup-hold.conf');

    await manager.hold();
    expect(readFileSync(dropIn, 'utf8')).toContain('[Service]\nRestart=no\n');
    await manager.release();
    expect(existsSync(dropIn)).toBe(false);
    await manager.release();
    expect(fake.calls()).toEqual(['daemon-reload', 'daemon-reload', 'daemon-reload']);
  });
});
