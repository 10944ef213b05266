import { createInstance } from '../apply/instance.js';
import { acquireInstanceLock, type InstanceLock } from '../apply/lock.js';
import type { UpgradeResult } from '../apply/upgrade.js';
import { planInstance, type InstancePlan } from '../decide/policy/decide.js';
import type { AssessedVulnerability } from '../decide/vulnerabilities.js';
import { HeadsupError } from '../errors.js';
import { formatVersion, isStable } from '../judge/version.js';
import { ApprovalRepository } from '../store/approvals.js';
import { EventRepository } from '../store/events.js';
import { FailedTargetRepository, failedTargetsOf, SeenItemsRepository } from '../store/seen.js';
import { AlertDispatcher, AlertLogRepository, AlertOutbox, buildNotifiers, type Alert, type DispatchResult } from '../tell/index.js';
import type { Runtime } from './context.js';
import { ExitCode } from './exit-codes.js';
import { assessFor } from './exposure.js';
import { ACTION_TEXT } from './plan.js';
import { gatherIntel, instanceVersion, type Intel } from './intel.js';
import { recoverUnfinishedHops } from './recover.js';
import { consoleReporter, executeUpgrade, renderUpgradeResult } from './upgrade.js';
import { applyContextOf } from './context.js';

export interface RunOptions {
  /** How long to wait for another run to finish; 0 exits at once with ExitCode.Busy. */
  waitMs: number;
  write: (line: string) => void;
}

export interface RunInstanceOutcome {
  name: string;
  running: string | null;
  action: InstancePlan['action'] | 'error';
  reason: string;
  upgrade: { outcome: UpgradeResult['outcome']; target: string } | null;
}

export interface RunReport {
  at: string;
  busy: boolean;
  releases: string;
  staleChannels: string[];
  instances: RunInstanceOutcome[];
  alerts: { sent: number; duplicates: number; failed: number };
}

const RUN_LOCK = '.run';

/**
 * Runs one unattended cycle, for cron or a systemd timer. It takes the run lock, finishes any
 * interrupted hop, polls the channels and announces new releases and advisories. Then it judges and
 * re-plans each instance, applies what the policy allows now through the upgrade engine, and sends
 * alerts. Every decision goes to the event log. A second run right after changes nothing.
 */
export async function runCycle(runtime: Runtime, options: RunOptions): Promise<RunReport> {
  const context = applyContextOf(runtime, consoleReporter(options.write));
  const lock = await takeRunLock(runtime, context.lockDir, options.waitMs);
  const at = runtime.clock.now();
  if (!lock) return { at: at.toISOString(), busy: true, releases: '', staleChannels: [], instances: [], alerts: { sent: 0, duplicates: 0, failed: 0 } };

  try {
    return await runLocked(runtime, options);
  } finally {
    lock.release();
  }
}

async function runLocked(runtime: Runtime, options: RunOptions): Promise<RunReport> {
  const { write } = options;
  const events = new EventRepository(runtime.db);
  const notifiers = buildNotifiers(runtime.config.alerts, runtime.env, { http: runtime.http, clock: runtime.clock, logger: runtime.logger });
  const dispatcher = new AlertDispatcher({ notifiers, log: new AlertLogRepository(runtime.db), clock: runtime.clock, logger: runtime.logger, reminders: runtime.config.alerts.alert_reminders });
  const tally = { sent: 0, duplicates: 0, failed: 0 };
  const outbox = new AlertOutbox(runtime.db);
  // Queues the alerts, then sends everything queued, including alerts an earlier run failed to deliver.
  const send = async (alerts: Alert[]) => {
    if (notifiers.length === 0) return;
    outbox.queue(alerts, runtime.clock.now());
    const pending = outbox.pending(runtime.clock.now());
    if (pending.length === 0) return;
    const result = await dispatcher.dispatch(pending);
    outbox.settle(result);
    count(tally, result);
  };

  const recovered = await recoverUnfinishedHops(runtime, write);
  const intel = await gatherIntel(runtime, false);
  const now = runtime.clock.now();
  events.append({ at: now, instance: null, kind: 'run-started', message: `run started; releases from ${intel.releasesDescription}` });

  const alerts: Alert[] = [...announcements(runtime, intel, now), ...staleAlerts(intel, now)];
  for (const result of recovered) {
    if (result.outcome === 'needs-person') alerts.push(needsPerson(result.instance ?? '', `recovery of an interrupted hop needs a person: ${result.detail}`, now));
  }

  const approvals = new ApprovalRepository(runtime.db);
  const failedTargets = new FailedTargetRepository(runtime.db);
  const outcomes: RunInstanceOutcome[] = [];
  for (const name of runtime.config.instances.keys()) {
    const found = await instanceVersion(runtime, name);
    if (!found.version) {
      outcomes.push({ name, running: null, action: 'error', reason: found.detail, upgrade: null });
      events.append({ at: now, instance: name, kind: 'plan', message: `version unknown: ${found.detail}` });
      continue;
    }

    const { policy, assessment } = assessFor(runtime, intel, found.version, { instance: name, at: now, record: true });
    alerts.push(...deadlineAlerts(name, assessment.vulnerabilities, policy.deadlines, now));
    const plan = planInstance({ instance: name, current: found.version, releases: intel.list.releases, vulnerabilities: assessment.vulnerabilities, policy, approvals: approvals.forInstance(name), failedTargets: failedTargetsOf(failedTargets, name), now });
    events.append({ at: now, instance: name, kind: 'plan', message: `${plan.action}: ${plan.reason}`, data: { action: plan.action, target: plan.target ? formatVersion(plan.target) : null, notBefore: plan.notBefore?.toISOString() ?? null } });
    write(`${name}: ${plan.reason}`);

    const outcome: RunInstanceOutcome = { name, running: formatVersion(found.version), action: plan.action, reason: plan.reason, upgrade: null };
    outcomes.push(outcome);
    if (plan.action !== 'apply' || !plan.target) continue;

    const target = formatVersion(plan.target);

    // Announce the upgrade before it starts, so that people hear of it even if this process dies.
    const startedAt = runtime.clock.now();
    await send([...alerts.splice(0), upgradeAlert('upgrade-started', name, plan, null, startedAt)]);
    const settings = runtime.config.instances.get(name)!;
    let result: UpgradeResult;
    try {
      result = await executeUpgrade(
        runtime,
        { instance: createInstance(name, settings, runtime.runner), from: found.version, target: plan.target, hops: [...plan.path], releases: intel.list.releases, releaseSource: intel.releasesDescription },
        consoleReporter(write),
        { rehearse: true, applyConfigChanges: false },
      );
    } catch (error) {
      // An error before any hop started (the instance locked by a manual command, a failed
      // download): nothing changed, and the other instances still get their turn.
      const message = error instanceof Error ? error.message : String(error);
      runtime.logger.error({ instance: name, target, err: error }, 'unattended upgrade did not start');
      write(`${name}: the upgrade to ${target} did not start: ${message}`);
      outcome.action = 'error';
      outcome.reason = message;
      events.append({ at: runtime.clock.now(), instance: name, kind: 'upgrade-error', message: `upgrade to ${target} did not start: ${message}` });
      alerts.push(upgradeAlert('upgrade-failed', name, plan, null, startedAt, message));
      continue;
    }
    write(renderUpgradeResult(result));
    outcome.upgrade = { outcome: result.outcome, target };
    alerts.push(upgradeAlert(upgradeKind(result), name, plan, result, startedAt));
  }

  await send(alerts);
  events.append({ at: runtime.clock.now(), instance: null, kind: 'run-finished', message: `run finished: ${outcomes.map((item) => `${item.name} ${item.upgrade?.outcome ?? item.action}`).join(', ') || 'no instances'}`, data: { alerts: tally } });
  return { at: now.toISOString(), busy: false, releases: intel.releasesDescription, staleChannels: intel.staleChannels.map((channel) => channel.id), instances: outcomes, alerts: tally };
}

/** Takes the run lock, waiting up to `waitMs` for another run to finish; null when it stays taken. */
async function takeRunLock(runtime: Runtime, lockDir: string, waitMs: number): Promise<InstanceLock | null> {
  const deadline = runtime.clock.now().getTime() + waitMs;
  for (;;) {
    try {
      return acquireInstanceLock(lockDir, RUN_LOCK);
    } catch (error) {
      if (!(error instanceof HeadsupError) || error.code !== 'INSTANCE_LOCKED') throw error;
      if (runtime.clock.now().getTime() >= deadline) return null;
      await runtime.clock.sleep(1000);
    }
  }
}

/** Maps a run to its exit code; the most serious outcome wins. */
export function runExitCode(report: RunReport): ExitCode {
  if (report.busy) return ExitCode.Busy;
  const outcomes = report.instances.map((item) => item.upgrade?.outcome);
  if (outcomes.includes('needs-person')) return ExitCode.NeedsPerson;
  if (outcomes.includes('rolled-back')) return ExitCode.RolledBack;
  if (report.instances.some((item) => item.action === 'error' || item.action === 'blocked') || outcomes.some((outcome) => outcome && outcome !== 'upgraded' && outcome !== 'up-to-date')) return ExitCode.Error;
  if (report.staleChannels.length > 0) return ExitCode.ChannelStale;
  return ExitCode.Ok;
}

export function renderRunReport(report: RunReport): string {
  if (report.busy) return 'Another headsup run holds the run lock; this run did nothing. Pass --wait DURATION to wait for it.';
  const lines = [`Run at ${report.at}; releases from ${report.releases}.`];
  for (const item of report.instances) {
    lines.push(`${item.name}: ${item.upgrade ? `upgrade to ${item.upgrade.target}: ${item.upgrade.outcome}` : ACTION_TEXT[item.action]}`);
  }
  if (report.staleChannels.length) lines.push(`Stale channels: ${report.staleChannels.join(', ')}; see headsup check.`);
  lines.push(`Alerts: ${report.alerts.sent} sent, ${report.alerts.duplicates} already sent before, ${report.alerts.failed} failed.`);
  return lines.join('\n');
}

function count(tally: RunReport['alerts'], result: DispatchResult): void {
  for (const delivery of result.deliveries) {
    if (delivery.status === 'sent') tally.sent++;
    else if (delivery.status === 'duplicate') tally.duplicates++;
    else if (delivery.status === 'failed') tally.failed++;
  }
}

/** Builds alerts for releases and advisories no earlier run saw; the first run records them without alerts. */
function announcements(runtime: Runtime, intel: Intel, now: Date): Alert[] {
  const seen = new SeenItemsRepository(runtime.db);
  const alerts: Alert[] = [];
  const releases = new Map(intel.list.releases.map((release) => [release.tag, release]));
  for (const tag of seen.markSeen('release', [...releases.keys()], now)) {
    const release = releases.get(tag)!;
    alerts.push({
      kind: 'new-release',
      key: `new-release:${tag}`,
      instance: null,
      severity: 'info',
      title: `Headscale ${tag} released${isStable(release.version) ? '' : ' (pre-release)'}`,
      text: `Headscale ${tag} was published${release.publishedAt ? ` at ${release.publishedAt.toISOString()}` : ''}. \`headsup plan\` shows when the policy allows it.`,
      facts: { version: formatVersion(release.version), published: release.publishedAt?.toISOString() ?? null, notes: release.htmlUrl },
      at: now,
    });
  }
  const records = new Map(intel.records.map((record) => [record.id, record]));
  for (const id of seen.markSeen('advisory', [...records.keys()], now)) {
    const record = records.get(id)!;
    alerts.push({
      kind: 'new-advisory',
      key: `new-advisory:${id}`,
      instance: null,
      severity: 'warning',
      title: `New Headscale advisory ${id}`,
      text: `${record.summary ?? 'No summary.'} \`headsup vulns\` shows which instances it affects.`,
      facts: { id, aliases: (record.aliases ?? []).join(', ') || null, published: record.published ?? null },
      at: now,
    });
  }
  return alerts;
}

function staleAlerts(intel: Intel, now: Date): Alert[] {
  return intel.staleChannels.map((channel) => ({
    kind: 'channel-stale',
    key: `channel-stale:${channel.id}`,
    instance: null,
    severity: 'warning',
    title: `Channel ${channel.id} has had no successful poll ${channel.lastSuccessAt ? `since ${channel.lastSuccessAt.toISOString()}` : 'yet'}`,
    text: `A stale channel can hide a release or an advisory. Last error: ${channel.lastError ?? 'none recorded'}.`,
    facts: { channel: channel.id, 'last success': channel.lastSuccessAt?.toISOString() ?? null },
    at: now,
  }));
}

/**
 * Builds deadline alerts: overdue once the deadline passed, near once less than half of the window
 * is left (one day of a critical two-day window, three and a half days of a high one).
 */
function deadlineAlerts(instance: string, vulnerabilities: readonly AssessedVulnerability[], windows: Record<string, number>, now: Date): Alert[] {
  const alerts: Alert[] = [];
  for (const vulnerability of vulnerabilities) {
    const deadline = vulnerability.deadline;
    if (!deadline) continue;
    const left = deadline.dueAt.getTime() - now.getTime();
    const window = windows[deadline.severity] ?? deadline.dueAt.getTime() - deadline.startsAt.getTime();
    const facts = { vulnerability: vulnerability.displayId, severity: vulnerability.severity ?? 'unrated', due: deadline.dueAt.toISOString(), 'fixed in': vulnerability.fixedIn ? formatVersion(vulnerability.fixedIn) : null };
    if (left < 0) {
      alerts.push({ kind: 'deadline-overdue', key: `deadline-overdue:${instance}:${vulnerability.id}`, instance, severity: 'critical', title: `${instance}: ${vulnerability.displayId} is past its patch deadline`, text: `${vulnerability.displayId} is ${deadline.status.text}. Upgrade to ${facts['fixed in'] ?? 'a fixed release'} or later; \`headsup plan ${instance}\` says what holds it.`, facts, at: now });
    } else if (left < window / 2) {
      alerts.push({ kind: 'deadline-near', key: `deadline-near:${instance}:${vulnerability.id}`, instance, severity: 'warning', title: `${instance}: ${vulnerability.displayId} ${deadline.status.text}`, text: `Upgrade to ${facts['fixed in'] ?? 'a fixed release'} or later before ${deadline.dueAt.toISOString()}.`, facts, at: now });
    }
  }
  return alerts;
}

type UpgradeAlertKind = 'upgrade-started' | 'upgrade-succeeded' | 'upgrade-failed' | 'upgrade-rolled-back' | 'needs-person';

function upgradeKind(result: UpgradeResult): UpgradeAlertKind {
  switch (result.outcome) {
    case 'upgraded':
    case 'up-to-date':
      return 'upgrade-succeeded';
    case 'rolled-back':
      return 'upgrade-rolled-back';
    case 'needs-person':
      return 'needs-person';
    default:
      return 'upgrade-failed';
  }
}

/** Builds the alert of one upgrade attempt. Its key contains `startedAt`, so a later attempt is announced again. */
function upgradeAlert(kind: UpgradeAlertKind, instance: string, plan: InstancePlan, result: UpgradeResult | null, startedAt: Date, error: string | null = null): Alert {
  const from = formatVersion(plan.current);
  const to = formatVersion(plan.target!);
  const severity = kind === 'upgrade-started' || kind === 'upgrade-succeeded' ? 'info' : 'critical';
  const titles: Record<UpgradeAlertKind, string> = {
    'upgrade-started': `${instance}: upgrading ${from} → ${to}`,
    'upgrade-succeeded': `${instance}: upgraded ${from} → ${to}`,
    'upgrade-failed': `${instance}: upgrade ${from} → ${to} failed before anything changed`,
    'upgrade-rolled-back': `${instance}: upgrade ${from} → ${to} failed and was rolled back`,
    'needs-person': `${instance}: upgrade ${from} → ${to} failed and needs a person`,
  };
  return {
    kind,
    key: `${kind}:${instance}:${from}>${to}:${startedAt.toISOString()}`,
    instance,
    severity,
    title: titles[kind],
    text: result ? renderUpgradeResult(result) : (error ?? plan.reason),
    facts: { from, to, path: [from, ...plan.path.map((hop) => formatVersion(hop.to))].join(' → '), outcome: result?.outcome ?? null },
    at: startedAt,
  };
}

function needsPerson(instance: string, text: string, at: Date): Alert {
  return { kind: 'needs-person', key: `needs-person:${instance}:recovery`, instance, severity: 'critical', title: `${instance}: needs a person`, text, facts: {}, at };
}
