/**
 * Maintenance windows: a cron expression read as wall-clock time in an IANA time zone, and a
 * duration. A window opens each time the expression matches and stays open for the duration.
 * The module is pure: every function takes the instant it reasons about as a `Date`.
 *
 * Clock changes (daylight saving time) follow these rules, shown for Europe/Berlin, which moves
 * from 02:00 to 03:00 on the last Sunday of March and from 03:00 back to 02:00 on the last Sunday
 * of October:
 * - A wall-clock time that does not exist opens the window at the first instant after the gap,
 *   once: `30 2 * * *` opens at 03:00 local time on the day of the spring change. Several skipped
 *   times (every 15 minutes of hour 2) and a matching 03:00 all collapse into that one start.
 * - A wall-clock time that occurs twice opens the window once, at its first occurrence:
 *   `30 2 * * *` opens at 02:30 summer time (00:30 UTC) on the day of the autumn change.
 * - So an hourly expression opens once in the repeated hour: on the day of the autumn change
 *   `0 * * * *` opens at 02:00 summer time and next at 03:00 winter time, never at 02:00 winter time.
 *   With a duration of 1h that window is closed for the second pass through 02:00-03:00.
 * - Durations are elapsed time: a 2h window lasts 7,200,000 ms, even when the clock changes
 *   inside it, so its wall-clock end can be 1h or 3h after its wall-clock start.
 *
 * Zones with half-hour changes, such as Australia/Lord_Howe, follow the same rules.
 */
export { CronError, parseCron, type CronExpression } from './cron.js';
export { describeWindow } from './describe.js';
export { nextWindowStart, windowAt, type MaintenanceWindow, type WindowState } from './window.js';
export { TimeZoneError, validateTimeZone } from './zone.js';
