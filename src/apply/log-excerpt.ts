/**
 * Error markers in Headscale's output: zerolog console levels (`ERR`, `FTL`), its `FATAL:` config
 * messages, Go's `panic:`, and cobra's `Error:` prefix, which 0.29 uses for most startup errors
 * (`Error: initializing: loading configuration: …`).
 */
const ERROR_LINE = /\b(FTL|ERR|FATAL|ERROR)\b|^panic:|^Error:|level=(fatal|error)|"level":"(fatal|error)"/;
/** A line that holds only a timestamp and a level, e.g. `2026-12-04T20:10:27Z FTL`; 0.29.2 puts the message on the next line. */
const BARE_LEVEL = /^\S*\s*(FTL|ERR)$/;

/**
 * Finds the first error of a log excerpt, as one line. A server in a restart loop repeats later
 * symptoms; the first error is usually the cause (for example the config key 0.29 rejects).
 * A message that ends with a colon continues on the next line, which is joined to it: 0.29.2
 * prints `Error: … validating schema: invalid schema (-got, +want):` and the schema difference
 * (`>> Remove table "audit"`) below it.
 */
export function firstErrorLine(logs: string, since?: Date): string | null {
  let lines = logs.split('\n').map((line) => stripAnsi(line).trim()).filter(Boolean);
  if (since) lines = linesSince(lines, since);
  const index = lines.findIndex((line) => ERROR_LINE.test(line));
  if (index < 0) return null;

  const line = lines[index]!;
  const next = lines[index + 1];
  return (BARE_LEVEL.test(line) || line.endsWith(':')) && next ? `${line} ${next}` : line;
}

const LEADING_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))\s/;

/**
 * Drops the lines logged before `since`, so that an error of an earlier attempt is not taken for
 * the cause. A line without a timestamp belongs to the line above it; a log without any
 * timestamps is kept whole. Timestamps have second precision, so the comparison does too.
 */
function linesSince(lines: string[], since: Date): string[] {
  const threshold = Math.floor(since.getTime() / 1000) * 1000;
  let keep = !lines.some((line) => LEADING_TIMESTAMP.test(line));
  const kept: string[] = [];
  for (const line of lines) {
    const stamp = LEADING_TIMESTAMP.exec(line)?.[1];
    if (stamp) keep = Date.parse(stamp) >= threshold;
    if (keep) kept.push(line);
  }
  return kept;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
