import type { z } from 'zod';

/** Formats one schema issue as "key.path: message (got VALUE)", with a hint for unknown keys. */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String).join('.') || '(top level)';

  // For a union (the two forms of `service:`), report the form that came closest, so that a typo
  // reads as an unknown key rather than as "matches neither form".
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const closest = [...issue.errors].sort((a, b) => mismatchScore(a) - mismatchScore(b))[0]!;
    const typo = closest.length > 0 && closest.every((sub) => sub.code === 'unrecognized_keys' || (sub.code === 'invalid_type' && valueAt(input, [...issue.path, ...sub.path]) === undefined));
    if (typo) return closest.map((sub) => formatIssue({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue, input)).join('\n');
  }

  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue, input);
    return issue.keys
      .map((key) => {
        const where = path === '(top level)' ? key : `${path}.${key}`;
        const suggestion = closest(key, known);
        const hint = suggestion ? `; did you mean "${suggestion}"?` : '; remove it or check its spelling';
        return `${where}: unknown key${hint}`;
      })
      .join('\n');
  }

  const value = valueAt(input, issue.path);
  if (value === undefined && issue.code === 'invalid_type') return `${path}: missing; this key is required`;
  // Webhook URLs and header values are credentials, so their values are never repeated.
  if (issue.path.some((key) => key === 'url' || key === 'headers')) return `${path}: ${issue.message} (value not shown: it may be a secret)`;
  const shown = value === undefined ? 'nothing' : JSON.stringify(value);
  return issue.message.includes(shown) ? `${path}: ${issue.message}` : `${path}: ${issue.message} (got ${shown})`;
}

/** Counts the unknown and the missing keys of one union branch's issues. */
function mismatchScore(issues: readonly z.core.$ZodIssue[]): number {
  return issues.reduce((score, issue) => score + (issue.code === 'unrecognized_keys' ? issue.keys.length : 1), 0);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

// NOTE: zod's unrecognized_keys issue does not list the allowed keys, so the suggestion is drawn
// from KNOWN_KEYS, the key names the schema accepts anywhere.
function knownKeysAt(_issue: z.core.$ZodIssue, _input: unknown): string[] {
  return KNOWN_KEYS;
}

const KNOWN_KEYS = [
  'state', 'cache_dir', 'log_file', 'backups', 'dir', 'keep', 'channels', 'github', 'api_url', 'repository',
  'token_env', 'timeout', 'instances', 'environment', 'binary', 'config', 'data_dir', 'health_url', 'version_url',
  'service', 'systemd', 'start', 'stop', 'status', 'logs', 'health', 'passes', 'interval',
  'github_atom', 'web_url', 'osv', 'github_advisories', 'enabled', 'stale_after', 'policy', 'deadlines',
  'critical', 'high', 'medium', 'low', 'environments', 'channel', 'auto_approve', 'minimum_release_age',
  'fast_track', 'min_severity', 'window', 'windows', 'cron', 'duration', 'timezone', 'upgrade_window', 'freezes',
  'from', 'to', 'reason', 'pin', 'skip_versions', 'alerts', 'alert_reminders', 'webhook', 'slack', 'url', 'url_env',
  'headers', 'headers_env', 'kinds', 'id',
];

/** Finds the known key within edit distance 2 of `key`, if any. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost 1. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : 0)));
    rows[i]![0] = i;
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
