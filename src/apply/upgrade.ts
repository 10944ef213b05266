import type { Hop } from '../decide/path.js';
import { formatVersion, versionsEqual, type Version } from '../judge/version.js';
import type { Release } from '../watch/release.js';
import { HeadsupError } from '../errors.js';
import { fetchArtifact, type Artifact } from './artifacts.js';
import type { ApplyContext } from './context.js';
import { readFile, writeFile } from 'node:fs/promises';
import { adviseConfig, applyConfigAdvice, type ConfigAdvice } from '../judge/preflight/index.js';
import { installChange, runHop, type HopChange, type HopResult } from './hop.js';
import { runPreflightGate } from './preflight-gate.js';
import { checkHealthyNow } from './procedures.js';
import type { Instance } from './instance.js';
import { acquireInstanceLock } from './lock.js';
import { readBinaryVersion } from './headscale-version.js';
import { rehearsalError, rehearseUpgrade } from './rehearsal-gate.js';
import { pruneBackups } from './backups.js';

export type UpgradeOutcome = 'up-to-date' | 'upgraded' | 'rolled-back' | 'needs-person' | 'aborted' | 'preflight-failed' | 'rehearsal-failed';

export interface UpgradeResult {
  instance: string;
  from: Version;
  target: Version;
  hops: HopResult[];
  outcome: UpgradeOutcome;
  /** The reason the rehearsal on a copy failed; set only with the outcome `rehearsal-failed`. */
  rehearsalError?: string;
  /** The checks that blocked the upgrade, with their fixes; set only with the outcome `preflight-failed`. */
  blocking?: string[];
}

export interface UpgradeOptions {
  /** Rehearse every hop on a copy first (default true). Only an operator's explicit choice turns it off. */
  rehearse?: boolean;
  /** Make the config changes the pre-flight advisor proposes, as part of each hop (default false). */
  applyConfigChanges?: boolean;
}

/**
 * Walks an upgrade path hop by hop on one instance. Every hop's binary is downloaded and verified
 * before the instance is stopped for the first hop, so a bad download changes nothing. The walk
 * ends at the first hop that fails; that hop has been rolled back (or needs a person) by then.
 */
export async function applyUpgrade(
  context: ApplyContext,
  instance: Instance,
  path: { from: Version; target: Version; hops: Hop[] },
  releases: readonly Release[],
  options: UpgradeOptions = {},
): Promise<UpgradeResult> {
  const base = { instance: instance.name, from: path.from, target: path.target };
  if (path.hops.length === 0) return { ...base, hops: [], outcome: 'up-to-date' };

  const lock = acquireInstanceLock(context.lockDir, instance.name);
  try {
    const artifacts = await fetchAll(context, instance, path.hops, releases);
    await checkHealthyNow(context, instance);
    const checks = await runPreflightGate(context, instance, path.hops, { applyConfigChanges: options.applyConfigChanges ?? false });
    if (!checks.ok) {
      record(context, instance, 'upgrade-blocked', `pre-flight checks of ${instance.name} failed:\n${checks.blocking.join('\n')}`);
      return { ...base, hops: [], outcome: 'preflight-failed', blocking: checks.blocking };
    }
    // Config changes are made only when the operator allowed them; otherwise every hop, the
    // rehearsal included, runs with the config as it is.
    const approved = options.applyConfigChanges === true;
    const configAdvice = new Map(checks.hops.map((hop, index) => [index, approved ? hop.configAdvice : null]));
    const prepareSandbox = async (sandboxConfig: string, hop: Hop) => {
      const advice = adviseConfig(await readFile(sandboxConfig, 'utf8'), hop.from, hop.to, sandboxConfig);
      if (advice.proposed !== advice.original) await writeFile(sandboxConfig, advice.proposed, { mode: 0o600 });
    };

    if (options.rehearse !== false) {
      const rehearsal = await rehearseUpgrade(context, instance, path.from, path.hops, artifacts, approved ? prepareSandbox : undefined);
      if (!rehearsal.ok) return { ...base, hops: [], outcome: 'rehearsal-failed', rehearsalError: rehearsalError(rehearsal) };
    }
    record(context, instance, 'upgrade-started', `upgrade of ${instance.name} from ${formatVersion(path.from)} to ${formatVersion(path.target)} started`);

    const results: HopResult[] = [];
    for (const [index, hop] of path.hops.entries()) {
      const result = await runHop(context, instance, hop, upgradeChange(context, instance, artifacts[index]!, configAdvice.get(index) ?? null));
      results.push(result);
      if (result.outcome !== 'committed') {
        const outcome = result.outcome === 'needs-person' ? 'needs-person' : result.outcome === 'rolled-back' ? 'rolled-back' : 'aborted';
        record(context, instance, `upgrade-${outcome}`, `hop ${formatVersion(hop.from)} → ${formatVersion(hop.to)} of ${instance.name}: ${result.error}`);
        return { ...base, hops: results, outcome };
      }
    }

    record(context, instance, 'upgrade-succeeded', `${instance.name} now runs ${formatVersion(path.target)}`);
    return { ...base, hops: results, outcome: 'upgraded' };
  } finally {
    await prune(context, instance);
    lock.release();
  }
}

/** Builds the swap of an upgrade hop: the verified binary, and the approved config change of that hop. */
function upgradeChange(context: ApplyContext, instance: Instance, artifact: Artifact, advice: ConfigAdvice | null): HopChange {
  const install = installChange(context, instance, artifact);
  if (!advice) return install;
  return {
    artifact: install.artifact,
    ...(install.prepare ? { prepare: install.prepare } : {}),
    ...(install.discard ? { discard: install.discard } : {}),
    apply: async () => {
      const installed = await install.apply();
      await applyConfigAdvice(instance.settings.config, advice);
      return `${installed}; the approved config change was written to ${instance.settings.config}`;
    },
  };
}

async function prune(context: ApplyContext, instance: Instance): Promise<void> {
  const unfinished = context.hops.unfinished(instance.name)?.backupDir;
  try {
    await pruneBackups(context.fs, {
      root: context.backupsDir,
      instance: instance.name,
      keep: context.backupsKeep,
      protect: new Set(unfinished ? [unfinished] : []),
      logger: context.logger,
    });
  } catch (error) {
    context.logger.warn({ instance: instance.name, err: error }, 'backups: pruning failed; older backups are kept');
  }
}

async function fetchAll(context: ApplyContext, instance: Instance, hops: readonly Hop[], releases: readonly Release[]): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  for (const hop of hops) {
    const release = releases.find((candidate) => versionsEqual(candidate.version, hop.to));
    if (!release) {
      throw new HeadsupError('RELEASE_UNKNOWN', `release ${formatVersion(hop.to)} is not in the release list`, { hint: 'check the release channel and retry' });
    }
    context.reporter.step({ instance: instance.name, hop, step: 'fetch', status: 'started' });
    try {
      const artifact = await fetchArtifact({ release, cacheDir: context.cacheDir, http: context.http, logger: context.logger, pins: context.pins, now: context.clock.now() });
      await expectArtifactVersion(context, artifact, hop.to);
      artifacts.push(artifact);
      context.reporter.step({ instance: instance.name, hop, step: 'fetch', status: 'done', detail: `${artifact.assetName} verified (sha256 ${artifact.sha256.slice(0, 12)}…)` });
    } catch (error) {
      context.reporter.step({ instance: instance.name, hop, step: 'fetch', status: 'failed', detail: (error as Error).message });
      record(context, instance, 'upgrade-aborted', `download of ${formatVersion(hop.to)} failed before anything was stopped: ${(error as Error).message}`);
      throw error;
    }
  }
  return artifacts;
}

/**
 * Runs the verified binary's `version` command before anything stops: a release whose file is
 * another version (a mislabelled upload) is caught while production still runs. A build that
 * prints `dev` cannot be checked this way and is accepted on its checksum.
 */
async function expectArtifactVersion(context: ApplyContext, artifact: Artifact, expected: Version): Promise<void> {
  const printed = await readBinaryVersion(context.runner, artifact.path);
  if (printed.kind === 'dev') {
    context.logger.warn({ path: artifact.path, expected: formatVersion(expected) }, 'artifacts: the binary prints dev; its version cannot be checked');
    return;
  }
  if (printed.kind !== 'release' || !versionsEqual(printed.version, expected)) {
    throw new HeadsupError('ARTIFACT_WRONG_VERSION', `the downloaded binary for ${formatVersion(expected)} reports "${printed.raw.split('\n')[0]}"`, {
      hint: 'the release asset is not the version it claims to be; nothing was changed. Report it to the release channel',
    });
  }
}

function record(context: ApplyContext, instance: Instance, kind: string, message: string): void {
  context.events.append({ at: context.clock.now(), instance: instance.name, kind, message });
  context.logger.info({ instance: instance.name, kind }, message);
}
