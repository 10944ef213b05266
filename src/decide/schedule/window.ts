import { CronError, matchesDay, type CronExpression } from './cron.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, instantOfWallClock, offsetAt, validateTimeZone, wallClockAt } from './zone.js';

/** A maintenance window, which opens each time `cron` matches the wall clock in `timeZone` and stays open `durationMs`. */
export interface MaintenanceWindow {
  cron: CronExpression;
  /** Elapsed time in ms, so a window of 2h lasts 7,200,000 ms even across a clock change. */
  durationMs: number;
  /** An IANA time zone name, such as Europe/Berlin or UTC. */
  timeZone: string;
}

/** The state at an instant: inside a window with its bounds, or outside with the next window's bounds. */
export type WindowState = { open: true; start: Date; end: Date } | { open: false; nextStart: Date; nextEnd: Date };

/**
 * How far ahead the search for the next start looks. February 29 can be 8 years apart, because a
 * century year such as 2100 is not a leap year, and every other month and day-of-month
 * combination recurs sooner.
 * NOTE: a stepped `*` day-of-month combines with a day-of-week by AND, and such an expression can
 * match less often than this; February 1 or 29 falling on a Monday is one, and it then fails with
 * "matches no time".
 */
const SEARCH_YEARS = 8;
const SEARCH_DAYS = SEARCH_YEARS * 366 + 2;

/**
 * Returns the first window start strictly after `after`. Throws a `CronError` when the expression
 * matches no time within 8 years, and a `TimeZoneError` for an unknown zone.
 */
export function nextWindowStart(window: MaintenanceWindow, after: Date): Date {
  checkWindow(window);
  const afterMs = instantOf(after, 'after');

  // Wall-clock times before the minute of `after` resolve to instants at or before `after`.
  const from = floorToMinute(wallClockAt(afterMs, window.timeZone));
  for (const wallClock of matchingWallClocksFrom(window.cron, from, SEARCH_DAYS)) {
    const start = instantOfWallClock(wallClock, window.timeZone);
    if (start > afterMs) return new Date(start);
  }

  throw new CronError(
    window.cron.source,
    `matches no time in ${window.timeZone} within ${SEARCH_YEARS} years after ${after.toISOString()}; choose days that occur`,
  );
}

/**
 * Reports whether `at` is inside a window, which is open from its start (inclusive) to its end
 * (exclusive). When windows overlap, the one that opened last is returned, so `end` is the latest
 * end of any window containing `at`. When `at` is outside every window, the next window is returned.
 */
export function windowAt(window: MaintenanceWindow, at: Date): WindowState {
  checkWindow(window);
  const atMs = instantOf(at, 'at');

  const start = latestStartAtOrBefore(window, atMs);
  if (start !== undefined && atMs < start + window.durationMs) {
    return { open: true, start: new Date(start), end: new Date(start + window.durationMs) };
  }

  const nextStart = nextWindowStart(window, at);
  return { open: false, nextStart, nextEnd: new Date(nextStart.getTime() + window.durationMs) };
}

/** Returns the latest start at or before `atMs` if it lies within one duration of it, else undefined. */
function latestStartAtOrBefore(window: MaintenanceWindow, atMs: number): number | undefined {
  const zone = window.timeZone;

  // After a clock was set back, wall-clock times later than the current one (the first pass through
  // the repeated hour) already happened, so the scan starts from the latest wall-clock time reached.
  const latestOffset = Math.max(offsetAt(atMs, zone), offsetAt(atMs - DAY_MS, zone));
  const from = floorToMinute(atMs + latestOffset);
  const days = Math.ceil(window.durationMs / DAY_MS) + 2;

  for (const wallClock of matchingWallClocksBefore(window.cron, from, days)) {
    const start = instantOfWallClock(wallClock, zone);
    if (start > atMs) continue;

    return start > atMs - window.durationMs ? start : undefined;
  }
  return undefined;
}

/**
 * Yields the wall-clock times (local epoch ms) that match `cron`, ascending from `from`
 * inclusive, over `days` days. Days that do not match are skipped without looking at their hours.
 */
function* matchingWallClocksFrom(cron: CronExpression, from: number, days: number): Generator<number> {
  const firstDay = Math.floor(from / DAY_MS);
  for (let day = firstDay; day <= firstDay + days; day++) {
    if (!dayMatches(cron, day)) continue;

    for (const hour of cron.hours) {
      for (const minute of cron.minutes) {
        const wallClock = day * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS;
        if (wallClock >= from) yield wallClock;
      }
    }
  }
}

/** Like `matchingWallClocksFrom`, but descending from `from` inclusive. */
function* matchingWallClocksBefore(cron: CronExpression, from: number, days: number): Generator<number> {
  const lastDay = Math.floor(from / DAY_MS);
  for (let day = lastDay; day >= lastDay - days; day--) {
    if (!dayMatches(cron, day)) continue;

    for (let hourIndex = cron.hours.length - 1; hourIndex >= 0; hourIndex--) {
      for (let minuteIndex = cron.minutes.length - 1; minuteIndex >= 0; minuteIndex--) {
        const wallClock = day * DAY_MS + cron.hours[hourIndex]! * HOUR_MS + cron.minutes[minuteIndex]! * MINUTE_MS;
        if (wallClock <= from) yield wallClock;
      }
    }
  }
}

/** `day` counts days since 1970-01-01 in local (wall-clock) terms. */
function dayMatches(cron: CronExpression, day: number): boolean {
  const date = new Date(day * DAY_MS);
  return matchesDay(cron, date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay());
}

function floorToMinute(localEpochMs: number): number {
  return Math.floor(localEpochMs / MINUTE_MS) * MINUTE_MS;
}

function checkWindow(window: MaintenanceWindow): void {
  validateTimeZone(window.timeZone);
  if (!Number.isFinite(window.durationMs) || window.durationMs <= 0) {
    throw new RangeError(`maintenance window duration ${window.durationMs} ms is invalid; give a positive duration such as 2h`);
  }
}

function instantOf(date: Date, name: string): number {
  const instant = date.getTime();
  if (Number.isNaN(instant)) throw new RangeError(`${name} is an invalid Date; pass a Date with a time value`);
  return instant;
}
