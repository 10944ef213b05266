import { userInfo } from 'node:os';
import { UsageError } from '../errors.js';
import { latestStable } from '../decide/status.js';
import { formatVersion, parseVersion, versionsEqual } from '../judge/version.js';
import { ApprovalRepository } from '../store/approvals.js';
import { EventRepository } from '../store/events.js';
import { requireInstances } from './backups.js';
import { fetchReleaseList, type Runtime } from './context.js';

/** Records an approval of `version` for `instance`, with who, when and why, and writes it to the audit log. */
export async function approveUpgrade(runtime: Runtime, options: { instance: string; version: string; reason: string | undefined; by: string | undefined }): Promise<string> {
  requireInstances(runtime, [options.instance]);
  const version = parseVersion(options.version);
  if (!version) throw new UsageError(`"${options.version}" is not a Headscale release version`, 'write it as 0.29.2 or v0.29.2; development builds and Go pseudo-versions cannot be approved');
  const reason = options.reason?.trim();
  if (!reason) throw new UsageError('an approval needs a reason', 'add --reason "…", for example --reason "tested in staging on 2026-12-03"');

  const by = options.by?.trim() || runtime.env.SUDO_USER || runtime.env.USER || userInfo().username;
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
