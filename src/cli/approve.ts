import { userInfo } from 'node:os';
import { UsageError } from '../errors.js';
import { latestStable } from '../decide/status.js';
import { formatVersion, parseVersion, versionsEqual } from '../judge/version.js';
import { ApprovalRepository } from '../store/approvals.js';
import { EventRepository } from '../store/events.js';
import { requireInstances } from './backups.js';
import { fetchReleaseList, type Runtime } from './context.js';
import { renderTable } from './table.js';

/** Records an approval of `version` for `instance`, with who, when and why, and writes it to the event log. */
export async function approveUpgrade(runtime: Runtime, options: { instance: string; version: string; reason: string | undefined; by: string | undefined }): Promise<string> {
  requireInstances(runtime, [options.instance]);
  const version = parseVersion(options.version);
  if (!version) throw new UsageError(`"${options.version}" is not a Headscale release version`, 'write it as 0.29.2 or v0.29.2; development builds and Go pseudo-versions cannot be approved');
  const reason = options.reason?.trim();
  if (!reason) throw new UsageError('an approval needs a reason', 'add --reason "…", for example --reason "tested in staging on 2026-12-03"');

  const by = whoIs(runtime, options.by);
  const at = runtime.clock.now();
  new ApprovalRepository(runtime.db).record(options.instance, { version, by, at, reason });
  new EventRepository(runtime.db).append({ at, instance: options.instance, kind: 'approval', message: `${by} approved ${formatVersion(version)}: ${reason}`, data: { version: formatVersion(version), by, reason } });
  const lines = [`Approved ${formatVersion(version)} for ${options.instance} (by ${by}, ${at.toISOString()}): ${reason}`];

  // The release list as last fetched, without contacting any channel.
  const known = (await fetchReleaseList(runtime, true)).releases.map((release) => release.version);
  if (!known.some((release) => versionsEqual(release, version))) {
    const newest = latestStable(known);
    lines.push(`Note: ${formatVersion(version)} is not a known release${newest ? ` (the newest known is ${formatVersion(newest)})` : ''}; check for a typo. The approval applies only if a release with exactly this version is published.`);
  }
  return lines.join('\n');
}

/** Revokes the approvals of `version` for `instance`, with who, when and why, and writes it to the event log. */
export function revokeApproval(runtime: Runtime, options: { instance: string; version: string; reason: string | undefined; by: string | undefined }): string {
  requireInstances(runtime, [options.instance]);
  const version = parseVersion(options.version);
  if (!version) throw new UsageError(`"${options.version}" is not a Headscale release version`, 'write it as 0.29.2 or v0.29.2, as `headsup approvals` lists it');
  const reason = options.reason?.trim();
  if (!reason) throw new UsageError('a revocation needs a reason', 'add --reason "…", for example --reason "breaks OIDC login in staging"');

  const by = whoIs(runtime, options.by);
  const at = runtime.clock.now();
  const count = new ApprovalRepository(runtime.db).revoke(options.instance, version, { by, at, reason });
  if (count === 0) {
    throw new UsageError(`${options.instance} has no approval of ${formatVersion(version)} in force`, `\`headsup approvals ${options.instance}\` lists its approvals`);
  }
  new EventRepository(runtime.db).append({ at, instance: options.instance, kind: 'approval-revoked', message: `${by} revoked the approval of ${formatVersion(version)}: ${reason}`, data: { version: formatVersion(version), by, reason } });
  return `Revoked the approval of ${formatVersion(version)} for ${options.instance} (by ${by}, ${at.toISOString()}): ${reason}`;
}

export interface ApprovalListing {
  instance: string;
  version: string;
  approvedBy: string;
  approvedAt: string;
  reason: string;
  revoked: { by: string; at: string; reason: string } | null;
}

/** Lists the approvals of the selected instances (all when none is named), revoked ones included. */
export function listApprovals(runtime: Runtime, instances: string[]): ApprovalListing[] {
  requireInstances(runtime, instances);
  const names = instances.length ? instances : [...runtime.config.instances.keys()];
  const repository = new ApprovalRepository(runtime.db);
  return names.flatMap((instance) =>
    repository.history(instance).map((record) => ({
      instance,
      version: formatVersion(record.version),
      approvedBy: record.by,
      approvedAt: record.at.toISOString(),
      reason: record.reason,
      revoked: record.revoked ? { by: record.revoked.by, at: record.revoked.at.toISOString(), reason: record.revoked.reason } : null,
    })),
  );
}

export function renderApprovals(listing: readonly ApprovalListing[]): string {
  if (listing.length === 0) return 'No approvals recorded. `headsup approve <instance> <version> --reason "…"` records one.';
  const rows = listing.map((item) => [
    item.instance,
    item.version,
    `${item.approvedBy}, ${item.approvedAt.slice(0, 16).replace('T', ' ')} UTC`,
    item.reason,
    item.revoked ? `revoked by ${item.revoked.by}: ${item.revoked.reason}` : 'in force',
  ]);
  return renderTable(['INSTANCE', 'VERSION', 'APPROVED', 'REASON', 'STATUS'], rows);
}

function whoIs(runtime: Runtime, given: string | undefined): string {
  return given?.trim() || runtime.env.SUDO_USER || runtime.env.USER || userInfo().username;
}
