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
 */
export function firstErrorLine(logs: string): string | null {
  const lines = logs.split('\n').map((line) => stripAnsi(line).trim()).filter(Boolean);
  const index = lines.findIndex((line) => ERROR_LINE.test(line));
  if (index < 0) return null;

  const line = lines[index]!;
  const next = lines[index + 1];
  return BARE_LEVEL.test(line) && next ? `${line} ${next}` : line;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
