import { basename, join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Hop } from '../decide/path.js';
import { requireVersion } from '../judge/version.js';
import type { HopRow } from '../store/hops.js';
import { isCompleteBackup, readBackup, type Backup } from './backup.js';
import type { ApplyContext } from './context.js';
import { hopLabel, rollBack, stepRunner, type HopOutcome } from './hop.js';
import type { Instance } from './instance.js';
import { probe } from './health.js';
import { restartUnchanged, verifyRunning } from './procedures.js';

export interface RecoveryResult {
  instance: string;
  hop: Hop;
  outcome: HopOutcome;
  /** A description, for people, of what recovery found and did. */
  detail: string;
}

/**
 * Finishes or undoes a hop that a killed headsup left unfinished, from its journal:
 * - nothing stopped yet: the instance keeps running (or is started again); the hop is aborted;
 * - stopped, or backing up: a partial backup is discarded and the untouched old version started;
 * - swapping: every file, the binary included, is restored from the complete backup;
 * - started or verifying: verification runs again; it commits when it passes, else rolls back;
 * - rolling back: the rollback runs again, since each of its steps can be repeated.
 * Afterwards the instance is healthy on the old or the new version, or the hop is marked as
 * needing a person. Returns null when the instance has no unfinished hop. The caller holds the
 * instance lock.
 */
export async function recoverInstance(context: ApplyContext, instance: Instance): Promise<RecoveryResult | null> {
  const row = context.hops.unfinished(instance.name);
  if (!row) return null;

  const hop: Hop = { from: requireVersion(row.fromVersion), to: requireVersion(row.toVersion) };
  const started = new Set(context.hops.steps(row.id).map((step) => step.step));
  const run = stepRunner(context, instance, hop, row.id);
  const backup = await completeBackupOf(context, row);
  context.logger.warn({ instance: instance.name, hop: hopLabel(hop), steps: [...started] }, 'recovering an unfinished hop');

  let outcome: HopOutcome;
  let detail: string;
  if (started.has('rollback')) {
    outcome = await rollBack(context, instance, hop, backup, run);
    detail = 'the rollback was interrupted and ran again';
  } else if (started.has('start')) {
    ({ outcome, detail } = await verifyOrRollBack(context, instance, hop, backup, run));
  } else if (started.has('swap')) {
    outcome = await rollBack(context, instance, hop, backup, run);
    detail = 'the binary swap was interrupted; every file was restored from the backup';
  } else if (started.has('stop') || started.has('backup')) {
    if (row.backupDir && !backup) await rm(row.backupDir, { recursive: true, force: true });
    outcome = await rollBack(context, instance, hop, null, run);
    detail = `headsup stopped during the ${started.has('backup') ? 'backup' : 'stop'}; the untouched old version was started again`;
  } else {
    outcome = await ensureRunning(context, instance, hop, run);
    detail = 'headsup stopped before the instance was stopped';
  }

  const leftovers = [
    `${instance.settings.binary}.headsup-tmp`,
    `${instance.settings.binary}.headsup-previous.headsup-tmp`,
    `${instance.settings.binary}.headsup-staged`,
    `${instance.settings.binary}.headsup-staged.headsup-tmp`,
    `${instance.settings.config}.headsup-tmp`,
    join(context.backupsDir, instance.name, `.prepared-${basename(instance.settings.binary)}`),
  ];
  for (const leftover of leftovers) await rm(leftover, { force: true });
  context.logger.info({ instance: instance.name, hop: hopLabel(hop), outcome }, `recovery: ${detail}`);
  await instance.service.release().catch((error: unknown) => context.logger.warn({ instance: instance.name, err: error }, 'recovery: release failed'));
  context.hops.finish(row.id, outcome, context.clock.now(), `interrupted; recovered: ${detail}`);
  context.events.append({ at: context.clock.now(), instance: instance.name, kind: `recovery-${outcome}`, message: `hop ${hopLabel(hop)}: ${detail}` });
  return { instance: instance.name, hop, outcome, detail };
}

async function verifyOrRollBack(
  context: ApplyContext,
  instance: Instance,
  hop: Hop,
  backup: Backup | null,
  run: ReturnType<typeof stepRunner>,
): Promise<{ outcome: HopOutcome; detail: string }> {
  try {
    await run('verify', () => verifyRunning(context, instance, hop.to));
    await run('commit', async () => 'hop committed after recovery; backup kept');
    return { outcome: 'committed', detail: 'the new version was started; it passed verification and the hop was committed' };
  } catch {
    return { outcome: await rollBack(context, instance, hop, backup, run), detail: 'the new version did not pass verification; the backup was restored' };
  }
}

async function ensureRunning(context: ApplyContext, instance: Instance, hop: Hop, run: ReturnType<typeof stepRunner>): Promise<HopOutcome> {
  if ((await probe({ url: instance.settings.health_url, http: context.http })) === null) return 'aborted';
  try {
    await run('rollback', () => restartUnchanged(context, instance, hop.from));
    return 'aborted';
  } catch {
    return 'needs-person';
  }
}

async function completeBackupOf(context: ApplyContext, row: HopRow): Promise<Backup | null> {
  if (!row.backupDir || !(await isCompleteBackup(context.fs, row.backupDir))) return null;
  return readBackup(context.fs, row.backupDir);
}
