import { describeDuration } from '../../config/duration.js';
import type { Severity } from '../../judge/cvss/index.js';
import { compareVersions, formatVersion, isStable, sameMinor, versionsEqual, type Version } from '../../judge/version.js';
import type { Release } from '../../watch/release.js';
import { computeUpgradePath, type Hop } from '../path.js';
import { describeWindow, windowAt } from '../schedule/index.js';
import type { AssessedVulnerability } from '../vulnerabilities.js';
import type { EffectivePolicy, MaintenanceWindow } from './resolve.js';
import type { ApprovalLevel } from './schema.js';

/**
 * The action the policy allows for one instance at one moment:
 * - `up-to-date`: nothing newer is allowed (the reason names the pin or skip list that blocks it);
 * - `apply`: upgrade now, along `path`;
 * - `wait-window`: approved, waiting for the maintenance window that opens at `notBefore`;
 * - `held`: every newer release is younger than the minimum release age; allowed from `notBefore`;
 * - `frozen`: a freeze is in force until `notBefore`;
 * - `needs-approval`: the change is above the auto-approve level and this target has no approval;
 * - `blocked`: no safe path exists (for example a missing minor series in the release list).
 */
export type PlanAction = 'up-to-date' | 'apply' | 'wait-window' | 'held' | 'frozen' | 'needs-approval' | 'blocked';

export type ChangeLevel = 'patch' | 'minor' | 'major';

export interface FastTrack {
  /** The vulnerabilities at or above the fast-track severity that the target fixes. */
  readonly vulnerabilities: readonly string[];
  readonly severity: Severity | null;
  /** The earliest deadline among them, as text ("due in 5 days"), when one is set. */
  readonly deadline: string | null;
}

export interface InstancePlan {
  readonly action: PlanAction;
  readonly current: Version;
  readonly target: Version | null;
  readonly path: readonly Hop[];
  readonly level: ChangeLevel | null;
  readonly fastTrack: FastTrack | null;
  /** The window the upgrade waits for; null when it may run at any time. */
  readonly window: MaintenanceWindow | null;
  /** The earliest time the decision may change on its own; null when only new data or a person changes it. */
  readonly notBefore: Date | null;
  /** The decision in plain words. */
  readonly reason: string;
  /** Newer releases left out, each with why: too young, skipped, above the pin. */
  readonly heldBack: readonly { readonly version: string; readonly why: string }[];
}

export interface Approval {
  readonly version: Version;
  readonly by: string;
  readonly at: Date;
  readonly reason: string;
}

export interface PlanInput {
  /** The instance name, for the commands that reasons suggest. */
  readonly instance?: string;
  readonly current: Version;
  readonly releases: readonly Release[];
  /** The instance's open vulnerabilities (see `assessVulnerabilities`). */
  readonly vulnerabilities: readonly AssessedVulnerability[];
  readonly policy: EffectivePolicy;
  readonly approvals: readonly Approval[];
  /** Targets whose unattended upgrade failed, or that a person rolled back from, with when. */
  readonly failedTargets?: readonly { readonly version: Version; readonly at: Date }[];
  readonly now: Date;
}

const SEVERITY_RANK: Record<Severity, number> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };
const LEVEL_RANK: Record<ApprovalLevel | ChangeLevel, number> = { none: 0, patch: 1, minor: 2, major: 3 };

/**
 * Decides the next action for one instance. The target is the newest release the policy allows:
 * on the configured channel, not skipped, not above the pin, and older than the minimum release
 * age. A release that fixes an open vulnerability at or above the fast-track severity (an unrated
 * one counts as high) skips the age. The path to it goes one minor series at a time on the latest allowed patch.
 * Then, in this order: a failed target waits for a new approval, and a freeze stops everything. A
 * change above the auto-approve level needs an approval of that exact target. Last, a maintenance
 * window decides when.
 */
export function planInstance(input: PlanInput): InstancePlan {
  const { current, policy, now } = input;
  const heldBack: Array<{ version: string; why: string }> = [];
  const base = { current, heldBack, fastTrack: null, window: null, level: null } as const;

  const skipped = (version: Version) => policy.skipVersions.some((skip) => versionsEqual(skip, version));
  const usable = input.releases
    .filter((release) => policy.channel === 'prerelease' || isStable(release.version))
    .filter((release) => compareVersions(release.version, current) > 0)
    // Evaluated at another time (`plan --at`), a release published after that time does not exist yet.
    .filter((release) => release.publishedAt === null || release.publishedAt.getTime() <= now.getTime())
    .sort((a, b) => compareVersions(a.version, b.version));

  const candidates: Release[] = [];
  for (const release of usable) {
    const text = formatVersion(release.version);
    if (skipped(release.version)) heldBack.push({ version: text, why: 'listed in policy.skip_versions' });
    else if (policy.pin && compareVersions(release.version, policy.pin) > 0) heldBack.push({ version: text, why: `above the pinned version ${formatVersion(policy.pin)}` });
    else candidates.push(release);
  }
  if (candidates.length === 0) {
    const why = heldBack.length ? `; newer releases are held back (${heldBack.map((item) => `${item.version}: ${item.why}`).join('; ')})` : '';
    return { ...base, action: 'up-to-date', target: null, path: [], notBefore: null, reason: `${formatVersion(current)} is the newest release the policy allows${why}` };
  }

  const urgent = input.vulnerabilities.filter((vulnerability) => SEVERITY_RANK[vulnerability.severity ?? 'high'] >= SEVERITY_RANK[policy.fastTrack.minSeverity]);
  const matured = (release: Release) => release.publishedAt !== null && release.publishedAt.getTime() + policy.minimumReleaseAgeMs <= now.getTime();
  const allowedFrom = (release: Release) => new Date((release.publishedAt?.getTime() ?? now.getTime()) + policy.minimumReleaseAgeMs);

  const routine = [...candidates].reverse().find(matured) ?? null;
  const fixing = urgent.length ? (candidates.find((release) => urgent.every((vulnerability) => fixes(vulnerability, release.version))) ?? null) : null;
  let target: Release | null = routine;
  let fastTrack: FastTrack | null = null;
  if (fixing && (!routine || compareVersions(fixing.version, routine.version) > 0)) {
    target = fixing;
    fastTrack = describeFastTrack(urgent);
  } else if (routine && urgent.length && urgent.every((vulnerability) => fixes(vulnerability, routine.version))) {
    fastTrack = describeFastTrack(urgent);
  }

  for (const release of candidates) {
    if (target && compareVersions(release.version, target.version) <= 0) continue;
    if (!matured(release)) {
      const age = release.publishedAt ? `released ${ago(release.publishedAt, now)}` : 'its release date is unknown';
      heldBack.push({ version: formatVersion(release.version), why: `${age}; the minimum release age is ${describeDuration(policy.minimumReleaseAgeMs)}, so allowed from ${stamp(allowedFrom(release))}` });
    }
  }

  if (!target) {
    const next = candidates[0]!;
    const notBefore = next.publishedAt ? allowedFrom(next) : null;
    return {
      ...base,
      action: 'held',
      target: next.version,
      path: [],
      notBefore,
      reason: `${formatVersion(next.version)} was ${next.publishedAt ? `released ${ago(next.publishedAt, now)}` : 'published at an unknown time'}; the minimum release age is ${describeDuration(policy.minimumReleaseAgeMs)}${notBefore ? `, so it is allowed from ${stamp(notBefore)}` : ''}`,
    };
  }

  let path: Hop[];
  try {
    const stable = input.releases.map((release) => release.version).filter((version) => isStable(version) && !skipped(version));
    path = computeUpgradePath(current, target.version, stable);
  } catch (error) {
    return { ...base, action: 'blocked', target: target.version, path: [], notBefore: null, reason: `no safe upgrade path to ${formatVersion(target.version)}: ${(error as Error).message}` };
  }

  const level = changeLevel(current, target.version);
  const window = fastTrack ? policy.fastTrack.window : policy.upgradeWindow;
  const decided = { current, heldBack, fastTrack, window, level, target: target.version, path };
  const targetText = formatVersion(target.version);
  const approval = input.approvals.filter((item) => versionsEqual(item.version, target.version)).at(-1);
  const approvedBy = approval ? `, approved by ${approval.by} on ${stamp(approval.at)}` : '';
  const why = fastTrack ? `fast-tracked: fixes ${fastTrack.vulnerabilities.join(', ')} (${fastTrack.severity ?? 'unrated'}${fastTrack.deadline ? `, ${fastTrack.deadline}` : ''})${approvedBy}` : `${level} upgrade${approvedBy}`;

  const failure = input.failedTargets?.find((item) => versionsEqual(item.version, target.version));
  if (failure && !input.approvals.some((approval) => versionsEqual(approval.version, target.version) && approval.at.getTime() > failure.at.getTime())) {
    return {
      ...decided,
      action: 'blocked',
      notBefore: null,
      reason: `an upgrade to ${targetText} failed or was rolled back at ${stamp(failure.at)}; once the cause is fixed, approve ${targetText} again (\`headsup approve ${input.instance ?? '<instance>'} ${targetText} --reason "…"\`) or upgrade by hand`,
    };
  }

  const freeze = policy.freezes.find((item) => item.from.getTime() <= now.getTime() && now.getTime() < item.to.getTime());
  if (freeze) {
    return { ...decided, action: 'frozen', notBefore: freeze.to, reason: `frozen until ${stamp(freeze.to)} (${freeze.reason}); then ${targetText}, ${why}` };
  }

  const allowedLevel = fastTrack ? policy.fastTrack.autoApprove : policy.autoApprove;
  if (LEVEL_RANK[level] > LEVEL_RANK[allowedLevel]) {
    if (!approval) {
      const fastTracked = fastTrack ? ` (${why})` : '';
      return {
        ...decided,
        action: 'needs-approval',
        notBefore: null,
        reason: `${targetText} is a ${level} upgrade${fastTracked} and the policy approves only ${allowedLevel === 'none' ? 'nothing' : `${allowedLevel} upgrades`} automatically; approve it with \`headsup approve ${input.instance ?? '<instance>'} ${targetText} --reason "…"\``,
      };
    }
  }

  if (window) {
    const state = windowAt({ cron: window.cron, durationMs: window.durationMs, timeZone: window.timeZone }, now);
    if (!state.open) {
      return { ...decided, action: 'wait-window', notBefore: state.nextStart, reason: `${targetText} approved (${why}); waiting for the ${window.name} window (${describeWindow({ cron: window.cron, durationMs: window.durationMs, timeZone: window.timeZone })}), next opening ${stamp(state.nextStart)}` };
    }
    return { ...decided, action: 'apply', notBefore: null, reason: `upgrade to ${targetText} now (${why}); the ${window.name} window is open until ${stamp(state.end)}` };
  }
  return { ...decided, action: 'apply', notBefore: null, reason: `upgrade to ${targetText} now (${why}); no maintenance window applies` };
}

/** Patch within a minor series, minor across series, major across major versions (1.0 and later). */
export function changeLevel(from: Version, to: Version): ChangeLevel {
  if (sameMinor(from, to)) return 'patch';
  return from.major === to.major || from.major === 0 ? 'minor' : 'major';
}

function fixes(vulnerability: AssessedVulnerability, version: Version): boolean {
  return vulnerability.fixedIn !== null && compareVersions(version, vulnerability.fixedIn) >= 0;
}

function describeFastTrack(urgent: readonly AssessedVulnerability[]): FastTrack {
  const worst = urgent.reduce((a, b) => (SEVERITY_RANK[b.severity ?? 'high'] > SEVERITY_RANK[a.severity ?? 'high'] ? b : a));
  const dated = urgent.filter((item) => item.deadline).sort((a, b) => a.deadline!.dueAt.getTime() - b.deadline!.dueAt.getTime());
  return { vulnerabilities: urgent.map((item) => item.displayId), severity: worst.severity, deadline: dated[0]?.deadline?.status.text ?? null };
}

function ago(then: Date, now: Date): string {
  const hours = Math.floor((now.getTime() - then.getTime()) / 3_600_000);
  if (hours < 48) return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** `2026-12-05 02:00 UTC`, to the minute. */
export function stamp(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
