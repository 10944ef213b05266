import { ExitCode } from '../../cli/exit-codes.js';
import { HeadsupError } from '../../errors.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A time zone name that Intl.DateTimeFormat rejects, so one missing from the ICU data of this Node.js. */
export class TimeZoneError extends HeadsupError {
  readonly zone: string;

  constructor(zone: string) {
    super('TIMEZONE_INVALID', `time zone "${zone}" is unknown`, {
      hint: 'use an IANA name such as Europe/Berlin, America/New_York or UTC',
      exitCode: ExitCode.Usage,
    });
    this.name = 'TimeZoneError';
    this.zone = zone;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Throws a `TimeZoneError` unless `zone` is a time zone name that Intl accepts. That covers every
 * IANA name including `UTC`, matched case-insensitively, and the legacy links such as `EST`.
 */
export function validateTimeZone(zone: string): void {
  formatterFor(zone);
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  const cached = formatters.get(zone);
  if (cached) return cached;

  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (error) {
    if (error instanceof RangeError) throw new TimeZoneError(zone);
    throw error;
  }
  formatters.set(zone, formatter);
  return formatter;
}

/**
 * Returns the wall-clock time in `zone` at `instant` (ms since the epoch, rounded down to the
 * second) as "local epoch" ms: the UTC instant whose UTC fields equal those wall-clock fields.
 * Local epoch values compare like wall-clock times, and day arithmetic on them is plain division.
 */
export function wallClockAt(instant: number, zone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
}

/** Returns the UTC offset of `zone` at `instant` in ms, positive east of Greenwich. */
export function offsetAt(instant: number, zone: string): number {
  return wallClockAt(instant, zone) - Math.floor(instant / 1000) * 1000;
}

/**
 * Resolves a wall-clock time (local epoch ms) in `zone` to an instant:
 * - a time that occurs once gives that instant;
 * - a time that occurs twice, in the hour a clock is set back, gives the first occurrence;
 * - a time skipped when a clock is set forward gives the first instant after the gap, so 02:30
 *   on the day Berlin moves from 02:00 to 03:00 gives 03:00 local time.
 *
 * NOTE: this assumes at most one offset change within a day either side of the time. A zone that
 * changed its offset twice within that span would resolve such a time wrongly.
 */
export function instantOfWallClock(wallClock: number, zone: string): number {
  // The instant lies within 14 hours of the local epoch value, so these offsets bracket it.
  const offsetBefore = offsetAt(wallClock - DAY_MS, zone);
  const offsetAfter = offsetAt(wallClock + DAY_MS, zone);

  const candidates = [wallClock - offsetBefore, wallClock - offsetAfter].filter(
    (instant) => instant + offsetAt(instant, zone) === wallClock,
  );
  if (candidates.length > 0) return Math.min(...candidates);

  return firstInstantWithOffset(wallClock - offsetAfter, wallClock - offsetBefore, offsetAfter, zone);
}

/**
 * Finds by bisection the first instant in (`low`, `high`] whose offset is `offset`, given that
 * `low` has the earlier offset and `high` the new one: the moment the clock jumped.
 */
function firstInstantWithOffset(low: number, high: number, offset: number, zone: string): number {
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle, zone) === offset) high = middle;
    else low = middle;
  }
  return high;
}
