import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { HeadsupError, UsageError } from '../errors.js';
import { buildCheckReport, checkExitCode, renderCheckReport } from './check.js';
import { createRuntime, type Runtime } from './context.js';
import { recoverUnfinishedHops } from './recover.js';
import { collectBackups, renderBackups, requireInstances, runRollback } from './backups.js';
import { buildVulnsReport, parseSeverity, renderVulnsReport, vulnsExitCode } from './vulns.js';
import { ExitCode } from './exit-codes.js';
import { approveUpgrade, listApprovals, renderApprovals, revokeApproval } from './approve.js';
import { buildPlanReport, parseAt, renderPlanReport } from './plan.js';
import { renderPolicyMarkdown } from './policy-doc.js';
import { renderRunReport, runCycle, runExitCode } from './run.js';
import { parseDuration } from '../config/duration.js';
import { consoleReporter, executeUpgrade, planUpgrade, renderDryRun, renderUpgradeResult, upgradeExitCode } from './upgrade.js';

export interface MainIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: MainIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};

/** Runs one headsup command line and returns its exit code; the only place exit codes are decided. */
export async function main(argv: readonly string[], io: MainIo = defaultIo): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handleError(error, io);
  }
}

function buildProgram(io: MainIo, setExit: (code: number) => void): Command {
  const program = new Command('headsup')
    .description('Keeps self-hosted Headscale servers patched: checks for releases and upgrades one minor at a time with backup and automatic rollback.')
    .version(packageVersion(), '-V, --version', 'print the headsup version')
    .option('-c, --config <path>', 'headsup config file (default: $HEADSUP_CONFIG, then $XDG_CONFIG_HOME/headsup/config.yaml or ~/.config/headsup/config.yaml, then /etc/headsup/config.yaml, else embedded defaults)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .showSuggestionAfterError();

  const withRuntime = async <T>(action: (runtime: Runtime) => Promise<T>): Promise<T> => {
    const runtime = createRuntime({ configPath: program.opts<{ config?: string }>().config, env: io.env });
    try {
      return await action(runtime);
    } finally {
      runtime.db.close();
    }
  };

  program
    .command('check')
    .description('Show each instance\'s Headscale version, the latest release and the upgrade path')
    .argument('[instances...]', 'instances to check (default: all configured)')
    .option('--current <version>', 'check this Headscale version instead of configured instances')
    .option('--offline', 'do not contact the channels; use stored data or the shipped snapshot')
    .option('--fail-on <severity>', 'exit with 11 when a vulnerability is at or above this severity: low, medium, high or critical')
    .option('--json', 'print the report as JSON')
    .action(async (instances: string[], options: { current?: string; offline?: boolean; json?: boolean; failOn?: string }) => {
      const failOn = options.failOn === undefined ? null : parseSeverity(options.failOn);
      await withRuntime(async (runtime) => {
        await recoverUnfinishedHops(runtime, io.err, instances.length ? instances : undefined);
        const report = await buildCheckReport(runtime, { instances, current: options.current, offline: options.offline ?? false });
        io.out(options.json ? JSON.stringify(report, null, 2) : renderCheckReport(report));
        setExit(checkExitCode(report, failOn));
      });
    });

  program
    .command('upgrade')
    .description('Upgrade one instance along the upgrade path, hop by hop, with backup and automatic rollback')
    .argument('<instance>', 'the instance to upgrade, as named in the config')
    .addOption(new Option('--to <version>', 'target version (default: the latest stable release)'))
    .option('--dry-run', 'print the exact plan and change nothing')
    .option('--allow-prerelease', 'allow a pre-release (alpha, beta, rc) as the --to version')
    .option('--apply-config-changes', 'make the Headscale config changes the pre-flight checks propose, as part of each hop (a rollback restores the original)')
    .option('--no-rehearsal', 'skip the rehearsal of each hop on a copy of the instance (not recommended)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { to?: string; dryRun?: boolean; json?: boolean; rehearsal: boolean; applyConfigChanges?: boolean; allowPrerelease?: boolean }) => {
      await withRuntime(async (runtime) => {
        const recovered = await recoverUnfinishedHops(runtime, io.err, [name]);
        if (recovered.some((result) => result.outcome === 'needs-person')) {
          setExit(ExitCode.NeedsPerson);
          return;
        }
        const plan = await planUpgrade(runtime, { instance: name, to: options.to, dryRun: options.dryRun ?? false, allowPrerelease: options.allowPrerelease ?? false });
        if (options.dryRun) {
          io.out(await renderDryRun(runtime, plan, options.applyConfigChanges ?? false));
          if (plan.blocked) setExit(ExitCode.Error);
          return;
        }
        const reporter = consoleReporter(options.json ? io.err : io.out);
        const result = await executeUpgrade(runtime, plan, reporter, { rehearse: options.rehearsal, applyConfigChanges: options.applyConfigChanges ?? false });
        io.out(options.json ? JSON.stringify(result, null, 2) : renderUpgradeResult(result));
        setExit(upgradeExitCode(result));
      });
    });

  program
    .command('vulns')
    .description('List the known vulnerabilities of each instance\'s Headscale version and the release that fixes them')
    .option('--instance <name>', 'only this instance')
    .option('--current <version>', 'report on this Headscale version instead of configured instances')
    .option('--fail-on <severity>', 'exit with 11 when a vulnerability is at or above this severity: low, medium, high or critical')
    .option('--offline', 'do not contact the channels; use stored data, the shipped catalog and snapshot')
    .option('--json', 'print the report as JSON')
    .action(async (options: { instance?: string; current?: string; failOn?: string; offline?: boolean; json?: boolean }) => {
      const failOn = options.failOn === undefined ? null : parseSeverity(options.failOn);
      await withRuntime(async (runtime) => {
        const report = await buildVulnsReport(runtime, { instance: options.instance, current: options.current, offline: options.offline ?? false });
        io.out(options.json ? JSON.stringify(report, null, 2) : renderVulnsReport(report));
        setExit(vulnsExitCode(report, failOn));
      });
    });

  program
    .command('plan')
    .description('Show, for each instance, the next action the update policy allows and why')
    .argument('[instances...]', 'instances to plan (default: all configured)')
    .option('--at <time>', 'evaluate the policy at another time, e.g. 2026-12-05T02:30:00Z (deadlines are then not recorded)')
    .option('--offline', 'do not contact the channels; use stored data or the shipped snapshot')
    .option('--json', 'print the plan as JSON')
    .action(async (instances: string[], options: { at?: string; offline?: boolean; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const at = parseAt(options.at, runtime.clock.now());
        await recoverUnfinishedHops(runtime, io.err, instances.length ? instances : undefined);
        const report = await buildPlanReport(runtime, { instances, at, offline: options.offline ?? false });
        io.out(options.json ? JSON.stringify(report, null, 2) : renderPlanReport(report));
        if (report.instances.some((entry) => entry.action === 'error')) setExit(ExitCode.Error);
      });
    });

  program
    .command('run')
    .description('One unattended cycle for cron or a systemd timer: poll, plan, apply what the policy allows now, alert')
    .option('--wait <duration>', 'wait up to this long (e.g. 10m) for another run to finish, instead of exiting with 13')
    .option('--json', 'print the report as JSON')
    .action(async (options: { wait?: string; json?: boolean }) => {
      const waitMs = options.wait === undefined ? 0 : parseDuration(options.wait);
      if (waitMs === null) throw new UsageError(`--wait "${options.wait}" is not a duration`, 'write a number and a unit, for example 30s or 10m');
      await withRuntime(async (runtime) => {
        const report = await runCycle(runtime, { waitMs, write: options.json ? io.err : io.out });
        io.out(options.json ? JSON.stringify(report, null, 2) : renderRunReport(report));
        setExit(runExitCode(report));
      });
    });

  program
    .command('approve')
    .description('Approve an upgrade above the auto-approve level for one instance; records who, when and why')
    .argument('<instance>', 'the instance, as named in the config')
    .argument('<version>', 'the exact target version to approve, e.g. 0.29.2')
    .option('--reason <text>', 'why the upgrade is approved (required)')
    .option('--by <name>', 'who approves (default: the user running headsup)')
    .action(async (instance: string, version: string, options: { reason?: string; by?: string }) => {
      await withRuntime(async (runtime) => {
        io.out(await approveUpgrade(runtime, { instance, version, reason: options.reason, by: options.by }));
      });
    });

  program
    .command('revoke')
    .description('Revoke the approval of a version for one instance; records who, when and why')
    .argument('<instance>', 'the instance, as named in the config')
    .argument('<version>', 'the approved version, e.g. 0.29.2')
    .option('--reason <text>', 'why the approval is revoked (required)')
    .option('--by <name>', 'who revokes (default: the user running headsup)')
    .action(async (instance: string, version: string, options: { reason?: string; by?: string }) => {
      await withRuntime(async (runtime) => {
        io.out(revokeApproval(runtime, { instance, version, reason: options.reason, by: options.by }));
      });
    });

  program
    .command('approvals')
    .description('List the recorded approvals, revoked ones included')
    .argument('[instances...]', 'instances to list (default: all configured)')
    .option('--json', 'print the list as JSON')
    .action(async (instances: string[], options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const listing = listApprovals(runtime, instances);
        io.out(options.json ? JSON.stringify(listing, null, 2) : renderApprovals(listing));
      });
    });

  program
    .command('policy')
    .description('Print the effective update policy')
    .option('--markdown', 'as a Markdown document a team can review and adopt as its update procedure (the default)')
    .action(async () => {
      await withRuntime(async (runtime) => {
        io.out(renderPolicyMarkdown(runtime));
      });
    });

  program
    .command('backups')
    .description('List the backups headsup made before each hop, newest first')
    .argument('[instances...]', 'instances to list (default: all configured)')
    .option('--json', 'print the list as JSON')
    .action(async (instances: string[], options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const backups = await collectBackups(runtime, instances);
        io.out(options.json ? JSON.stringify(backups, null, 2) : renderBackups(backups, runtime.config.backupsKeep));
      });
    });

  program
    .command('rollback')
    .description("Restore an instance's binary, config, database and keys from a backup (the newest by default); the current state is backed up first")
    .argument('<instance>', 'the instance to roll back')
    .option('--backup <folder>', 'the backup folder to restore, as `headsup backups` lists it')
    .action(async (name: string, options: { backup?: string }) => {
      await withRuntime(async (runtime) => {
        const recovered = await recoverUnfinishedHops(runtime, io.err, [name]);
        if (recovered.some((result) => result.outcome === 'needs-person')) {
          setExit(ExitCode.NeedsPerson);
          return;
        }
        setExit(await runRollback(runtime, name, { backup: options.backup }, io.out));
      });
    });

  program
    .command('resume')
    .description('Finish or undo hops that an interrupted headsup left unfinished (every other command does this first, too)')
    .argument('[instances...]', 'instances to recover (default: all)')
    .action(async (instances: string[]) => {
      await withRuntime(async (runtime) => {
        requireInstances(runtime, instances);
        const results = await recoverUnfinishedHops(runtime, io.out, instances.length ? instances : undefined);
        if (results.length === 0) io.out('No unfinished hop; nothing to recover.');
        if (results.some((result) => result.outcome === 'needs-person')) setExit(ExitCode.NeedsPerson);
      });
    });

  return program;
}

/** The version in package.json, which sits two folders above both src/cli/ and dist/cli/. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

function handleError(error: unknown, io: MainIo): number {
  if (error instanceof CommanderError) {
    // Help and version output arrive here too, with exit code 0.
    return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  }
  if (error instanceof HeadsupError) {
    io.err(`headsup: error ${error.code}: ${error.message}`);
    if (error.hint) io.err(`hint: ${error.hint}`);
    return error.exitCode;
  }
  io.err(`headsup: unexpected error (a bug; please report it with this output):`);
  io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return ExitCode.Error;
}
