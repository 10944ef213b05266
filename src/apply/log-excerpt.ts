/** Headscale's zerolog console levels for errors (`ERR`, `FTL`), and Go's `panic:`. */
const ERROR_LINE = /\b(FTL|ERR|FATAL|ERROR|panic:)\b|level=(fatal|error)|"level":"(fatal|error)"/;

/**
 * The first error line of a log excerpt. A server in a restart loop repeats later symptoms; the
 * first error is usually the cause (for example the config key 0.29 rejects).
 */
export function firstErrorLine(logs: string): string | null {
  const lines = logs.split('\n').map((line) => stripAnsi(line).trim()).filter(Boolean);
  return lines.find((line) => ERROR_LINE.test(line)) ?? null;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
