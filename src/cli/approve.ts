import { userInfo } from 'node:os';
import { UsageError } from '../errors.js';
import { formatVersion, parseVersion } from '../judge/version.js';
import { ApprovalRepository } from '../store/approvals.js';
import { EventRepository } from '../store/events.js';
import { requireInstances } from './backups.js';
import type { Runtime } from './context.js';

/** Records an approval of `version` for `instance`, with who, when and why, and writes it to the audit log. */
export function approveUpgrade(runtime: Runtime, options: { instance: string; version: string; reason: string | undefined; by: string | undefined }): string {
  requireInstances(runtime, [options.instance]);
  const version = parseVersion(options.version);
  if (!version) throw new UsageError(`"${options.version}" is not a Headscale release version`, 'write it as 0.29.2 or v0.29.2; development builds and Go pseudo-versions cannot be approved');
  const reason = options.reason?.trim();
  if (!reason) throw new UsageError('an approval needs a reason', 'add --reason "…", for example --reason "tested in staging on 2026-12-03"');

  const by = options.by?.trim() || runtime.env.SUDO_USER || runtime.env.USER || userInfo().username;
  const at = runtime.clock.now();
  new ApprovalRepository(runtime.db).record(options.instance, { version, by, at, reason });
  new EventRepository(runtime.db).append({ at, instance: options.instance, kind: 'approval', message: `${by} approved ${formatVersion(version)}: ${reason}`, data: { version: formatVersion(version), by, reason } });
  return `Approved ${formatVersion(version)} for ${options.instance} (by ${by}, ${at.toISOString()}): ${reason}`;
}
