import { assetNameFor } from '../apply/artifacts.js';
import { backupFilesOf, createInstance, readHeadscaleFiles, type Instance } from '../apply/instance.js';
import type { ProgressReporter, StepEvent } from '../apply/progress.js';
import { detectBinaryVersion } from '../apply/running-version.js';
import { applyUpgrade, type UpgradeResult } from '../apply/upgrade.js';
import { runPreflightGate } from '../apply/preflight-gate.js';
import { computeUpgradePath, type Hop } from '../decide/path.js';
import { assessVersion } from '../decide/status.js';
import { HeadsupError, UsageError } from '../errors.js';
import { compareVersions, formatVersion, isStable, parseVersion, type Version } from '../judge/version.js';
import { InstalledBinaryRepository } from '../store/installed-binaries.js';
import { FailedTargetRepository } from '../store/seen.js';
import { describeSource } from '../watch/release-service.js';
import type { Release } from '../watch/release.js';
import { applyContextOf, fetchReleaseList, type Runtime } from './context.js';
import { ExitCode } from './exit-codes.js';

export interface UpgradeOptions {
  instance: string;
  to?: string | undefined;
  dryRun: boolean;
  rehearse?: boolean;
  /** Accept a pre-release (`-alpha`, `-beta`, `-rc`) as the target of `--to`. */
  allowPrerelease?: boolean;
}

export interface UpgradePlan {
  instance: Instance;
  from: Version;
  target: Version;
  hops: Hop[];
  releases: Release[];
  releaseSource: string;
  /** Set by a dry run: true when the pre-flight checks would stop the upgrade. */
  blocked?: boolean;
}

/** Works out what `headsup upgrade` would do: current version, target and the hops between them. */
export async function planUpgrade(runtime: Runtime, options: UpgradeOptions): Promise<UpgradePlan> {
  const settings = runtime.config.instances.get(options.instance);
  if (!settings) {
    const names = [...runtime.config.instances.keys()];
    throw new UsageError(`no instance named "${options.instance}" in the config`, names.length ? `configured instances: ${names.join(', ')}` : 'add it under `instances:` in the config');
  }
  const instance = createInstance(options.instance, settings, runtime.runner);

  const detected = await detectBinaryVersion(runtime.runner, new InstalledBinaryRepository(runtime.db), settings.binary);
  if (!detected.version) {
    throw new HeadsupError('VERSION_UNKNOWN', `cannot upgrade ${options.instance}: ${detected.detail}`, {
      hint: 'install a release build of Headscale (one that prints its version), then rerun',
    });
  }

  const list = await fetchReleaseList(runtime);
  const versions = list.releases.map((release) => release.version);
  const target = resolveTarget(options.to, detected.version, versions, options.allowPrerelease ?? false);
  const hops = computeUpgradePath(detected.version, target, versions);
  return { instance, from: detected.version, target, hops, releases: list.releases, releaseSource: describeSource(list.source) };
}

function resolveTarget(requested: string | undefined, current: Version, versions: Version[], allowPrerelease: boolean): Version {
  if (requested === undefined) return assessVersion(current, versions).latest ?? current;

  const target = parseVersion(requested);
  if (!target) {
    throw new UsageError(`--to "${requested}" is not a Headscale release version`, 'write a released version such as 0.29.2; development builds and pseudo-versions cannot be targets');
  }
  if (!versions.some((version) => compareVersions(version, target) === 0)) {
    const sameSeries = versions.filter((version) => version.major === target.major && version.minor === target.minor).map(formatVersion);
    const latest = assessVersion(current, versions).latest;
    throw new UsageError(
      `--to ${formatVersion(target)} is not a known Headscale release`,
      sameSeries.length ? `known ${target.major}.${target.minor} releases: ${sameSeries.join(', ')}` : `the newest known release is ${latest ? formatVersion(latest) : 'unknown'}`,
    );
  }
  if (!isStable(target) && !allowPrerelease) {
    throw new UsageError(`--to ${formatVersion(target)} is a pre-release`, 'pass --allow-prerelease as well to upgrade to a pre-release; stable releases are the default');
  }
  if (compareVersions(target, current) < 0) {
    throw new UsageError(`--to ${formatVersion(target)} is older than the installed ${formatVersion(current)}`, 'headsup does not downgrade: restore a backup with the previous version instead');
  }
  return target;
}

/** Prints the exact steps of each hop without touching anything. */
export async function renderDryRun(runtime: Runtime, plan: UpgradePlan, applyConfigChanges = false): Promise<string> {
  const { instance } = plan;
  const lines = [`Releases: ${plan.releaseSource}`];
  if (plan.hops.length === 0) {
    lines.push(`${instance.name} runs ${formatVersion(plan.from)}; nothing to do.`);
    return lines.join('\n');
  }

  const files = await readHeadscaleFiles(instance.settings.config);
  const backedUp = backupFilesOf(instance, files).map((file) => file.path);
  const gate = instance.settings.health;
  lines.push(`Plan for ${instance.name}: ${[plan.from, ...plan.hops.map((hop) => hop.to)].map(formatVersion).join(' → ')} (${plan.hops.length} hop${plan.hops.length > 1 ? 's' : ''})`);
  plan.hops.forEach((hop, index) => {
    const asset = assetNameFor(formatVersion(hop.to));
    lines.push(
      `  hop ${index + 1}: ${formatVersion(hop.from)} → ${formatVersion(hop.to)}`,
      `    fetch    ${asset} into ${runtime.config.cacheDir}/artifacts/${formatVersion(hop.to)}/, verified against checksums.txt (before anything stops)`,
      `    rehearse configtest, serve, health and a data comparison on a private copy of the instance`,
      `    stop     ${instance.service.describeAction('stop')}${instance.service.id === 'systemd' ? ' (automatic restarts held until the hop ends)' : ''}`,
      `    backup   ${backedUp.join(', ')}`,
      `             into ${runtime.config.backupsDir}/${instance.name}/ (folder 0700, files 0600, manifest of SHA-256 hashes)`,
      `    swap     install at ${instance.settings.binary} by atomic rename; previous kept as ${instance.settings.binary}.headsup-previous`,
      `    start    ${instance.service.describeAction('start')}`,
      `    verify   ${instance.settings.health_url} passes ${gate.passes} times in a row within ${Math.round(gate.timeout / 1000)} s, version ${formatVersion(hop.to)}`,
      `    on failure: stop, restore every file from the backup, start ${formatVersion(hop.from)}, verify`,
    );
  });
  lines.push(...(await dryRunChecks(runtime, plan, applyConfigChanges)));
  lines.push('Dry run: nothing was downloaded, stopped or changed.');
  return lines.join('\n');
}

/** Runs the pre-flight checks now (they only read the instance) and lists what they found. */
async function dryRunChecks(runtime: Runtime, plan: UpgradePlan, applyConfigChanges: boolean): Promise<string[]> {
  const lines = ['Pre-flight checks, run now on a private copy:'];
  const reporter: ProgressReporter = {
    step(event) {
      if (event.step === 'checks' && event.status !== 'started') lines.push(`  ${formatVersion(event.hop.from)} → ${formatVersion(event.hop.to)}: ${event.detail ?? ''}`);
    },
  };
  const gate = await runPreflightGate(applyContextOf(runtime, reporter), plan.instance, plan.hops, { applyConfigChanges });
  if (!gate.ok) lines.push('The upgrade would stop before changing anything:', ...gate.blocking.map((line) => `  ${line}`));
  plan.blocked = !gate.ok;
  return lines;
}

export async function executeUpgrade(
  runtime: Runtime,
  plan: UpgradePlan,
  reporter: ProgressReporter,
  options: { rehearse: boolean; applyConfigChanges: boolean },
): Promise<UpgradeResult> {
  const result = await applyUpgrade(applyContextOf(runtime, reporter), plan.instance, plan, plan.releases, options);

  // `headsup run` does not retry a target whose upgrade failed until someone approves it again.
  const failures = new FailedTargetRepository(runtime.db);
  const target = formatVersion(plan.target);
  if (result.outcome === 'upgraded') failures.clear(plan.instance.name, target);
  else if (result.outcome !== 'up-to-date') failures.record(plan.instance.name, target, runtime.clock.now());
  return result;
}

const STATUS_MARKS = { done: 'ok  ', failed: 'FAIL', skipped: 'skip' } as const;

/** Prints each step as it finishes, with a header line before the downloads and before each hop. */
export function consoleReporter(write: (line: string) => void): ProgressReporter {
  const announced = new Set<string>();
  return {
    step(event: StepEvent) {
      const hop = `${formatVersion(event.hop.from)} → ${formatVersion(event.hop.to)}`;
      if (event.status === 'started') {
        if (event.step === 'fetch' && !announced.has(event.instance)) {
          announced.add(event.instance);
          write(`${event.instance}: downloading and verifying the binaries before anything stops`);
        }
        if (event.step === 'preflight') write(`${event.instance}: hop ${hop}`);
        return;
      }
      const mark = STATUS_MARKS[event.status];
      const detail = event.step === 'fetch' ? `${formatVersion(event.hop.to)}: ${event.detail ?? ''}` : (event.detail ?? '');
      write(`  ${mark} ${event.step.padEnd(9)} ${detail}`.trimEnd());
    },
  };
}

export function renderUpgradeResult(result: UpgradeResult): string {
  const target = formatVersion(result.target);
  switch (result.outcome) {
    case 'up-to-date':
      return `${result.instance} already runs ${formatVersion(result.from)}; nothing to do.`;
    case 'upgraded':
      return `${result.instance} upgraded from ${formatVersion(result.from)} to ${target}.`;
    case 'rehearsal-failed':
      return `${result.instance}: the rehearsal on a copy failed, so production was not touched: ${result.rehearsalError}`;
    case 'preflight-failed':
      return [`${result.instance}: pre-flight checks failed, so nothing was stopped or changed:`, ...(result.blocking ?? []).map((line) => `  ${line}`)].join('\n');
    default: {
      const failed = result.hops.at(-1)!;
      const lines = [
        `${result.instance}: the hop ${formatVersion(failed.hop.from)} → ${formatVersion(failed.hop.to)} failed: ${failed.error}`,
      ];
      if (failed.serviceError) lines.push(`First error in the Headscale log: ${failed.serviceError}`);
      if (result.outcome === 'rolled-back') {
        lines.push(`Rolled back: ${formatVersion(failed.hop.from)} runs again with its data restored from ${failed.backupDir}.`);
      } else if (result.outcome === 'aborted' && failed.error?.startsWith('preflight failed')) {
        lines.push('Nothing was changed; Headscale was not stopped.');
      } else if (result.outcome === 'aborted') {
        lines.push(`Nothing was changed: ${formatVersion(failed.hop.from)} runs again.`);
      } else {
        lines.push(
          `The automatic rollback failed: the instance needs a person.`,
          failed.backupDir
            ? `Stop Headscale, copy the files listed in ${failed.backupDir}/manifest.json back to their paths, and start it.`
            : 'Start Headscale with its previous binary.',
        );
      }
      return lines.join('\n');
    }
  }
}

export function upgradeExitCode(result: UpgradeResult): ExitCode {
  switch (result.outcome) {
    case 'up-to-date':
    case 'upgraded':
      return ExitCode.Ok;
    case 'rolled-back':
      return ExitCode.RolledBack;
    case 'aborted':
    case 'preflight-failed':
    case 'rehearsal-failed':
      return ExitCode.Error;
    case 'needs-person':
      return ExitCode.NeedsPerson;
  }
}
