import type { z } from 'zod';

/** Formats one schema issue as "key.path: message (got VALUE)", with a hint for unknown keys. */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String).join('.') || '(top level)';

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
  const shown = value === undefined ? 'nothing' : JSON.stringify(value);
  return issue.message.includes(shown) ? `${path}: ${issue.message}` : `${path}: ${issue.message} (got ${shown})`;
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
];

/** The known key within edit distance 2 of `key`, if any. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
