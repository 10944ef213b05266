import { planInstance, stamp, type InstancePlan } from '../decide/policy/decide.js';
import { parseInstant } from '../decide/policy/schema.js';
import { UsageError } from '../errors.js';
import { formatVersion, type Version } from '../judge/version.js';
import { ApprovalRepository } from '../store/approvals.js';
import { FailedTargetRepository, failedTargetsOf } from '../store/seen.js';
import type { Runtime } from './context.js';
import { requireInstances } from './backups.js';
import { assessFor } from './exposure.js';
import { gatherIntel, instanceVersion, type Intel } from './intel.js';
import { renderTable } from './table.js';

export interface PlanEntry {
  name: string;
  running: string | null;
  action: InstancePlan['action'] | 'error';
  target: string | null;
  path: string[];
  level: InstancePlan['level'];
  fastTrack: InstancePlan['fastTrack'];
  window: string | null;
  notBefore: string | null;
  reason: string;
  heldBack: InstancePlan['heldBack'];
}

export interface PlanReport {
  at: string;
  releases: string;
  instances: PlanEntry[];
}

/** Parses `--at`: a date (midnight UTC) or an ISO 8601 time with `Z` or an offset. */
export function parseAt(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const parsed = parseInstant(value);
  if (!parsed) throw new UsageError(`--at "${value}" is not a time with a zone`, 'write it as 2026-12-05T02:30:00Z, 2026-12-05T03:30:00+01:00 or 2026-12-05 (midnight UTC)');
  return parsed;
}

/**
 * Plans every selected instance: reads its version, judges its vulnerabilities and applies its
 * policy at `at`. Deadlines are recorded the first time they are computed, except with `--at`.
 */
export async function buildPlanReport(runtime: Runtime, options: { instances: string[]; at: Date; offline: boolean; intel?: Intel }): Promise<PlanReport> {
  requireInstances(runtime, options.instances);
  const names = options.instances.length ? options.instances : [...runtime.config.instances.keys()];
  const intel = options.intel ?? (await gatherIntel(runtime, options.offline));
  const approvals = new ApprovalRepository(runtime.db);
  const recordDeadlines = options.at.getTime() === runtime.clock.now().getTime();

  const entries: PlanEntry[] = [];
  for (const name of names) {
    const found = await instanceVersion(runtime, name);
    if (!found.version) {
      entries.push({ name, running: null, action: 'error', target: null, path: [], level: null, fastTrack: null, window: null, notBefore: null, reason: found.detail, heldBack: [] });
      continue;
    }
    entries.push(planEntry(name, planFor(runtime, intel, name, found.version, options.at, { recordDeadlines, approvals })));
  }
  return { at: options.at.toISOString(), releases: intel.releasesDescription, instances: entries };
}

/** Plans one instance whose version is known. */
export function planFor(runtime: Runtime, intel: Intel, name: string, version: Version, at: Date, options: { recordDeadlines: boolean; approvals: ApprovalRepository }): InstancePlan {
  const { policy, assessment } = assessFor(runtime, intel, version, { instance: name, at, record: options.recordDeadlines });
  return planInstance({
    instance: name,
    current: version,
    releases: intel.list.releases,
    vulnerabilities: assessment.vulnerabilities,
    policy,
    approvals: options.approvals.forInstance(name),
    failedTargets: failedTargetsOf(new FailedTargetRepository(runtime.db), name),
    now: at,
  });
}

function planEntry(name: string, plan: InstancePlan): PlanEntry {
  return {
    name,
    running: formatVersion(plan.current),
    action: plan.action,
    target: plan.target ? formatVersion(plan.target) : null,
    path: plan.path.map((hop) => formatVersion(hop.to)),
    level: plan.level,
    fastTrack: plan.fastTrack,
    window: plan.window?.name ?? null,
    notBefore: plan.notBefore?.toISOString() ?? null,
    reason: plan.reason,
    heldBack: plan.heldBack,
  };
}

/** The actions of `plan` and `run` in words. */
export const ACTION_TEXT: Record<PlanEntry['action'], string> = {
  'up-to-date': 'up to date',
  apply: 'upgrade now',
  'wait-window': 'waiting for window',
  held: 'held (release age)',
  frozen: 'frozen',
  'needs-approval': 'needs approval',
  blocked: 'blocked',
  error: 'error',
};

export function renderPlanReport(report: PlanReport): string {
  const lines = [`Plan at ${stamp(new Date(report.at))}`, `Releases: ${report.releases}`, ''];
  if (report.instances.length === 0) {
    lines.push('No instance is configured; add instances to the config (see the README).');
    return lines.join('\n');
  }
  const rows = report.instances.map((entry) => [entry.name, entry.running ?? 'unknown', entry.target ?? '-', ACTION_TEXT[entry.action], entry.notBefore ? stamp(new Date(entry.notBefore)) : '-']);
  lines.push(renderTable(['INSTANCE', 'RUNNING', 'TARGET', 'NEXT ACTION', 'NOT BEFORE'], rows));
  for (const entry of report.instances) {
    lines.push('', `${entry.name}: ${entry.reason}.`);
    if (entry.path.length > 1) lines.push(`  path: ${[entry.running, ...entry.path].join(' → ')}`);
    for (const held of entry.heldBack) lines.push(`  held back: ${held.version}, ${held.why}`);
  }
  return lines.join('\n');
}
