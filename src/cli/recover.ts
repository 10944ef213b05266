import { createInstance } from '../apply/instance.js';
import { acquireInstanceLock } from '../apply/lock.js';
import { recoverInstance, type RecoveryResult } from '../apply/recovery.js';
import { HopRepository } from '../store/hops.js';
import { cleanStaleSandboxes } from '../rehearse/stale-sandboxes.js';
import { formatVersion } from '../judge/version.js';
import { applyContextOf, type Runtime } from './context.js';
import { consoleReporter } from './upgrade.js';

/**
 * Recovers every configured instance (or the named ones) that a killed headsup left in the
 * middle of a hop. Every command that touches instances calls this first.
 */
export async function recoverUnfinishedHops(runtime: Runtime, write: (line: string) => void, names?: readonly string[]): Promise<RecoveryResult[]> {
  const stale = await cleanStaleSandboxes(applyContextOf(runtime, consoleReporter(write)).rehearsalsDir, runtime.logger);
  for (const dir of stale) write(`headsup: removed ${dir}, left by a rehearsal whose run was interrupted`);

  const pending = new HopRepository(runtime.db).instancesWithUnfinishedHops().filter((name) => !names || names.includes(name));
  const results: RecoveryResult[] = [];
  for (const name of pending) {
    const settings = runtime.config.instances.get(name);
    if (!settings) {
      write(`headsup: instance ${name} has an unfinished hop but is no longer in the config; add it back to let headsup recover it`);
      continue;
    }
    const context = applyContextOf(runtime, consoleReporter(write));
    const instance = createInstance(name, settings, runtime.runner);
    write(`${name}: an earlier headsup run stopped in the middle of a hop; recovering`);
    const lock = acquireInstanceLock(context.lockDir, name);
    try {
      const result = await recoverInstance(context, instance);
      if (result) {
        results.push(result);
        write(`${name}: hop ${formatVersion(result.hop.from)} → ${formatVersion(result.hop.to)} ${describeOutcome(result)}`);
      }
    } finally {
      lock.release();
    }
  }
  return results;
}

function describeOutcome(result: RecoveryResult): string {
  switch (result.outcome) {
    case 'committed':
      return `committed: ${result.detail}`;
    case 'rolled-back':
      return `rolled back: ${result.detail}`;
    case 'aborted':
      return `aborted: ${result.detail}`;
    case 'needs-person':
      return `needs a person: ${result.detail}; the backup and the journal are in the state database (headsup backups)`;
  }
}
