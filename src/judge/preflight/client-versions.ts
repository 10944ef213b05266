import { formatVersion, type Version } from '../version.js';
import { columnsOf, describeNode, quoteIdentifier, type DatabaseCopy } from './database-copy.js';
import { CLIENT_MINIMUMS, FIRST_ENFORCING_MINOR, type ClientMinimum } from './client-minimums.js';
import { finding, type PreflightFinding } from './types.js';

export const CLIENT_VERSIONS_CHECK = 'client-versions';

interface NodeRow {
  id: number;
  hostname: string | null;
  given_name: string | null;
  host_info: string | null;
}

export interface NodeClient {
  node: string;
  id: number;
  /** `IPNVersion` from the node's host info, e.g. `1.80.3-t1234abcd-g5678`; null when unknown. */
  ipnVersion: string | null;
}

/**
 * Compares every node's Tailscale version (`IPNVersion` in the `host_info` JSON the client last
 * sent) with the oldest client the target accepts, and names the nodes the upgrade would cut off.
 * A node that never sent its host info, or sent a version that does not parse, is 'warn'.
 * Soft-deleted rows (`deleted_at` set) are skipped.
 */
export function checkClientVersions(copy: DatabaseCopy, to: Version): PreflightFinding[] {
  const choice = minimumFor(to);
  if (choice === null) {
    return [finding(CLIENT_VERSIONS_CHECK, 'pass', `${formatVersion(to)} accepts every Tailscale client version`)];
  }

  const { minimum, series } = choice;
  const sameSeries = series === `${to.major}.${to.minor}`;
  const nodes = readNodes(copy);
  const tooOld = nodes.filter((node) => node.ipnVersion !== null && isOlder(node.ipnVersion, minimum.tailscale) === true);
  const unknown = nodes.filter((node) => node.ipnVersion === null || isOlder(node.ipnVersion, minimum.tailscale) === null);
  const rule = `${formatVersion(to)} accepts Tailscale ${minimum.tailscale} and later (capability version ${minimum.capabilityVersion}, ${minimum.source}${sameSeries ? '' : `; minimum of ${series}, the newest series read`})`;
  const findings: PreflightFinding[] = [];

  if (tooOld.length > 0) {
    findings.push(
      finding(
        CLIENT_VERSIONS_CHECK,
        'fail',
        `${tooOld.length} node(s) run an older Tailscale and will be cut off: ${tooOld.map((node) => `${node.node} on ${node.ipnVersion}`).join(', ')}; ${rule}`,
        `update Tailscale to ${minimum.tailscale} or later on these nodes before the upgrade, or remove them: ${tooOld.map((node) => `headscale nodes delete --identifier ${node.id} --force`).join(' && ')}`,
        { minimum, tooOld },
      ),
    );
  }

  if (unknown.length > 0) {
    findings.push(
      finding(
        CLIENT_VERSIONS_CHECK,
        'warn',
        `the Tailscale version of ${unknown.length} node(s) is unknown: ${unknown.map((node) => (node.ipnVersion === null ? node.node : `${node.node} (${JSON.stringify(node.ipnVersion)})`)).join(', ')}; ${rule}`,
        `check \`tailscale version\` on these nodes; it must be ${minimum.tailscale} or later`,
        { minimum, unknown },
      ),
    );
  }

  if (findings.length === 0) {
    findings.push(finding(CLIENT_VERSIONS_CHECK, sameSeries ? 'pass' : 'warn', `all ${nodes.length} node(s) run Tailscale ${minimum.tailscale} or later; ${rule}`, null, { minimum }));
  }

  return findings;
}

/** Picks the minimum of `to`'s series, else of the newest series read before it; null before 0.23. */
export function minimumFor(to: Version): { minimum: ClientMinimum; series: string } | null {
  if (to.major === 0 && to.minor < FIRST_ENFORCING_MINOR) return null;

  const series = Object.keys(CLIENT_MINIMUMS)
    .filter((key) => compareSeries(key, to) <= 0)
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .at(-1);
  return series ? { minimum: CLIENT_MINIMUMS[series]!, series } : null;
}

/** True when `ipnVersion` is older than `minimum` (major.minor); null when it does not parse. */
export function isOlder(ipnVersion: string, minimum: string): boolean | null {
  const match = /^v?(\d+)\.(\d+)/.exec(ipnVersion.trim());
  if (!match) return null;

  const [minMajor, minMinor] = minimum.split('.').map(Number) as [number, number];
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major < minMajor || (major === minMajor && minor < minMinor);
}

function readNodes(copy: DatabaseCopy): NodeClient[] {
  const { db, nodesTable } = copy;
  const columns = columnsOf(db, nodesTable);
  if (!columns.has('host_info')) return [];

  const live = columns.has('deleted_at') ? 'WHERE deleted_at IS NULL' : '';
  const names = ['id', 'host_info', ...['hostname', 'given_name'].filter((name) => columns.has(name))];
  const rows = db.prepare(`SELECT ${names.join(', ')} FROM ${quoteIdentifier(nodesTable)} ${live} ORDER BY id`).all() as NodeRow[];

  return rows.map((row) => ({ node: describeNode(row), id: row.id, ipnVersion: ipnVersionOf(row.host_info) }));
}

function ipnVersionOf(hostInfo: string | null): string | null {
  if (!hostInfo) return null;

  try {
    const parsed = JSON.parse(hostInfo) as { IPNVersion?: unknown };
    return typeof parsed.IPNVersion === 'string' && parsed.IPNVersion !== '' ? parsed.IPNVersion : null;
  } catch {
    return null;
  }
}

function compareSeries(series: string, to: Version): number {
  const [major, minor] = series.split('.').map(Number) as [number, number];
  return major - to.major || minor - to.minor;
}
