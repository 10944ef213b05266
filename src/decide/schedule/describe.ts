import { formatDuration } from '../../config/duration.js';
import type { CronExpression } from './cron.js';
import type { MaintenanceWindow } from './window.js';

const PLURAL_DAY_NAMES = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays'];

/**
 * Describes a window for people, such as "Saturdays at 02:00 Europe/Berlin for 2h" or "every hour
 * at :00 UTC for 1h". Expressions with more than one time a day, a day-of-month or a month
 * restriction come back as the cron text: `cron "0 2 1 * *" in Europe/Berlin for 2h`.
 */
export function describeWindow(window: MaintenanceWindow): string {
  const duration = formatDuration(window.durationMs);
  const when = describeSimpleCron(window.cron);
  if (when === undefined) return `cron "${window.cron.source}" in ${window.timeZone} for ${duration}`;

  return `${when} ${window.timeZone} for ${duration}`;
}

function describeSimpleCron(cron: CronExpression): string | undefined {
  if (cron.minutes.length !== 1 || cron.months.length !== 12 || cron.daysOfMonth.length !== 31) return undefined;

  // Every day of the month is listed here, so if both day fields are restricted (OR) every day matches.
  const daysOfWeek = cron.dayOfMonthRestricted && cron.dayOfWeekRestricted ? [0, 1, 2, 3, 4, 5, 6] : cron.daysOfWeek;
  const minute = cron.minutes[0]!;
  if (cron.hours.length === 24 && daysOfWeek.length === 7) return `every hour at :${twoDigits(minute)}`;
  if (cron.hours.length !== 1) return undefined;

  const time = `${twoDigits(cron.hours[0]!)}:${twoDigits(minute)}`;
  return `${describeDays(daysOfWeek)} at ${time}`;
}

function describeDays(daysOfWeek: readonly number[]): string {
  const key = daysOfWeek.join(',');
  if (key === '0,1,2,3,4,5,6') return 'daily';
  if (key === '1,2,3,4,5') return 'weekdays';
  if (key === '0,6') return 'weekends';

  const names = daysOfWeek.map((day) => PLURAL_DAY_NAMES[day]!);
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}
