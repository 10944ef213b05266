import type { Hop } from '../decide/path.js';
import { formatVersion, type Version } from '../judge/version.js';
import { rehearsePath, type RehearsalResult } from '../rehearse/index.js';
import type { Artifact } from './artifacts.js';
import type { ApplyContext } from './context.js';
import { readHeadscaleFiles, type Instance } from './instance.js';

/**
 * Rehearses every hop of the path on a private copy of the instance before production is touched,
 * reporting one `rehearse` step per hop. The live instance is only read.
 */
export async function rehearseUpgrade(
  context: ApplyContext,
  instance: Instance,
  from: Version,
  hops: readonly Hop[],
  artifacts: readonly Artifact[],
  prepareHop?: (sandboxConfigPath: string, hop: Hop) => Promise<void>,
): Promise<RehearsalResult> {
  const first = hops[0]!;
  context.reporter.step({ instance: instance.name, hop: first, step: 'rehearse', status: 'started' });
  const result = await rehearsePath({
    instanceName: instance.name,
    liveConfigPath: instance.settings.config,
    files: await readHeadscaleFiles(instance.settings.config),
    from,
    hops: hops.map((hop, index) => ({ hop, binaryPath: artifacts[index]!.path })),
    liveBinaryPath: instance.settings.binary,
    runner: context.runner,
    http: context.http,
    clock: context.clock,
    logger: context.logger,
    workDir: context.rehearsalsDir,
    ...(prepareHop ? { prepareHop } : {}),
    ...(context.crashAt === 'during:rehearse' ? { afterLaunch: () => process.kill(process.pid, 'SIGKILL') } : {}),
  });

  if (result.error) {
    context.reporter.step({ instance: instance.name, hop: first, step: 'rehearse', status: 'failed', detail: result.error });
  }
  for (const rehearsal of result.hops) {
    const detail = rehearsal.ok
      ? `on a copy: configtest, serve, health${rehearsal.differences.length ? `, ${rehearsal.differences.length} expected data changes` : ', data unchanged'} (${(rehearsal.durationMs / 1000).toFixed(1)} s)`
      : `${rehearsal.failedStep} failed on a copy: ${rehearsal.firstError}`;
    context.reporter.step({ instance: instance.name, hop: rehearsal.hop, step: 'rehearse', status: rehearsal.ok ? 'done' : 'failed', detail });
  }
  context.events.append({
    at: context.clock.now(),
    instance: instance.name,
    kind: result.ok ? 'rehearsal-passed' : 'rehearsal-failed',
    message: result.ok ? `rehearsal of ${describePath(from, hops)} passed` : `rehearsal of ${describePath(from, hops)} failed: ${rehearsalError(result)}`,
  });
  return result;
}

/** Describes the first reason a rehearsal failed, and where its sandbox was kept. */
export function rehearsalError(result: RehearsalResult): string {
  const failed = result.hops.find((hop) => !hop.ok);
  const reason = result.error ?? (failed ? `hop ${formatVersion(failed.hop.from)} → ${formatVersion(failed.hop.to)}: ${failed.failedStep} failed: ${failed.firstError}` : 'unknown');
  return result.sandboxKept && result.sandboxDir ? `${reason} (sandbox kept in ${result.sandboxDir})` : reason;
}

function describePath(from: Version, hops: readonly Hop[]): string {
  return [from, ...hops.map((hop) => hop.to)].map(formatVersion).join(' → ');
}
