import { pino, destination as pinoDestination, type Logger as PinoLogger } from 'pino';

/** Structured log records (JSON lines), kept apart from what commands print for people. */
export type Logger = PinoLogger;

/**
 * Creates the logger. Records go to `destination` (a file path) or, when none is given, to
 * standard error. Level from `HEADSUP_LOG_LEVEL`, default `info`.
 */
export function createLogger(destination?: string): Logger {
  const level = process.env.HEADSUP_LOG_LEVEL ?? 'info';
  const stream = destination
    ? pinoDestination({ dest: destination, mkdir: true, sync: true })
    : pinoDestination({ dest: 2, sync: true });
  return pino({ level, base: { pid: process.pid }, redact: { paths: ['token', '*.token', 'headers.authorization', 'headers.Authorization'], censor: '[redacted]' } }, stream);
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
