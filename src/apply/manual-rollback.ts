import { formatVersion, requireVersion, type Version } from '../judge/version.js';
import { verifyBackup, type Backup } from './backup.js';
import { restoreInstanceBackup } from './procedures.js';
import type { ApplyContext } from './context.js';
import { runHop, type HopResult } from './hop.js';
import type { Instance } from './instance.js';
import { acquireInstanceLock } from './lock.js';

/**
 * Puts an instance back to the state of one of its backups: binary, config, database and keys.
 * It runs as a journaled hop whose swap step restores the backup's files. So the current state
 * is itself backed up first, and a restore that does not come up healthy on the backup's
 * version is undone from that fresh backup. Nothing written since the old backup is lost: it
 * stays in the fresh backup.
 */
export async function rollBackToBackup(context: ApplyContext, instance: Instance, backup: Backup, current: Version): Promise<HopResult> {
  await verifyBackup(context.fs, backup);
  const target = requireVersion(backup.manifest.fromVersion);
  const lock = acquireInstanceLock(context.lockDir, instance.name);
  try {
    context.events.append({
      at: context.clock.now(),
      instance: instance.name,
      kind: 'rollback-started',
      message: `rollback of ${instance.name} from ${formatVersion(current)} to ${formatVersion(target)} using ${backup.dir}`,
    });
    context.logger.info({ instance: instance.name, backup: backup.dir, from: formatVersion(current), to: formatVersion(target) }, 'rollback: started');
    const result = await runHop(
      context,
      instance,
      { from: current, to: target },
      {
        apply: async () => {
          await restoreInstanceBackup(context, instance, backup);
          return `restored the files of ${backup.dir}`;
        },
        artifact: null,
        compareData: false,
      },
      { requireHealthy: false },
    );
    context.logger.info({ instance: instance.name, backup: backup.dir, outcome: result.outcome, error: result.error }, 'rollback: finished');
    context.events.append({ at: context.clock.now(), instance: instance.name, kind: `rollback-${result.outcome}`, message: result.error ?? `${instance.name} restored from ${backup.dir}` });
    return result;
  } finally {
    lock.release();
  }
}
